export { pretrain } from './mlm'
export type { PretrainOptions, PretrainResult } from './mlm'
export { maskTokens, IGNORED_LABEL } from './masking'
export type { MaskingOptions, MaskedBatch } from './masking'

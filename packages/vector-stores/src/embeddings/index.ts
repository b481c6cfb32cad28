export * from './artifact'
export { encoderIdBeforeOpening, openEncoder, type EncoderContext, type EncoderSpec, type TextEncoder } from './encoders'
export { ensureEmbeddings, type EmbedResult } from './embed'

export { SentenceEncoder } from './sentence-encoder'
export type { EmbedOptions, SentenceEmbeddings, SentenceEncoderOptions } from './sentence-encoder'

export { SentenceEncoder } from './sentence-encoder'
export type { SentenceEmbeddings, SentenceEncoderOptions } from './sentence-encoder'

export * from './artifact'
export { encoderIdBeforeOpening, knownEncoderId, openEncoder, type EncoderContext, type EncoderSpec, type TextEncoder } from './encoders'
export { ensureEmbeddings, type EmbedResult } from './embed'

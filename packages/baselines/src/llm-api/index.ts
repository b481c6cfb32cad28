export { queryLlmApi, queryRecordsForStorage, sampleTestIndices, usageOf, type LlmApiQueryInput, type LlmApiQueryResult, type LlmQueryRecord, type LlmUsage } from './query-endpoint'
export { CUSTOMER_TEXT_NOT_ALLOWED, DEFAULT_LLM_API_OPTIONS, LLM_ENDPOINT_ENV, LLM_SEND_CUSTOMER_TEXT_ENV, llmApiOptionsFromHyperparameters, llmEndpointFromEnv, type LlmApiOptions, type LlmEndpoint } from './options'
export { createChatCompletion, ChatCompletionError, type ChatCompletion, type ChatMessage, type ChatRequest, type RetryPolicy } from './chat-client'
export { matchLabel, type LabelMatch } from './label-matching'

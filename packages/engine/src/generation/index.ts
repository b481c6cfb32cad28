export { CausalLM, IGNORE_INDEX, LM_HEAD, causalForward, causalLmLoss, createCausalLM, disposeCache, llamaCausalLM, tokenLogLikelihoods } from './causal-lm'
export type { CausalForwardOptions, CausalForwardOutput, KeyValueCache, LayerCache } from './causal-lm'
export { greedyGenerate } from './generate'
export type { GenerateOptions, GenerationResult } from './generate'

export { BENCHMARK_PEFT_FIELDS, METHOD_HYPERPARAMETERS } from './hyperparameters'
export type { EngineMethodName, HyperparameterDescription, HyperparameterType } from './hyperparameters'

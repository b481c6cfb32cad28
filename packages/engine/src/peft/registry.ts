/**
 * Method name → method. Adding a method is a folder under peft/ and one line here.
 */
import type { SequenceClassifier } from '../models'
import { adapter } from './adapter'
import { full } from './full'
import { lora } from './lora'
import { qlora } from './qlora'
import { ia3 } from './ia3'
import { prefixTuning } from './prefix-tuning'
import type { AppliedPeft, ApplyOptions, PeftMethod } from './types'

/** Type-erased entries: a config reaches `apply` only through the method's own configSchema. */
const erase = <Config>(method: PeftMethod<Config>) => method as unknown as PeftMethod<unknown>

export const PEFT_METHODS = {
  full: erase(full),
  lora: erase(lora),
  qlora: erase(qlora),
  ia3: erase(ia3),
  'prefix-tuning': erase(prefixTuning),
  adapter: erase(adapter),
}

export type PeftMethodName = keyof typeof PEFT_METHODS

export function peftMethod(name: string): PeftMethod<unknown> {
  const method = (PEFT_METHODS as Record<string, PeftMethod<unknown>>)[name]
  if (!method) throw new Error(`unknown PEFT method ${JSON.stringify(name)}; known: ${Object.keys(PEFT_METHODS).join(', ')}`)
  return method
}

/** The method whose adapter files carry this adapter_config.json `peft_type`. */
export function peftMethodForType(peftType: unknown): PeftMethod<unknown> {
  const method = Object.values(PEFT_METHODS).find((candidate) => candidate.adapterFormat?.peftType === peftType)
  if (!method) throw new Error(`adapter_config.json peft_type ${JSON.stringify(peftType)} is not supported here`)
  return method
}

/**
 * Validates `config` (filling PEFT's defaults) and applies the method: the base is
 * frozen, the method's weights are added, and the result says what to train and save.
 */
export function applyPeft(model: SequenceClassifier, name: string, config: unknown = {}, options: ApplyOptions = { seed: 0 }): AppliedPeft {
  const method = peftMethod(name)
  return method.apply(model, method.configSchema.parse(config), options)
}

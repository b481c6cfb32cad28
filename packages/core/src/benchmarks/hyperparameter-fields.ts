/**
 * The API's form of the hyperparameter types the engine describes that need more than
 * a number or an enum (engine-hyperparameters.generated.ts refers to these): bounded
 * lengths and no control characters, as every string of a request.
 */
import { z } from 'zod'
import { nameString } from '../validation'

/** PEFT's forms: 'all-linear', a list of names or dotted suffixes, or a regular expression the whole layer name must match. */
export const moduleSelector = z.union([
  z.literal('all-linear'),
  z.array(nameString().min(1).max(200)).min(1).max(200),
  nameString().min(1).max(1000).refine(isRegularExpression, { message: 'a module selector given as a string must be "all-linear" or a valid regular expression' }),
])

function isRegularExpression(pattern: string): boolean {
  try {
    new RegExp(pattern)
    return true
  } catch {
    return false
  }
}

import { z } from 'zod'

/**
 * PEFT's target_modules forms: a list of layer names or name suffixes, or a string,
 * "all-linear" or a regular expression the whole layer name must match (refused here
 * when it does not compile, not when the method is applied).
 */
export const moduleSelectorSchema = z.union([
  z.array(z.string().min(1)).min(1),
  z.string().min(1).refine(isRegularExpression, { message: 'a module selector given as a string must be "all-linear" or a valid regular expression' }),
])

function isRegularExpression(pattern: string): boolean {
  try {
    new RegExp(pattern)
    return true
  } catch {
    return false
  }
}

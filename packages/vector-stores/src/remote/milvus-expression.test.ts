import { describe, expect, it } from 'vitest'
import { evaluate, fieldsOf, parseExpression } from './milvus-expression'

describe("the Milvus protocol server's expressions", () => {
  const row = { id: 'r"1', intent: 'card', n: 3 }

  it('evaluates in-lists, comparisons and their combinations', () => {
    expect(evaluate(parseExpression(`id in ${JSON.stringify(['r"1', 'r2'])}`), row)).toBe(true)
    expect(evaluate(parseExpression("id in ['r\\'1', \"r\\\"1\"]"), row)).toBe(true)
    expect(evaluate(parseExpression('id not in ["r2"]'), row)).toBe(true)
    expect(evaluate(parseExpression('intent == "card" and n >= 3'), row)).toBe(true)
    expect(evaluate(parseExpression('intent == "card" && !(n > 2)'), row)).toBe(false)
    expect(evaluate(parseExpression('n < 1 or intent != "rate"'), row)).toBe(true)
    expect(evaluate(parseExpression(''), row)).toBe(true)
    expect(fieldsOf(parseExpression('(a == 1 or b in [2]) and not c > 3'))).toEqual(['a', 'b', 'c'])
  })

  it('refuses what it cannot parse', () => {
    expect(() => parseExpression('id in ["a"')).toThrow(/cannot parse expression/)
    expect(() => parseExpression('id ~ 3')).toThrow(/cannot parse expression/)
    expect(() => parseExpression('id == 1 2')).toThrow(/trailing/)
  })
})

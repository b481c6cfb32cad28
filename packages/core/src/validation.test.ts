import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { describeLocation, editDistance, issuesToErrors, nameString, nearestWord, quoteForMessage, strictObject, unknownKeysMessage } from './validation'

describe('editDistance', () => {
  it('is the Levenshtein distance', () => {
    expect(editDistance('config', 'config')).toBe(0)
    expect(editDistance('confg', 'config')).toBe(1)
    expect(editDistance('protocl', 'protocol')).toBe(1)
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(editDistance('', 'abc')).toBe(3)
    // A swap of two adjacent letters is one edit.
    expect(editDistance('lroa', 'lora')).toBe(1)
    expect(editDistance('alpah', 'alpha')).toBe(1)
  })

  it('stops early past the limit', () => {
    expect(editDistance('a'.repeat(10_000), 'config', 2)).toBe(3)
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3)
  })
})

describe('nearestWord', () => {
  const known = ['method', 'config', 'grid']
  it('suggests the nearest known word for a likely typo, ignoring case', () => {
    expect(nearestWord('confg', known)).toBe('config')
    expect(nearestWord('Config', known)).toBe('config')
    expect(nearestWord('methd', known)).toBe('method')
    expect(nearestWord('grids', known)).toBe('grid')
  })

  it('suggests nothing for a word that is not close to any', () => {
    expect(nearestWord('hyperparameters', known)).toBeNull()
    expect(nearestWord('x', known)).toBeNull()
    expect(nearestWord('x'.repeat(1000), known)).toBeNull()
  })
})

describe('unknown keys', () => {
  it('are named with a suggestion, or the known keys when none is close', () => {
    expect(unknownKeysMessage(['confg'], ['method', 'config'])).toBe("unknown key 'confg'; did you mean 'config'?")
    expect(unknownKeysMessage(['zzz'], ['method', 'config'])).toBe("unknown key 'zzz'; the known keys are method, config")
    expect(unknownKeysMessage(['a'], [])).toBe("unknown key 'a'; this object takes no keys")
  })

  it('are quoted safely: control characters escaped, quotes escaped, long keys shortened', () => {
    expect(quoteForMessage('a\u0000b\nc')).toBe("'a\\u0000b\\nc'")
    expect(quoteForMessage("it's")).toBe("'it\\'s'")
    expect(quoteForMessage('k'.repeat(500))).toBe(`'${'k'.repeat(60)}…'`)
  })

  it('a strict object refuses them and issuesToErrors says where', () => {
    const schema = strictObject({ outer: strictObject({ config: z.number() }).array() })
    const result = schema.safeParse({ outer: [{ config: 1 }, { confg: 1, config: 2 }], outr: 1 })
    expect(result.success).toBe(false)
    expect(issuesToErrors(result.error!.issues)).toEqual([
      { path: 'outer.1', message: "unknown key 'confg' in outer[1]; did you mean 'config'?" },
      { path: '(body)', message: "unknown key 'outr' in the body; did you mean 'outer'?" },
    ])
  })

  it('keep their message through partial(), extend() and refine()', () => {
    const schema = strictObject({ alpha: z.number() }).partial().extend({ gamma: z.number().optional() }).refine(() => true)
    expect(issuesToErrors(schema.safeParse({ alpah: 1 }).error!.issues)).toEqual([{ path: '(body)', message: "unknown key 'alpah' in the body; did you mean 'alpha'?" }])
    expect(issuesToErrors(schema.safeParse({ gamm: 1 }).error!.issues)).toEqual([{ path: '(body)', message: "unknown key 'gamm' in the body; did you mean 'gamma'?" }])
  })
})

describe('issuesToErrors', () => {
  it('reports a failed union as its closest branch, with the full path', () => {
    const schema = z.object({ items: z.array(z.union([strictObject({ method: z.string() }), strictObject({ preset: z.enum(['a', 'b']) })])) })
    const result = schema.safeParse({ items: [{ preset: 'c' }] })
    expect(issuesToErrors(result.error!.issues)).toEqual([{ path: 'items.0.preset', message: expect.stringContaining('Invalid option') }])
  })

  it('puts the request part first', () => {
    const result = z.object({ limit: z.number() }).safeParse({ limit: 'x' })
    expect(issuesToErrors(result.error!.issues, ['query'])[0]!.path).toBe('query.limit')
  })

  it('describes locations the way a reader writes them', () => {
    expect(describeLocation([])).toBe('the body')
    expect(describeLocation(['arms', 0, 'config'])).toBe('arms[0].config')
  })
})

describe('nameString', () => {
  it('refuses C0 control characters and DEL, and keeps printable Unicode', () => {
    const schema = nameString()
    for (const bad of ['a\u0000', '\t', 'x\ny', '\u001f', '\u007f']) expect(schema.safeParse(bad).success).toBe(false)
    for (const good of ['', 'plain', 'Ünïcode — 🏦', '\u0080\u00a0']) expect(schema.safeParse(good).success).toBe(true)
  })
})

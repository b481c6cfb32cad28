/**
 * Requests generated from the OpenAPI document, for fuzzing the app in-process
 * (`app.fuzz.test.ts`): for every operation, bodies that follow its schema, the
 * same bodies with one part broken (a hostile value, a key removed, misspelled or
 * added, a value wrapped), hostile roots (NUL, control characters, huge numbers,
 * deep nesting, huge strings and arrays), malformed JSON and wrong content types;
 * path and query parameters and headers from their schemas or hostile. Only test
 * code uses this module.
 */
import fc from 'fast-check'

/** A JSON Schema object as the OpenAPI document holds it. */
export type Schema = { [key: string]: unknown }

interface Parameter { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: Schema }

export interface Operation {
  method: string
  path: string
  parameters: Parameter[]
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> }
  security?: unknown[]
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>
  components?: { schemas?: Record<string, Schema> }
}

export interface FuzzRequest {
  method: string
  /** Path and query string. */
  url: string
  headers: Record<string, string>
  body?: string | FormData
  /** What kind of request this is, for reports. */
  kind: string
}

/** Values the generators may use where a path parameter names something real (seeded by the test). */
export interface KnownValues {
  /** By parameter name (`id`, `stage`): values that exist. */
  params: Record<string, string[]>
  /** Operations whose real ids would make a request slow (a PDF, an event stream): they get made-up ids only. */
  slowWithRealIds: (operation: Operation) => boolean
  /** `Authorization` values that pass. */
  authorizations: string[]
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) => METHODS.filter((method) => item[method]).map((method) => ({
    method: method.toUpperCase(), path, parameters: item[method]!.parameters ?? [], requestBody: item[method]!.requestBody, security: item[method]!.security,
  })))
}

/** A piece of JSON text embedded as is: nesting or sizes that should not be built as objects. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of a generated value: RawJson pieces verbatim, own `__proto__` keys kept. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`
  if (typeof value === 'object' && value !== null) return `{${Object.keys(value).map((key) => `${JSON.stringify(key)}:${toJson((value as Record<string, unknown>)[key])}`).join(',')}}`
  return JSON.stringify(value) ?? 'null'
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function clone(value: unknown): unknown {
  if (value instanceof RawJson || typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(clone)
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) setOwn(copy, key, clone((value as Record<string, unknown>)[key]))
  return copy
}

const deepArray = (depth: number) => new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`)
const deepObject = (depth: number) => new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)

/** Strings that have broken servers: NUL and other control characters, escapes, injections, lone surrogates, sizes. */
const HOSTILE_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\u0001\u0002\u0003', '\u001b[31mred\u001b[0m', '\n', 'two\nlines', '\r\n', '\t', '\u007f', '\u0085', '\u2028\u2029',
  '\ud800', '\udfff', 'a\ud83db', '💥🏦', 'Ω≈ç√∫', '\ufeffbom', '\u202eevil', 'null', 'undefined', 'true', '-1', '0', '1e309', 'NaN', 'Infinity',
  "'; DROP TABLE benchmarks; --", '" OR 1=1 --', '../../../etc/passwd', '..\\..\\windows', '%00', '%', '%E0%A4%A', '%2F', '/', '?', '#', '&', '=',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '{{7*7}}', '${7*7}', '<script>alert(1)</script>', '$where', '\\', '"', "'",
  'bm_', 'run_', 'ds_', 'bb_', 'Bearer', 'x'.repeat(257), 'é'.repeat(1000),
] as const

/** Large, built once: the generators hand out the same instances. */
const LARGE_STRINGS = ['A'.repeat(10_000), 'A'.repeat(300_000), '\u0000'.repeat(5000), '💥'.repeat(20_000)]

const HOSTILE_NUMBERS = [0, -0, -1, 1, 0.5, -0.5, 1e308, -1e308, 5e-324, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, -(2 ** 53) - 2, 2 ** 63, 1e21, 123456789.12345679]

/** An opaque token (a page cursor) forged from hostile JSON: base64url of [a time-ish part, an id-ish part], or of any short array. */
const tokenPart = fc.oneof(fc.constantFrom<unknown>('2026-01-01T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '0000-01-01', '1970', 'bm_x', '\u0000', 'a\u0000b',
  'x'.repeat(5000), 1e308, -1, null, [], {}), fc.string({ unit: 'binary', maxLength: 20 }))
const forgedToken = fc.oneof(fc.tuple(tokenPart, tokenPart), fc.array(tokenPart, { maxLength: 3 })).map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url'))

const hostileString = fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) }, { weight: 1, arbitrary: fc.constantFrom(...LARGE_STRINGS) }, { weight: 2, arbitrary: forgedToken },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) }, { weight: 3, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) })

const hostileNumber = fc.oneof(fc.constantFrom(...HOSTILE_NUMBERS), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer())

/** Any hostile JSON value: strings, numbers, wrong types, nesting 1,000 to 20,000 deep, huge arrays. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: hostileString },
  { weight: 5, arbitrary: hostileNumber },
  { weight: 3, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': null }, [[[]]]) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(100, 1000, 20_000).chain((depth) => fc.constantFrom(deepArray(depth), deepObject(depth))) },
  { weight: 1, arbitrary: fc.constantFrom(new RawJson(`[${'1,'.repeat(20_000)}1]`), new RawJson(`{${Array.from({ length: 5000 }, (_, i) => `"k${i}":${i}`).join(',')}}`)) },
)

/** Header values must be ByteStrings without NUL, CR or LF (a client cannot send anything else). */
export function headerSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\u0001-\u00ff]|[\r\n]/g, '?').trim().slice(0, 8000)
}

export class RequestGenerator {
  private readonly schemas: Record<string, Schema>
  private readonly keyVocabulary: string[]

  constructor(private readonly document: OpenApiDocument, private readonly known: KnownValues) {
    this.schemas = document.components?.schemas ?? {}
    const names = new Set<string>()
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect)
      else if (typeof node === 'object' && node !== null) {
        const properties = (node as { properties?: unknown }).properties
        if (typeof properties === 'object' && properties !== null) Object.keys(properties).forEach((name) => names.add(name))
        Object.values(node).forEach(collect)
      }
    }
    collect(document)
    this.keyVocabulary = [...names]
  }

  private resolve(schema: Schema | undefined): Schema {
    let current = schema ?? {}
    for (let hops = 0; typeof current.$ref === 'string' && hops < 20; hops++) {
      current = this.schemas[(current.$ref as string).replace('#/components/schemas/', '')] ?? {}
    }
    return current
  }

  /** A value that follows the schema (bounds, enums, required keys, patterns), or its example. */
  valid(schemaOrRef: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
    const schema = this.resolve(schemaOrRef)
    if (depth > 6) return fc.constantFrom<unknown>(null, 1, 'x', true)
    const generated = this.generated(schema, depth)
    const examples = [schema.example, ...(Array.isArray(schema.examples) ? schema.examples : [])].filter((example) => example !== undefined)
    return examples.length > 0 ? fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...examples).map(clone) }, { weight: 3, arbitrary: generated }) : generated
  }

  private generated(schema: Schema, depth: number): fc.Arbitrary<unknown> {
    if ('const' in schema) return fc.constant(schema.const)
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...(schema.enum as unknown[]))
    const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
    if (Array.isArray(branches) && branches.length > 0) return fc.oneof(...branches.map((branch) => this.valid(branch, depth + 1)))
    if (Array.isArray(schema.allOf)) return this.valid(Object.assign({}, ...(schema.allOf as Schema[]).map((part) => this.resolve(part))) as Schema, depth)
    const type = Array.isArray(schema.type) ? schema.type as string[] : schema.type === undefined ? undefined : [schema.type as string]
    if (type && type.length > 1) return fc.oneof(...type.map((one) => this.generated({ ...schema, type: one }, depth)))
    switch (type?.[0] ?? (schema.properties || schema.additionalProperties ? 'object' : undefined)) {
      case 'string': return this.string(schema)
      case 'integer': {
        const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? Math.floor(schema.exclusiveMinimum) + 1 : -1000
        const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? Math.ceil(schema.exclusiveMaximum) - 1 : Math.max(min, 0) + 10_000
        return fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) })
      }
      case 'number': {
        const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : -1000
        const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : Math.max(min, 0) + 10_000
        return fc.double({ min, max, noNaN: true, minExcluded: typeof schema.exclusiveMinimum === 'number', maxExcluded: typeof schema.exclusiveMaximum === 'number' })
      }
      case 'boolean': return fc.boolean()
      case 'null': return fc.constant(null)
      case 'array': {
        const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0
        const maxLength = Math.max(minLength, Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 4, 4))
        return fc.array(this.valid(schema.items as Schema | undefined, depth + 1), { minLength, maxLength })
      }
      case 'object': return this.object(schema, depth)
      default: return fc.jsonValue({ maxDepth: 2 })
    }
  }

  private string(schema: Schema): fc.Arbitrary<string> {
    const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0
    const maxLength = Math.max(minLength, Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 30, 30))
    if (schema.format === 'date-time') {
      return fc.date({ min: new Date(Date.now() - 86_400_000), max: new Date(Date.now() + 400 * 86_400_000), noInvalidDate: true }).map((date) => date.toISOString())
    }
    const fit = (text: string) => (text.length >= minLength ? text.slice(0, maxLength) : text.padEnd(minLength, 'a'))
    if (typeof schema.pattern === 'string') {
      let pattern: RegExp | null = null
      try {
        pattern = new RegExp(schema.pattern)
      } catch {
        pattern = null
      }
      if (pattern) return fc.stringMatching(pattern).map(fit)
    }
    return fc.oneof(fc.string({ minLength, maxLength }), fc.string({ unit: 'grapheme', minLength, maxLength })).map(fit)
  }

  private object(schema: Schema, depth: number): fc.Arbitrary<unknown> {
    const properties = (schema.properties ?? {}) as Record<string, Schema>
    const required = Array.isArray(schema.required) ? schema.required as string[] : []
    const model = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, this.valid(property, depth + 1)]))
    const declared = fc.record(model, { requiredKeys: required.filter((name) => name in properties) })
    const additional = schema.additionalProperties
    if (additional === undefined || additional === false) return declared
    const keys = fc.oneof(fc.constantFrom(...this.keyVocabulary), fc.string({ maxLength: 12 }))
    const values = additional === true || (typeof additional === 'object' && Object.keys(additional as object).length === 0)
      ? fc.jsonValue({ maxDepth: 2 })
      : this.valid(additional as Schema, depth + 1)
    return fc.tuple(declared, fc.dictionary(keys, values, { maxKeys: 3 })).map(([own, extra]) => {
      const merged: Record<string, unknown> = {}
      for (const [key, value] of [...Object.entries(extra), ...Object.entries(own)]) setOwn(merged, key, value)
      return merged
    })
  }

  /** A valid value with one part broken. */
  mutated(schema: Schema | undefined): fc.Arbitrary<unknown> {
    return fc.tuple(this.valid(schema), fc.nat(), hostileValue, fc.constantFrom('replace', 'delete', 'misspell', 'extra', 'wrap', 'stringify'), fc.nat())
      .map(([value, pick, replacement, how, salt]) => mutate(clone(value), pick, replacement, how, salt))
  }

  /** Every request for one operation. */
  requests(operation: Operation): fc.Arbitrary<FuzzRequest> {
    return fc.record({
      path: this.path(operation),
      query: this.query(operation),
      headers: this.headers(operation),
      body: this.body(operation),
    }).map(({ path, query, headers, body }) => ({
      method: operation.method,
      url: `${path}${query}`,
      headers: { ...headers, ...(body.contentType === undefined ? {} : { 'content-type': body.contentType }) },
      ...(body.body === undefined ? {} : { body: body.body }),
      kind: body.kind,
    }))
  }

  private path(operation: Operation): fc.Arbitrary<string> {
    const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!)
    if (names.length === 0) return fc.constant(operation.path)
    const parameters = names.map((name) => {
      const parameter = operation.parameters.find((candidate) => candidate.in === 'path' && candidate.name === name)
      const real = this.known.slowWithRealIds(operation) ? [] : this.known.params[name] ?? []
      const value = fc.oneof(
        { weight: 4, arbitrary: this.valid(parameter?.schema).map(String) },
        { weight: 4, arbitrary: hostileString },
        ...(real.length > 0 ? [{ weight: 2, arbitrary: fc.constantFrom(...real) }] : []),
      )
      // Mostly encoded as a client would; sometimes raw, percent signs and slashes included.
      return fc.tuple(value, fc.integer({ min: 0, max: 9 })).map(([text, dice]) => (dice === 0 ? rawPathSegment(text) : encodeURIComponent(toWellFormed(text))))
    })
    return fc.tuple(...parameters).map((values) => names.reduce((path, name, i) => path.replace(`{${name}}`, values[i]!), operation.path))
  }

  private query(operation: Operation): fc.Arbitrary<string> {
    const parameters = operation.parameters.filter((parameter) => parameter.in === 'query')
    const entries = parameters.map((parameter) => fc.oneof(
      { weight: 3, arbitrary: fc.constant<[string, string][]>([]) },
      { weight: 5, arbitrary: this.valid(parameter.schema).map((value): [string, string][] => [[parameter.name, typeof value === 'string' ? value : toJson(value)]]) },
      { weight: 3, arbitrary: hostileValue.map((value): [string, string][] => [[parameter.name, typeof value === 'string' ? value : toJson(value).slice(0, 5000)]]) },
      { weight: 1, arbitrary: fc.tuple(hostileString, hostileString).map(([a, b]): [string, string][] => [[parameter.name, a], [parameter.name, b]]) },
    ))
    const unknown = fc.oneof({ weight: 9, arbitrary: fc.constant<[string, string][]>([]) }, { weight: 1, arbitrary: fc.tuple(hostileString, hostileString).map(([key, value]): [string, string][] => [[key, value]]) })
    return fc.tuple(unknown, ...entries).map((groups) => {
      const search = new URLSearchParams(groups.flat().map(([key, value]): [string, string] => [toWellFormed(key), toWellFormed(value)]))
      const text = search.toString()
      return text ? `?${text}` : ''
    })
  }

  private headers(operation: Operation): fc.Arbitrary<Record<string, string>> {
    const declared = operation.parameters.filter((parameter) => parameter.in === 'header').map((parameter) => fc.oneof(
      { weight: 2, arbitrary: fc.constant<[string, string] | null>(null) },
      { weight: 3, arbitrary: this.valid(parameter.schema).map((value): [string, string] => [parameter.name, headerSafe(String(value))]) },
      { weight: 2, arbitrary: hostileString.map((value): [string, string] => [parameter.name, headerSafe(value)]) },
    ))
    const authorization = operation.security && operation.security.length > 0 && this.known.authorizations.length > 0
      ? fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...this.known.authorizations).map((value): [string, string] | null => ['authorization', value]) },
        { weight: 1, arbitrary: fc.constant<[string, string] | null>(null) },
        { weight: 2, arbitrary: hostileString.map((value): [string, string] => ['authorization', headerSafe(`Bearer ${value}`)]) },
        { weight: 1, arbitrary: fc.constantFrom<[string, string]>(['authorization', 'Basic Zm9vOmJhcg=='], ['authorization', 'Bearer'], ['authorization', 'bearer bb_']) },
      )
      : fc.constant(null)
    return fc.tuple(authorization, ...declared).map((pairs) => Object.fromEntries(pairs.filter((pair): pair is [string, string] => pair !== null)))
  }

  private body(operation: Operation): fc.Arbitrary<{ kind: string; contentType?: string; body?: string | FormData }> {
    const content = operation.requestBody?.content ?? {}
    const json = content['application/json']
    const csv = content['text/csv']
    const multipart = content['multipart/form-data']
    const options: fc.WeightedArbitrary<{ kind: string; contentType?: string; body?: string | FormData }>[] = []
    if (json) {
      const schema = json.schema
      options.push(
        { weight: 30, arbitrary: this.valid(schema).map((value) => ({ kind: 'valid json', contentType: 'application/json', body: toJson(value) })) },
        { weight: 40, arbitrary: this.mutated(schema).map((value) => ({ kind: 'mutated json', contentType: 'application/json', body: toJson(value) })) },
        { weight: 10, arbitrary: hostileValue.map((value) => ({ kind: 'hostile json', contentType: 'application/json', body: toJson(value) })) },
        { weight: 8, arbitrary: MALFORMED_JSON.map((body) => ({ kind: 'malformed json', contentType: 'application/json', body })) },
      )
    }
    if (csv || multipart) {
      options.push(
        { weight: 25, arbitrary: csvText.map((body) => ({ kind: 'csv', contentType: 'text/csv', body })) },
        { weight: 10, arbitrary: fc.tuple(csvText, hostileString).map(([text, name]) => ({ kind: 'multipart', body: formWith(text, name) })) },
      )
    }
    if (json || csv || multipart) {
      options.push(
        { weight: 7, arbitrary: fc.tuple(fc.constantFrom(undefined, 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/json\u0001', '*/*'), hostileString)
          .map(([contentType, body]) => ({ kind: 'wrong content type', ...(contentType === undefined ? {} : { contentType: headerSafe(contentType) }), body })) },
        { weight: 1, arbitrary: fc.constant({ kind: 'oversized body', contentType: json ? 'application/json' : 'text/csv', body: `["${'A'.repeat(11 * 1024 * 1024)}"]` }) },
        { weight: 2, arbitrary: fc.constant({ kind: 'no body', ...(json ? { contentType: 'application/json' } : {}) }) },
      )
    } else {
      // Operations without a body get one anyway, sometimes.
      options.push(
        { weight: 8, arbitrary: fc.constant({ kind: 'no body' }) },
        { weight: 2, arbitrary: hostileValue.map((value) => ({ kind: 'unexpected body', contentType: 'application/json', body: toJson(value) })) },
      )
    }
    return fc.oneof(...options)
  }
}

const MALFORMED_JSON = fc.constantFrom('', '{', '[', '{"a":', '{"a":1,}', '[1,]', 'nul', 'tru', '{"a" 1}', "{'a':1}", '\u0000', '{"a":"\u0000', '\ufeff{}', '{"a":1}{"b":2}',
  '{"a":NaN}', '{"a":Infinity}', '{"a":-}', '{"a":1e999999}', '{"\\ud800":1}', '"\\u0000"', `{"a":"${'\\'.repeat(1001)}"}`, '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}', '[][]', ' ', '\n\n', '0x10', '01', '.5', '"unterminated')

const csvCell = fc.oneof(fc.string({ maxLength: 20 }), hostileString.map((text) => text.slice(0, 2000)), fc.constantFrom('"', '""', '"a,b"', 'a\nb', '"a\nb"', ',', ';', '\r'))
const csvText = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('text,label', 'text,label,split', 'label,text', 'text', 'TEXT,LABEL', '\ufefftext,label', 'text,label,split,extra', ''),
    fc.array(fc.array(csvCell, { minLength: 1, maxLength: 4 }), { maxLength: 30 }), fc.constantFrom('\n', '\r\n', '\r'))
    .map(([header, rows, newline]) => [header, ...rows.map((cells) => cells.join(','))].join(newline)) },
  { weight: 2, arbitrary: fc.tuple(fc.array(fc.constantFrom('card_arrived', 'lost_card', 'top_up', '\u0000', 'x'.repeat(300)), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 60 }),
    fc.constantFrom('train', 'validation', 'test', 'TRAIN', '', 'holdout'))
    .map(([labels, rows, split]) => ['text,label,split', ...Array.from({ length: rows }, (_, i) => `message ${i},${labels[i % labels.length]},${i % 3 === 0 ? split : 'train'}`)].join('\n')) },
  { weight: 1, arbitrary: hostileString },
)

function formWith(csv: string, fileName: string): FormData {
  const form = new FormData()
  form.append(fileName.length % 5 === 0 ? 'upload' : 'file', new Blob([csv], { type: 'text/csv' }), toWellFormed(fileName).slice(0, 300) || 'data.csv')
  return form
}

/** A path segment written raw: what a client that forgets to encode sends (kept a valid URL). */
function rawPathSegment(text: string): string {
  return toWellFormed(text).replace(/[\s#?]/g, (char) => encodeURIComponent(char))
}

/** Lone surrogates replaced (URLs and FormData cannot carry them). */
function toWellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
}

function mutate(value: unknown, pick: number, replacement: unknown, how: string, salt: number): unknown {
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = []
  const visit = (node: unknown): void => {
    if (node instanceof RawJson || typeof node !== 'object' || node === null) return
    if (Array.isArray(node)) node.forEach((child, index) => { slots.push({ parent: node, key: index }); visit(child) })
    else for (const key of Object.keys(node)) { slots.push({ parent: node as Record<string, unknown>, key }); visit((node as Record<string, unknown>)[key]) }
  }
  visit(value)
  if (slots.length === 0 || how === 'stringify') {
    if (how === 'stringify' && typeof value === 'object' && value !== null) return toJson(value)
    return how === 'wrap' ? [value] : replacement
  }
  const { parent, key } = slots[pick % slots.length]!
  const current = (parent as Record<string | number, unknown>)[key]
  if (Array.isArray(parent)) {
    const index = key as number
    if (how === 'delete') parent.splice(index, 1)
    else if (how === 'wrap') parent[index] = [current]
    else if (how === 'extra') parent.push(replacement)
    else parent[index] = replacement
    return value
  }
  const name = key as string
  switch (how) {
    case 'delete':
      delete parent[name]
      break
    case 'misspell': {
      delete parent[name]
      setOwn(parent, misspell(name, salt), current)
      break
    }
    case 'extra':
      setOwn(parent, [misspell(name, salt), '__proto__', 'constructor', '', '\u0000', 'x'.repeat(5000), `${name} `][salt % 7]!, replacement)
      break
    case 'wrap':
      setOwn(parent, name, salt % 2 === 0 ? [current] : { value: current })
      break
    default:
      setOwn(parent, name, replacement)
  }
  return value
}

/** A likely typo of a key: a letter dropped, doubled or two letters swapped. */
function misspell(word: string, salt: number): string {
  if (word.length < 2) return `${word}_`
  const at = salt % (word.length - 1)
  switch (salt % 3) {
    case 0: return word.slice(0, at) + word.slice(at + 1)
    case 1: return word.slice(0, at) + word[at] + word.slice(at)
    default: return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2)
  }
}

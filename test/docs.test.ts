/**
 * The documentation says what the code does, where a test can tell: the API's README
 * lists every operation of openapi.yaml, the layout blocks of README.md and
 * docs/architecture.md list every package and top-level folder, and every JSON body
 * a document sends with curl is one the API accepts (strict schemas: a stale key is a 400).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createApp } from '@bankbench/api'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const REPO = join(import.meta.dirname, '..')
const read = (path: string) => readFileSync(join(REPO, path), 'utf8')

type Schema = { $ref?: string; properties?: Record<string, unknown>; required?: string[]; additionalProperties?: unknown }
interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>
  components: { schemas: Record<string, Schema> }
}
const openapi = parse(read('openapi.yaml')) as OpenApi
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete']
const operations = Object.entries(openapi.paths).flatMap(([path, item]) =>
  Object.keys(item).filter((method) => HTTP_METHODS.includes(method)).map((method) => ({ method: method.toUpperCase(), path })))

describe('packages/api/README.md', () => {
  it('lists every operation of openapi.yaml as `METHOD path`', () => {
    const readme = read('packages/api/README.md')
    expect(operations.length).toBeGreaterThan(20)
    expect(operations.map(({ method, path }) => `${method} ${path}`).filter((operation) => !readme.includes(operation))).toEqual([])
  })
})

/** The first fenced block after a heading: the layout of the repository. */
function layoutBlock(document: string, heading: string): string {
  const section = document.slice(document.indexOf(heading))
  const start = section.indexOf('```')
  return section.slice(start, section.indexOf('```', start + 3))
}

const directories = (path: string) => readdirSync(join(REPO, path), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name)
/** Ignored by git (.gitignore), or hidden. */
const NOT_PART_OF_THE_LAYOUT = new Set(['node_modules', 'coverage', 'reports'])

describe('the layout blocks', () => {
  const packages = directories('packages')
  const topFolders = directories('.').filter((name) => !name.startsWith('.') && !NOT_PART_OF_THE_LAYOUT.has(name))

  it('README.md lists every package and every top-level folder', () => {
    const block = layoutBlock(read('README.md'), '## Layout')
    expect(packages.filter((name) => !new RegExp(`^packages/${name}\\s`, 'm').test(block))).toEqual([])
    expect(topFolders.filter((name) => name !== 'packages' && !new RegExp(`^${name}[/,]`, 'm').test(block))).toEqual([])
  })

  it('docs/architecture.md lists every package', () => {
    const block = layoutBlock(read('docs/architecture.md'), '## Packages and folders')
    expect(packages.filter((name) => !new RegExp(`^packages/${name}\\s`, 'm').test(block))).toEqual([])
  })
})

/** `curl … -X POST <base>/v1/… -d '<json>'` in a document (the API's routes, not an example's own), its continuation lines joined. */
function curlBodies(document: string): { path: string; body: string }[] {
  return document.replace(/\\\n\s*/g, ' ').split('\n')
    .filter((line) => /\bcurl\b/.test(line) && /-X POST\b/.test(line) && / -d '/.test(line) && /\/v1\//.test(line))
    .map((line) => ({ path: /(\/v1\/[^\s'"?]+)/.exec(line)![1]!, body: / -d '([^']*)'/.exec(line)![1]! }))
}

const DOCUMENTS = ['README.md', 'docs/deploy.md', 'docs/architecture.md', 'packages/api/README.md', 'examples/chatbot-backend/README.md']
const examples = DOCUMENTS.flatMap((document) => curlBodies(read(document)).map((example) => ({ document, ...example })))

function resolve(schema: Schema | undefined): Schema | undefined {
  return schema?.$ref ? openapi.components.schemas[schema.$ref.split('/').pop()!] : schema
}

describe('the JSON bodies the documents send', () => {
  it('finds the examples', () => {
    expect(examples.map(({ path }) => path)).toEqual(expect.arrayContaining(['/v1/benchmarks', '/v1/deployments', '/v1/api-keys', '/v1/classify']))
  })

  it.each(examples)('$document: POST $path $body names only known keys, and every required one', ({ path, body }) => {
    const schema = resolve(openapi.paths[path]?.post?.requestBody?.content?.['application/json']?.schema)
    expect(schema, `no JSON body for POST ${path} in openapi.yaml`).toBeDefined()
    const sent = JSON.parse(body) as Record<string, unknown>
    expect(Object.keys(sent).filter((key) => !(key in (schema!.properties ?? {})))).toEqual([])
    expect((schema!.required ?? []).filter((key) => !(key in sent))).toEqual([])
  })

  // The operator routes validate the body before they touch the platform, so an app
  // without one answers a valid body with the handler's failure, never a 400. (Classify
  // checks its API key against the database first: the schema check above covers it.)
  const app = createApp(() => Promise.reject(new Error('no platform in this test')))
  it.each(examples.filter(({ path }) => !path.startsWith('/v1/classify')))('$document: POST $path $body passes the route\'s validation', async ({ path, body }) => {
    const response = await app.request(`http://localhost${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(response.status, await response.clone().text()).toBe(500)
  })
})

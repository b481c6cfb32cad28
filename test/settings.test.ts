/**
 * One settings registry (packages/settings): the README's configuration table lists
 * exactly its user-facing variables, and no code reads a variable it does not declare,
 * or reads one around it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { isSettingName, settingsTable, userSettings } from '@bankbench/settings'
import { describe, expect, it } from 'vitest'

const REPO = join(import.meta.dirname, '..')

/** The code that runs: every workspace package, the functions, containers, scripts, benches, infra and tests. */
const SCANNED_ROOTS = ['packages', 'functions', 'containers', 'scripts', 'bench', 'infra', 'test', 'sst.config.ts', 'vitest.config.ts', 'drizzle.config.ts']
/**
 * The registry itself reads `process.env`, and this file's examples name undeclared
 * variables on purpose. examples/ are programs of a bank's own (the
 * chatbot backend), documented in their README, which read their own variables.
 */
const NOT_SCANNED = new Set(['node_modules', 'build', 'dist', '.build', 'packages/settings/src', 'test/settings.test.ts'])
const CODE = /\.(?:[cm]?ts|[cm]?js)$/

function codeFiles(path: string): string[] {
  const absolute = join(REPO, path)
  if (!statSync(absolute, { throwIfNoEntry: false })) return []
  if (statSync(absolute).isFile()) return CODE.test(path) ? [path] : []
  return readdirSync(absolute, { withFileTypes: true })
    .filter((entry) => !NOT_SCANNED.has(entry.name) && !NOT_SCANNED.has(join(path, entry.name)))
    .flatMap((entry) => (entry.isDirectory() ? codeFiles(join(path, entry.name)) : CODE.test(entry.name) ? [join(path, entry.name)] : []))
}

function allFiles(path: string): string[] {
  const stat = statSync(join(REPO, path), { throwIfNoEntry: false })
  if (!stat) return []
  return stat.isFile() ? [path] : readdirSync(join(REPO, path)).flatMap((name) => allFiles(join(path, name)))
}

const lineOf = (source: string, index: number) => source.slice(0, index).split('\n').length

interface Finding { file: string; line: number; what: string }

/**
 * What a file does with the environment that the registry forbids:
 * - any variable it names (`process.env.X`, `env.X`, `vi.stubEnv('X')`, a `BANKBENCH_*`
 *   word anywhere) that the registry does not declare;
 * - outside tests, a read of `process.env.X` or `env.X` (read it with `setting('X', env)`),
 *   and in any file `process.env[expression]`, whose variable no one can check.
 * Writing a variable (`process.env.X = …`, `delete`) and passing the whole environment
 * on (`{ ...process.env }`, `env = process.env`) are allowed.
 */
export function environmentFindings(file: string, source: string): Finding[] {
  const findings: Finding[] = []
  const isTest = /\.test\.[cm]?[jt]s$/.test(file)
  const undeclared = (name: string, index: number, how: string) => {
    if (!isSettingName(name)) findings.push({ file, line: lineOf(source, index), what: `${how} ${name}, which packages/settings does not declare` })
  }
  for (const match of source.matchAll(/(?<![\w$.])(process\.env|env)(?:\.([A-Za-z_$][\w$]*)|\[\s*(?:(['"`])([^'"`]*)\3|([^\]]*))\s*\])/g)) {
    const [whole, object, dotted, , quoted, expression] = match
    const index = match.index
    const name = dotted ?? quoted
    if (name === undefined) {
      if (object === 'process.env' || !isTest) findings.push({ file, line: lineOf(source, index), what: `${object}[${expression?.trim()}]: name the variable (setting('NAME'))` })
      continue
    }
    // `env.foo`, a lowercase field, is not a variable (`c.env.X`, Hono's bindings, never matches).
    if (object === 'env' && !/^[A-Z][A-Z0-9_]*$/.test(name)) continue
    undeclared(name, index, 'names')
    const after = source.slice(index + whole.length)
    const before = source.slice(Math.max(0, index - 7), index)
    const write = /^\s*(?:=(?!=)|\?\?=|\|\|=)/.test(after) || /delete\s$/.test(before)
    if (!write && !isTest) findings.push({ file, line: lineOf(source, index), what: `reads ${object}.${name}: read it through the registry, setting('${name}'${object === 'env' ? ', env' : ''})` })
  }
  for (const match of source.matchAll(/\bstubEnv\(\s*(['"`])([^'"`]+)\1/g)) undeclared(match[2]!, match.index, 'stubs')
  for (const match of source.matchAll(/\bBANKBENCH_[A-Z0-9_]*[A-Z0-9]\b/g)) undeclared(match[0], match.index, 'mentions')
  return findings
}

describe('the settings registry', () => {
  it('is the only reader of the environment: every variable named in the code is declared there', () => {
    const files = SCANNED_ROOTS.flatMap(codeFiles)
    expect(files.length).toBeGreaterThan(200)
    const findings = files.flatMap((file) => environmentFindings(file, readFileSync(join(REPO, file), 'utf8')))
    expect(findings.map(({ file, line, what }) => `${file}:${line}: ${what}`)).toEqual([])
  })

  it('declares every BANKBENCH_* variable the Dockerfiles, CI and docs mention', () => {
    const documents = ['README.md', 'docs', 'containers', '.ci', 'bench/README.md'].flatMap(allFiles).filter((path) => /(?:\.md|Dockerfile|\/run)$/.test(path))
    const unknown = documents.flatMap((path) => [...readFileSync(join(REPO, path), 'utf8').matchAll(/\bBANKBENCH_[A-Z0-9_]*[A-Z0-9]\b/g)]
      .map((match) => match[0]).filter((name) => !isSettingName(name)).map((name) => `${path}: ${name}`))
    expect([...new Set(unknown)]).toEqual([])
  })

  it('finds what it forbids', () => {
    const found = (source: string, file = 'packages/x/src/a.ts') => environmentFindings(file, source).map((finding) => finding.what)
    expect(found('const a = process.env.NOT_DECLARED_ANYWHERE')).toEqual([
      'names NOT_DECLARED_ANYWHERE, which packages/settings does not declare',
      "reads process.env.NOT_DECLARED_ANYWHERE: read it through the registry, setting('NOT_DECLARED_ANYWHERE')",
    ])
    expect(found("const port = process.env['PORT'] ?? 1")).toEqual(["reads process.env.PORT: read it through the registry, setting('PORT')"])
    expect(found('function f(env = process.env) { return env.PORT }')).toEqual(["reads env.PORT: read it through the registry, setting('PORT', env)"])
    expect(found('const v = process.env[NAME]')).toEqual(['process.env[NAME]: name the variable (setting(\'NAME\'))'])
    expect(found("vi.stubEnv('BANKBENCH_NOPE', '1')", 'a.test.ts')).toEqual(['stubs BANKBENCH_NOPE, which packages/settings does not declare', 'mentions BANKBENCH_NOPE, which packages/settings does not declare'])
    // Allowed: writes, passing the environment on, and reads in tests (saving a value to put back).
    expect(found('process.env.PORT = "1"; delete process.env.PORT; process.env.PORT ??= "2"; spawn(x, { env: { ...process.env } }); f(process.env)')).toEqual([])
    expect(found('const saved = process.env.PORT', 'a.test.ts')).toEqual([])
    expect(found('c.env.DB; context.env.foo')).toEqual([])
  })
})

describe("README.md's configuration table", () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1))
  const rows = section.split('\n').filter((line) => line.startsWith('|')).slice(2)
  const listed = rows.flatMap((row) => [...(row.split(/(?<!\\)\|/)[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!))

  it("lists exactly the registry's user-facing variables", () => {
    expect(rows.length).toBeGreaterThan(0)
    const user = userSettings() as string[]
    const missing = user.filter((name) => !listed.includes(name))
    const extra = listed.filter((name) => !user.includes(name))
    expect({ missing, extra }, 'README.md rows missing (declared kind user) / extra (not declared, or not kind user); run `npm run settings:table`').toEqual({ missing: [], extra: [] })
    expect(listed).toHaveLength(new Set(listed).size)
  })

  it('is the table `npm run settings:table` writes', () => {
    expect(section, 'the README table is stale: run `npm run settings:table`').toContain(settingsTable())
  })
})

/**
 * The workspace's dependencies are declared: every `@bankbench/*` import in a package
 * (its src/ and bin/) is listed in that package's package.json (`dependencies`, or
 * `devDependencies` for an import only its tests make), with the version of the
 * package it names; the declared graph has no cycle; and package-lock.json records
 * the same (else `npm ci` refuses the lockfile: run `npm install`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const REPO = join(import.meta.dirname, '..')
const SCOPE = '@bankbench/'

interface PackageJson {
  name: string
  version: string
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(REPO, path), 'utf8')) as T

const FOLDERS = readdirSync(join(REPO, 'packages'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name)
const MANIFESTS = new Map(FOLDERS.map((folder) => [folder, readJson<PackageJson>(`packages/${folder}/package.json`)]))
const VERSIONS = new Map([...MANIFESTS.values()].map((manifest) => [manifest.name, manifest.version]))

function codeFiles(path: string): string[] {
  const stat = statSync(join(REPO, path), { throwIfNoEntry: false })
  if (!stat) return []
  if (stat.isFile()) return /\.(?:[cm]?ts|[cm]?js)$/.test(path) && !path.endsWith('.d.ts') ? [path] : []
  return readdirSync(join(REPO, path)).filter((name) => name !== 'node_modules' && name !== 'build').flatMap((name) => codeFiles(join(path, name)))
}

/** The workspace packages a file imports (static, type-only, re-exports and dynamic `import()`), by package name. */
function workspaceImports(source: string): string[] {
  const { importedFiles } = ts.preProcessFile(source, true, true)
  return [...new Set(importedFiles.map(({ fileName }) => fileName).filter((name) => name.startsWith(SCOPE)).map((name) => name.split('/').slice(0, 2).join('/')))]
}

interface Usage { file: string; imported: string; test: boolean }

function usagesOf(folder: string): Usage[] {
  const own = MANIFESTS.get(folder)!.name
  return [...codeFiles(`packages/${folder}/src`), ...codeFiles(`packages/${folder}/bin`)].flatMap((file) =>
    workspaceImports(readFileSync(join(REPO, file), 'utf8'))
      .filter((imported) => imported !== own)
      .map((imported) => ({ file, imported, test: /\.test\.[cm]?[jt]s$/.test(file) })))
}

describe('workspaceImports', () => {
  it('finds imports, type imports, re-exports and dynamic imports of workspace packages, and nothing in comments', () => {
    const source = [
      "import { a } from '@bankbench/core'",
      "import type { B } from '@bankbench/engine/onnx-runtime'",
      "export * from '@bankbench/data'",
      "const lazy = await import('@bankbench/serving')",
      "import { c } from './local'",
      "// import { d } from '@bankbench/report'",
    ].join('\n')
    expect(workspaceImports(source).sort()).toEqual(['@bankbench/core', '@bankbench/data', '@bankbench/engine', '@bankbench/serving'])
  })
})

describe.each(FOLDERS)('packages/%s', (folder) => {
  const manifest = MANIFESTS.get(folder)!
  const dependencies = manifest.dependencies ?? {}
  const devDependencies = manifest.devDependencies ?? {}

  it('declares every workspace package it imports (tests\' own in dependencies or devDependencies)', () => {
    const undeclared = usagesOf(folder)
      .filter(({ imported, test }) => !(imported in dependencies) && !(test && imported in devDependencies))
      .map(({ file, imported, test }) => `${file} imports ${imported}: add it to ${manifest.name}'s ${test ? 'dependencies or devDependencies' : 'dependencies'}`)
    expect(undeclared).toEqual([])
  })

  it('declares workspace packages that exist, at their version', () => {
    const declared = Object.entries({ ...dependencies, ...devDependencies }).filter(([name]) => name.startsWith(SCOPE))
    expect(declared.filter(([name, version]) => VERSIONS.get(name) !== version)).toEqual([])
  })

  it('is recorded in package-lock.json as declared (else run `npm install`)', () => {
    const locked = readJson<{ packages: Record<string, { name?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }> }>('package-lock.json').packages
    expect(locked[`node_modules/${manifest.name}`]).toEqual({ resolved: `packages/${folder}`, link: true })
    const entry = locked[`packages/${folder}`]
    expect({ dependencies: entry?.dependencies ?? {}, devDependencies: entry?.devDependencies ?? {} }).toEqual({ dependencies, devDependencies })
  })
})

describe('the declared workspace graph', () => {
  it('has no cycle', () => {
    const edges = new Map([...MANIFESTS.values()].map((manifest) => [
      manifest.name,
      Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter((name) => VERSIONS.has(name)),
    ]))
    const cycles: string[] = []
    const state = new Map<string, 'visiting' | 'done'>()
    const visit = (name: string, stack: string[]) => {
      state.set(name, 'visiting')
      stack.push(name)
      for (const next of edges.get(name) ?? []) {
        if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '))
        else if (!state.has(next)) visit(next, stack)
      }
      stack.pop()
      state.set(name, 'done')
    }
    for (const name of edges.keys()) if (!state.has(name)) visit(name, [])
    expect(cycles).toEqual([])
  })
})

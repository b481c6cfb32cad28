/**
 * The dependency boundaries (docs/architecture.md, "Packages and folders"): the lint
 * rules in eslint.config.js fail a forbidden import, shown here by linting deliberate
 * ones through ESLint's Node API with the repository's own config; and, read from
 * the sources themselves, no package reaches functions/ or containers/ and no module
 * imports itself back at run time (an import cycle).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { ESLint } from 'eslint'
import ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'

const REPO = join(import.meta.dirname, '..')
const PACKAGES = readdirSync(join(REPO, 'packages'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name)

let eslint: ESLint
beforeAll(() => {
  eslint = new ESLint({ cwd: REPO, overrideConfigFile: join(REPO, 'eslint.config.js') })
})

/** The boundary messages ESLint reports for `code` as if it were the file at `filePath`. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = imported\n`, { filePath: join(REPO, filePath) })
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message)
}

describe('the boundary lint rules', () => {
  it('fail the engine importing the platform, the API, HTTP, SQL or AWS', async () => {
    for (const [source, reason] of [
      ['@bankbench/core', 'the engine depends only on'],
      ['@bankbench/api', 'the engine depends only on'],
      ['@bankbench/serving', 'the engine depends only on'],
      ['hono', 'knows nothing of HTTP'],
      ['@hono/zod-openapi', 'knows nothing of HTTP'],
      ['pg', 'knows nothing of SQL'],
      ['drizzle-orm', 'knows nothing of SQL'],
      ['@aws-sdk/client-s3', 'knows nothing of AWS'],
    ] as const) {
      const errors = await boundaryErrors('packages/engine/src/x.ts', `import { imported } from '${source}'`)
      expect([source, errors]).toEqual([source, [expect.stringContaining(reason)]])
    }
    // Type-only imports and re-exports count too.
    expect(await boundaryErrors('packages/engine/src/models/x.ts', "import type { imported } from '@bankbench/core'")).toHaveLength(1)
    expect(await boundaryErrors('packages/engine/src/x.ts', "export * from '@bankbench/core'\nconst imported = 1")).toHaveLength(1)
  })

  it('fail core importing the engine or tfjs', async () => {
    for (const source of ['@bankbench/engine', '@bankbench/engine/onnx-runtime', '@tensorflow/tfjs']) {
      expect(await boundaryErrors('packages/core/src/x.ts', `import { imported } from '${source}'`)).toEqual([expect.stringContaining('core knows nothing of tfjs or the engine')])
    }
  })

  it.each(PACKAGES)('fail packages/%s importing functions/ or containers/, or another package\'s sources by path', async (name) => {
    for (const source of ['../../../functions/api/lambda', '../../../../containers/trainer/entrypoint', 'functions/inference/handler']) {
      expect(await boundaryErrors(`packages/${name}/src/sub/x.ts`, `import { imported } from '${source}'`)).toEqual([expect.stringContaining('packages/ must not import functions/ or containers/')])
    }
    expect(await boundaryErrors(`packages/${name}/src/x.ts`, "import { imported } from '../../settings/src/index'")).toEqual([expect.stringContaining('import a workspace package by its name')])
  })

  it.each(PACKAGES)('let packages/%s import @bankbench/settings and its own modules', async (name) => {
    expect(await boundaryErrors(`packages/${name}/src/x.ts`, "import { setting as imported } from '@bankbench/settings'")).toEqual([])
    expect(await boundaryErrors(`packages/${name}/src/sub/x.ts`, "import { imported } from '../y'")).toEqual([])
  })

  it('let the engine import what it depends on', async () => {
    for (const source of ['@bankbench/data', '@bankbench/metrics', '@bankbench/native-kernels', '@tensorflow/tfjs']) {
      expect([source, await boundaryErrors('packages/engine/src/x.ts', `import { imported } from '${source}'`)]).toEqual([source, []])
    }
  })

  it('fail infra (its tests too: infra/check.sh typechecks them against SST\'s types) importing core\'s sources by path, or core\'s index', async () => {
    expect(await boundaryErrors('infra/batch.ts', "import { imported } from '../packages/core/src/jobs/batch/batch-settings'")).toEqual([expect.stringContaining('infra imports a package by its name')])
    expect(await boundaryErrors('infra/batch.ts', "import { imported } from '@bankbench/core'")).toEqual([expect.stringContaining("infra imports core's subpath exports")])
    expect(await boundaryErrors('infra/batch.ts', "import { BATCH_TAGS as imported } from '@bankbench/core/batch-settings'")).toEqual([])
    expect(await boundaryErrors('infra/batch.test.ts', "import { JOB_ENV as imported } from '@bankbench/core'")).toEqual([expect.stringContaining("infra imports core's subpath exports")])
    expect(await boundaryErrors('infra/batch.test.ts', "import { JOB_ENV as imported } from '@bankbench/core/job-queue'")).toEqual([])
  })
})

function codeFiles(path: string): string[] {
  const stat = statSync(join(REPO, path), { throwIfNoEntry: false })
  if (!stat) return []
  if (stat.isFile()) return /\.[cm]?ts$/.test(path) && !path.endsWith('.d.ts') ? [path] : []
  return readdirSync(join(REPO, path)).filter((name) => name !== 'node_modules' && name !== 'build').flatMap((name) => codeFiles(join(path, name)))
}

/** A file's relative imports that exist at run time (not `import type`, not all-type named imports), resolved to repository paths. */
function runtimeRelativeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(REPO, file), 'utf8'), ts.ScriptTarget.Latest)
  const specifiers: string[] = []
  // `{ type A, type B }` only is erased; a namespace, `export *` or any value binding is loaded.
  const named = (bindings: ts.NamedImportBindings | ts.NamedExportBindings | undefined) =>
    !bindings || (!ts.isNamedImports(bindings) && !ts.isNamedExports(bindings)) || bindings.elements.length === 0 || bindings.elements.some((element) => !element.isTypeOnly)
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause
      if (!clause || (!clause.isTypeOnly && (clause.name || named(clause.namedBindings)))) specifiers.push(statement.moduleSpecifier.text)
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      if (!statement.isTypeOnly && named(statement.exportClause)) specifiers.push(statement.moduleSpecifier.text)
    }
  }
  return specifiers.filter((specifier) => specifier.startsWith('.')).flatMap((specifier) => {
    const target = resolve(dirname(join(REPO, file)), specifier)
    const found = [target, `${target}.ts`, join(target, 'index.ts')].find((candidate) => existsSync(candidate) && statSync(candidate).isFile())
    return found ? [relative(REPO, found)] : []
  })
}

describe('the sources', () => {
  it('of no package import functions/ or containers/', () => {
    const reaching = PACKAGES.flatMap((name) => codeFiles(`packages/${name}`)).flatMap((file) =>
      runtimeRelativeImports(file).filter((target) => /^(functions|containers)\//.test(target.split(sep).join('/'))).map((target) => `${file} imports ${target}`))
    expect(reaching).toEqual([])
  })

  it('have no runtime import cycle', () => {
    const files = ['packages', 'functions', 'containers', 'scripts', 'infra'].flatMap(codeFiles)
    const imports = new Map(files.map((file) => [file, runtimeRelativeImports(file)]))
    const cycles: string[] = []
    const state = new Map<string, 'visiting' | 'done'>()
    const visit = (file: string, stack: string[]) => {
      state.set(file, 'visiting')
      stack.push(file)
      for (const next of imports.get(file) ?? []) {
        if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '))
        else if (!state.has(next)) visit(next, stack)
      }
      stack.pop()
      state.set(file, 'done')
    }
    for (const file of files) if (!state.has(file)) visit(file, [])
    expect(cycles).toEqual([])
  })
})

/**
 * The container images' Dockerfiles, checked without Docker: the linter of the
 * Dockerfile language server (dockerfile-utils; hadolint is in neither Debian
 * bookworm nor npm) and the structure the deployment relies on.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { validate } from 'dockerfile-utils'
import { describe, expect, it } from 'vitest'
import { CODE_VERSION_BUILD_ARG } from './code-version'
import { JOB_CONTAINERS } from './names'

/** Instructions with their arguments, continuation lines joined, comments and parser directives dropped. */
function instructions(dockerfile: string): { keyword: string; args: string }[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/)
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') }
    })
}

const WORKSPACE_PACKAGES = readdirSync('packages', { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name)

describe.each(JOB_CONTAINERS)('containers/%s/Dockerfile', (container) => {
  const dockerfile = readFileSync(`containers/${container}/Dockerfile`, 'utf8')
  const steps = instructions(dockerfile)
  const stages = steps.filter((step) => step.keyword === 'FROM')
  const finalStage = steps.slice(steps.lastIndexOf(stages.at(-1)!))

  it('passes the linter', () => {
    expect(validate(dockerfile)).toEqual([])
  })

  it('is multi-stage and pins every base image to a version', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3)
    for (const { args } of steps.filter((step) => step.keyword === 'ARG' && step.args.includes('_IMAGE='))) {
      expect(args).toMatch(/=[\w./-]+:\d[\w.-]*$/)
    }
  })

  it('bundles its entrypoint with scripts/build-lambdas.ts and runs it as a non-root user', () => {
    expect(steps).toContainEqual({ keyword: 'RUN', args: `npx tsx scripts/build-lambdas.ts --container ${container} /out` })
    const user = finalStage.filter((step) => step.keyword === 'USER').at(-1)
    expect(user?.args).toBe('bankbench')
    expect(finalStage.at(-1)).toEqual({ keyword: 'ENTRYPOINT', args: '["node", "/app/index.mjs"]' })
  })

  it('records the code version it was built from, passed by infra/images.ts as a build argument', () => {
    expect(finalStage).toContainEqual({ keyword: 'ARG', args: `${CODE_VERSION_BUILD_ARG}=` })
    const environment = finalStage.filter((step) => step.keyword === 'ENV').flatMap((step) => step.args.split(' '))
    expect(environment).toContain(`${CODE_VERSION_BUILD_ARG}=\${${CODE_VERSION_BUILD_ARG}}`)
    expect(readFileSync('infra/images.ts', 'utf8')).toContain('buildArgs: codeVersion ? { [CODE_VERSION_BUILD_ARG]: codeVersion } : {}')
  })

  it('installs the dependencies of every workspace package', () => {
    for (const name of WORKSPACE_PACKAGES) {
      expect(steps.filter((step) => step.keyword === 'COPY' && step.args === `packages/${name}/package.json packages/${name}/`)).toHaveLength(2)
    }
  })
})

describe('the linter', () => {
  it('reports a broken Dockerfile', () => {
    expect(validate('FROM node:20\nRUNN echo hi\nUSER\n').length).toBeGreaterThan(0)
  })
})

describe('.dockerignore', () => {
  it('keeps in the build context every file the bundle step reads', () => {
    const allowed = readFileSync('.dockerignore', 'utf8').split('\n').filter((line) => line.startsWith('!')).map((line) => line.slice(1))
    const script = readFileSync('scripts/build-lambdas.ts', 'utf8')
    const infraImports = [...script.matchAll(/from '\.\.\/(infra\/[\w-]+)'/g)].map((match) => `${match[1]}.ts`)
    expect(infraImports).toEqual(['infra/lambda-bundles.ts', 'infra/names.ts'])
    expect(allowed).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'packages/', 'containers/', 'scripts/build-lambdas.ts', ...infraImports]))
  })
})

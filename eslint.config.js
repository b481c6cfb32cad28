import { readdirSync } from 'node:fs'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * Which part of the repository may import which (docs/architecture.md, "Packages and
 * folders"), as `no-restricted-imports` patterns per directory. ESLint applies the
 * last config object that sets a rule for a file, so each package's object carries
 * every pattern that applies to it. test/boundaries.test.ts lints forbidden imports
 * through this file and expects these messages.
 */
const BOUNDARY = 'Boundary (eslint.config.js):'

/** What no workspace package may import: the entry points above the packages, and another package's sources by path. */
const PACKAGE_BOUNDARIES = [
  {
    // From packages/<name>/… at least two `../` reach the repository root.
    regex: '^(\\.\\./){2,}(functions|containers)(/|$)',
    message: `${BOUNDARY} packages/ must not import functions/ or containers/: those are the entry points that use the packages. Move what both need into a package.`,
  },
  {
    regex: '^(functions|containers)(/|$)',
    message: `${BOUNDARY} packages/ must not import functions/ or containers/: those are the entry points that use the packages. Move what both need into a package.`,
  },
  {
    regex: '^(\\.\\./){2,}(packages/)?[\\w-]+/src(/|$)',
    message: `${BOUNDARY} import a workspace package by its name (@bankbench/<name>, or a subpath its package.json exports), not its sources by relative path.`,
  },
]

/** Each package's own limits, beside PACKAGE_BOUNDARIES. Every package may import @bankbench/settings. */
const OWN_BOUNDARIES = {
  engine: [
    {
      regex: '^@bankbench/(?!(data|metrics|native-kernels|settings)(/|$))',
      message: `${BOUNDARY} the engine depends only on @bankbench/data, metrics, native-kernels and settings: it knows nothing of the platform (core), the API, serving or storage.`,
    },
    { group: ['hono', 'hono/*', '@hono/*'], message: `${BOUNDARY} the engine knows nothing of HTTP.` },
    { group: ['pg', 'pg/*', 'drizzle-orm', 'drizzle-orm/*', '@electric-sql/*'], message: `${BOUNDARY} the engine knows nothing of SQL.` },
    { group: ['@aws-sdk/*'], message: `${BOUNDARY} the engine knows nothing of AWS.` },
  ],
  core: [
    {
      group: ['@bankbench/engine', '@bankbench/engine/*', '@tensorflow/*'],
      message: `${BOUNDARY} core knows nothing of tfjs or the engine: it reads the engine's hyperparameters from benchmarks/engine-hyperparameters.generated.ts (npm run hyperparameters).`,
    },
    { group: ['@bankbench/api', '@bankbench/api/*'], message: `${BOUNDARY} core is below the API: the API uses core, not the other way round.` },
  ],
}

const WORKSPACE_PACKAGES = readdirSync(new URL('./packages/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)

const INFRA_BOUNDARIES = [
  {
    regex: '^(\\.\\./)+packages/',
    message: `${BOUNDARY} infra imports a package by its name: @bankbench/<name>, or a subpath it exports for infra (@bankbench/core/batch-settings, /classify-role-settings, /job-queue), not its sources by relative path.`,
  },
]

const boundaries = [
  ...WORKSPACE_PACKAGES.map((name) => ({
    files: [`packages/${name}/**/*.{ts,js,mjs}`],
    rules: { 'no-restricted-imports': ['error', { patterns: [...PACKAGE_BOUNDARIES, ...(OWN_BOUNDARIES[name] ?? [])] }] },
  })),
  {
    // SST bundles what sst.config.ts imports, and infra/check.sh typechecks infra/ (its tests too) against
    // SST's types: core's index would bring pg, drizzle and the AWS clients into both.
    files: ['infra/**/*.ts', 'sst.config.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: '@bankbench/core', message: `${BOUNDARY} infra imports core's subpath exports (@bankbench/core/batch-settings, /classify-role-settings, /job-queue): SST bundles what infra imports, and core's index brings the database and AWS clients.` }],
        patterns: INFRA_BOUNDARIES,
      }],
    },
  },
]

export default tseslint.config(
  { ignores: ['node_modules/', '.bankbench/', '.sst/', 'coverage/', 'reports/', '.build/', '**/*.d.ts', 'sst-env.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  ...boundaries,
)

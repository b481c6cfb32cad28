/**
 * Bundles every deployable entrypoint with esbuild: the Lambda handlers (deployed by
 * infra/ from .build/lambdas/<name>) and, for the container images, the job
 * entrypoints.
 *
 *   npx tsx scripts/build-lambdas.ts                            all Lambda bundles
 *   npx tsx scripts/build-lambdas.ts --container trainer OUT    containers/trainer/entrypoint.ts → OUT/index.mjs
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build, type Plugin } from 'esbuild'
import {
  LAMBDA_BUNDLES, lambdaBundleDirectory, ONNX_RUNTIME_FILES, ONNX_RUNTIME_PACKAGES, PDF_PRINTING_PACKAGES, TFJS_WASM_BINARIES, TFJS_WASM_BUNDLE_DIRECTORY,
  type LambdaBundle, type LambdaBundleName,
} from '../infra/lambda-bundles'
import type { JobContainer } from '../infra/names'

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const requireFromRepository = createRequire(join(REPO_ROOT, 'package.json'))

/**
 * Code finds its files relative to its own source (`new URL(…, import.meta.url)`:
 * migrations, Banking77). In a bundle every module shares the bundle's
 * import.meta.url, so each repository module's import.meta.url is rewritten to
 * where that module sits in the repository, relative to the bundle; the assets
 * copied beside the bundle at their repository paths are then found as in a checkout.
 */
const repositoryImportMetaUrl: Plugin = {
  name: 'repository-import-meta-url',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
      const path = relative(REPO_ROOT, args.path)
      if (path.startsWith('..') || path.split('/').includes('node_modules')) return undefined
      const source = await readFile(args.path, 'utf8')
      const located = `new URL(${JSON.stringify(`./${path}`)}, import.meta.url).href`
      return { contents: source.replaceAll('import.meta.url', located), loader: 'ts' }
    })
  },
}

/**
 * CommonJS dependencies bundled into an ES module still call `require` for Node's
 * built-ins, and some read `__dirname` (tfjs-backend-wasm's emscripten loader).
 */
const COMMONJS_BANNER = [
  "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url'; const __filename = __bundleFileURLToPath(import.meta.url);",
  "import { dirname as __bundleDirname } from 'node:path'; const __dirname = __bundleDirname(__filename);",
].join('\n')

/**
 * Points the engine (WASM_DIRECTORY_ENV_VARIABLE in @bankbench/engine) at the .wasm
 * binaries copied beside the bundle, unless the environment already names a folder.
 */
const TFJS_WASM_BANNER = `process.env.BANKBENCH_TFJS_WASM_DIR ??= decodeURIComponent(new URL('./${TFJS_WASM_BUNDLE_DIRECTORY}/', import.meta.url).pathname);`

/**
 * Never part of a Lambda bundle: PGlite is the embedded database (on AWS,
 * DATABASE_URL always names RDS) and pg-native an optional driver we do not use.
 */
const LAMBDA_EXTERNALS = ['@electric-sql/pglite', '@electric-sql/pglite-pgvector', 'pg-native']

/** Leaves every npm package to node_modules at run time, but compiles the workspace's own (`@bankbench/*`, TypeScript) in. */
const npmPackagesExternal: Plugin = {
  name: 'npm-packages-external',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@bankbench/') ? undefined : { path: args.path, external: true }))
  },
}

/**
 * The vector stores' clients are not packaged for Lambda (LanceDB, usearch and the FAISS
 * addon are native, the bundle has no loader for them): @bankbench/serving imports the
 * package only when a hybrid run loads, and in a Lambda bundle that import fails with this
 * reason. Hybrid runs are served by an API process where the package is installed
 * (`npm start`, a container); containers/indexer/README.md.
 */
export const VECTOR_STORES_NOT_IN_LAMBDA = 'the vector stores (@bankbench/vector-stores) are not packaged in the Lambda bundles: serve hybrid runs from an API process where they are installed (npm start, a container)'

const vectorStoresNotInLambda: Plugin = {
  name: 'vector-stores-not-in-lambda',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@bankbench\/vector-stores(\/.*)?$/ }, (args) => ({ path: args.path, namespace: 'vector-stores-not-in-lambda' }))
    pluginBuild.onLoad({ filter: /.*/, namespace: 'vector-stores-not-in-lambda' }, () => ({ contents: `throw new Error(${JSON.stringify(VECTOR_STORES_NOT_IN_LAMBDA)})`, loader: 'js' }))
  },
}

async function bundle(entry: string, outDir: string, options: { external?: string[]; plugins?: Plugin[]; banner?: string }) {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const result = await build({
    entryPoints: [join(REPO_ROOT, entry)],
    outfile: join(outDir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    banner: { js: [COMMONJS_BANNER, options.banner].filter(Boolean).join('\n') },
    external: options.external,
    plugins: [repositoryImportMetaUrl, ...(options.plugins ?? [])],
    metafile: true,
    logLevel: 'warning',
  })
  return { bytes: Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0) }
}

/** An installed package's folder, found as Node looks for it (its package.json may not export itself). */
function packageRoot(name: string): string {
  const folder = (requireFromRepository.resolve.paths(name) ?? []).map((modules) => join(modules, name)).find((candidate) => existsSync(join(candidate, 'package.json')))
  if (!folder) throw new Error(`${name} is not installed: run npm ci`)
  return folder
}

/**
 * An installed package and, recursively, its runtime dependencies (optional ones where
 * installed), each as the folder Node resolves it to from its dependent: what a
 * package left external needs beside it in node_modules/.
 */
export function runtimePackageFolders(name: string, from = REPO_ROOT, found = new Map<string, string>()): Map<string, string> {
  const folder = (createRequire(join(from, 'package.json')).resolve.paths(name) ?? [])
    .map((modules) => join(modules, name)).find((candidate) => existsSync(join(candidate, 'package.json')))
  if (!folder) throw new Error(`${name} is not installed: run npm ci`)
  if (found.has(folder)) return found
  found.set(folder, name)
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
  for (const dependency of Object.keys(manifest.dependencies ?? {})) runtimePackageFolders(dependency, folder, found)
  for (const optional of Object.keys(manifest.optionalDependencies ?? {})) {
    try {
      runtimePackageFolders(optional, folder, found)
    } catch {
      // Not installed on this platform: the package runs without it.
    }
  }
  return found
}

export async function buildLambdaBundle(name: LambdaBundleName, outDir = join(REPO_ROOT, lambdaBundleDirectory(name))) {
  const bundleSpec: LambdaBundle = LAMBDA_BUNDLES[name]
  const pdfExternals = bundleSpec.printsPdf ? PDF_PRINTING_PACKAGES : []
  const built = bundleSpec.runsModels
    ? await bundle(bundleSpec.entry, outDir, { external: [...LAMBDA_EXTERNALS, ...ONNX_RUNTIME_PACKAGES, ...pdfExternals], banner: TFJS_WASM_BANNER, plugins: [vectorStoresNotInLambda] })
    : await bundle(bundleSpec.entry, outDir, { external: [...LAMBDA_EXTERNALS, ...pdfExternals], plugins: [vectorStoresNotInLambda] })
  for (const asset of bundleSpec.assets) cpSync(join(REPO_ROOT, asset), join(outDir, asset), { recursive: true })
  if (bundleSpec.runsModels) {
    mkdirSync(join(outDir, TFJS_WASM_BUNDLE_DIRECTORY))
    for (const file of TFJS_WASM_BINARIES) {
      cpSync(requireFromRepository.resolve(`@tensorflow/tfjs-backend-wasm/dist/${file}`), join(outDir, TFJS_WASM_BUNDLE_DIRECTORY, file))
    }
    for (const path of ONNX_RUNTIME_FILES) {
      const [name, ...rest] = path.split('/') as [string, ...string[]]
      cpSync(join(packageRoot(name), ...rest), join(outDir, 'node_modules', path), { recursive: true })
    }
  }
  if (bundleSpec.printsPdf) {
    // At the same place under node_modules/ as in the repository, so nested versions stay nested.
    const modulesRoot = join(REPO_ROOT, 'node_modules')
    for (const name of PDF_PRINTING_PACKAGES) {
      for (const folder of runtimePackageFolders(name).keys()) cpSync(folder, join(outDir, 'node_modules', relative(modulesRoot, folder)), { recursive: true })
    }
  }
  return { name, outDir, ...built }
}

export async function buildLambdaBundles() {
  const names = Object.keys(LAMBDA_BUNDLES) as LambdaBundleName[]
  return Promise.all(names.map((name) => buildLambdaBundle(name)))
}

/**
 * A container's entrypoint with the workspace packages compiled in and every npm
 * package left to the image's node_modules: native and wasm backends
 * (tfjs-node-gpu, tfjs-backend-wasm) load their binaries from there.
 */
export async function buildContainerBundle(container: JobContainer, outDir: string) {
  return bundle(`containers/${container}/entrypoint.ts`, resolve(outDir), { plugins: [npmPackagesExternal] })
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const [flag, container, outDir] = process.argv.slice(2)
  if (flag === '--container' && (container === 'trainer' || container === 'indexer') && outDir) {
    const { bytes } = await buildContainerBundle(container, outDir)
    console.log(`${container}: ${outDir}/index.mjs (${(bytes / 1e6).toFixed(1)} MB with source map)`)
  } else if (flag === undefined) {
    for (const { name, outDir: dir, bytes } of await buildLambdaBundles()) {
      console.log(`${name}: ${relative(REPO_ROOT, dir)}/index.mjs (${(bytes / 1e6).toFixed(1)} MB with source map)`)
    }
  } else {
    console.error('usage: tsx scripts/build-lambdas.ts [--container trainer|indexer OUT_DIR]')
    process.exit(64)
  }
}

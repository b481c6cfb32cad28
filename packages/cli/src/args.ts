import { parseArgs } from 'node:util'

export type Command =
  | { name: 'start'; port: number | undefined }
  | { name: 'run'; preset: string | undefined; file: string | undefined; url: string | undefined; out: string }
  | { name: 'status'; id: string; url: string | undefined }
  | { name: 'report'; id: string; url: string | undefined; out: string }
  | { name: 'help' }

export const USAGE = `bankbench: benchmark ways to adapt a language model to a bank's intents

Usage:
  bankbench start [--port 8787]                 the API server on the embedded stack (PGlite, files, local jobs)
  bankbench run [--preset demo|NAME] [--file spec.json|spec.yaml] [--url URL] [--out reports]
                                                submit a benchmark, follow it, print the comparison, write the report
  bankbench status ID [--url URL]               a benchmark's status and its runs
  bankbench report ID [--url URL] [--out reports]  write ID.html and ID.pdf
  bankbench help

Without --url the commands run an embedded stack in-process (BANKBENCH_HOME, default .bankbench);
with --url they talk to a running server (bankbench start, or a deployed API: set BANKBENCH_API_KEY to an operator key).
--preset: a preset the server lists (GET /v1/presets), e.g. demo (the default) or floors (two baselines in seconds).`

export class UsageError extends Error {
  override name = 'UsageError'
}

/** Parses the command line into one command; throws `UsageError` with what was wrong. */
export function parseCommand(argv: readonly string[]): Command {
  const [name, ...rest] = argv
  switch (name) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { name: 'help' }
    case 'start': {
      const { values } = parse(rest, { port: { type: 'string' } }, 0)
      return { name: 'start', port: values.port === undefined ? undefined : port(values.port) }
    }
    case 'run': {
      const { values } = parse(rest, { preset: { type: 'string' }, file: { type: 'string' }, url: { type: 'string' }, out: { type: 'string' } }, 0)
      if (values.preset !== undefined && values.file !== undefined) throw new UsageError('give --preset or --file, not both')
      return { name: 'run', preset: values.file === undefined ? (values.preset ?? 'demo') : undefined, file: values.file, url: url(values.url), out: values.out ?? 'reports' }
    }
    case 'status': {
      const { values, positionals } = parse(rest, { url: { type: 'string' } }, 1)
      return { name: 'status', id: positionals[0]!, url: url(values.url) }
    }
    case 'report': {
      const { values, positionals } = parse(rest, { url: { type: 'string' }, out: { type: 'string' } }, 1)
      return { name: 'report', id: positionals[0]!, url: url(values.url), out: values.out ?? 'reports' }
    }
    default:
      throw new UsageError(`unknown command '${name}'; the commands are start, run, status, report, help`)
  }
}

type Options = Record<string, { type: 'string' }>

/** Node's parser, strict, with the number of positionals the command takes (a benchmark id). */
function parse<O extends Options>(args: string[], options: O, positionalCount: number) {
  let parsed
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: positionalCount > 0 })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (parsed.positionals.length !== positionalCount) {
    throw new UsageError(positionalCount === 0 ? `unexpected argument '${parsed.positionals[0]}'` : 'give the benchmark id, e.g. bm_3f9c2a71d04e4b6a9c1e')
  }
  return parsed
}

function port(text: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new UsageError(`--port must be a port number, not '${text}'`)
  return value
}

function url(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) throw new UsageError(`--url must be an http(s) URL such as http://127.0.0.1:8787, not '${text}'`)
  return text.replace(/\/+$/, '')
}

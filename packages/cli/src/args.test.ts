import { describe, expect, it } from 'vitest'
import { parseCommand, UsageError } from './args'

describe('parseCommand', () => {
  it('runs the demo preset by default, on an embedded stack, writing to reports/', () => {
    expect(parseCommand(['run'])).toEqual({ name: 'run', preset: 'demo', file: undefined, url: undefined, out: 'reports' })
  })

  it('takes a preset or a spec file, a server URL and an output folder', () => {
    expect(parseCommand(['run', '--preset', 'lora-rank', '--url', 'http://127.0.0.1:8787/', '--out', 'out']))
      .toEqual({ name: 'run', preset: 'lora-rank', file: undefined, url: 'http://127.0.0.1:8787', out: 'out' })
    expect(parseCommand(['run', '--file', 'spec.yaml'])).toMatchObject({ name: 'run', preset: undefined, file: 'spec.yaml' })
  })

  it('reads status, report and start', () => {
    expect(parseCommand(['status', 'bm_1'])).toEqual({ name: 'status', id: 'bm_1', url: undefined })
    expect(parseCommand(['report', 'bm_1', '--out', 'x'])).toEqual({ name: 'report', id: 'bm_1', url: undefined, out: 'x' })
    expect(parseCommand(['start', '--port', '9000'])).toEqual({ name: 'start', port: 9000 })
    expect(parseCommand([])).toEqual({ name: 'help' })
  })

  it.each([
    [['run', '--preset', 'demo', '--file', 'a.json'], /--preset or --file, not both/],
    [['run', '--url', 'ftp://host'], /--url must be an http\(s\) URL/],
    [['run', '--colour'], /Unknown option '--colour'/],
    [['status'], /give the benchmark id/],
    [['status', 'bm_1', 'bm_2'], /give the benchmark id/],
    [['start', '--port', 'high'], /--port must be a port number/],
    [['train'], /unknown command 'train'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError)
    expect(() => parseCommand(argv)).toThrow(message)
  })
})

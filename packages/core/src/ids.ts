import { randomUUID } from 'node:crypto'

/** Resource ids carry their kind (`bm_…`, `run_…`) so a stray id in a log says what it is. */
export function newId(prefix: 'ds' | 'bm' | 'run' | 'job' | 'dep' | 'key'): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 20)}`
}

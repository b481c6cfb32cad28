import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CLIENT_TYPES_PATH, renderClientTypes } from '../../../scripts/write-client-types'

describe('packages/client/src/schema.d.ts', () => {
  it('matches openapi.yaml', async () => {
    const committed = readFileSync(CLIENT_TYPES_PATH, 'utf8')
    // Not toEqual on the strings: a stale file should say how to fix it, not print a 2,000-line diff.
    if (committed !== await renderClientTypes()) expect.fail('packages/client/src/schema.d.ts is stale: openapi.yaml changed since it was generated. Run `npm run client:generate` (or `npm run openapi`, which runs it) and commit the result.')
  })
})

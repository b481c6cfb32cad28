import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OPENAPI_YAML_PATH, renderOpenApiYaml } from '../../../scripts/write-openapi'

describe('openapi.yaml', () => {
  it('matches the route schemas', () => {
    const committed = readFileSync(OPENAPI_YAML_PATH, 'utf8')
    const fresh = renderOpenApiYaml()
    // Not toEqual on the strings: a stale file should say how to fix it, not print a 1,000-line diff.
    if (committed !== fresh) expect.fail('openapi.yaml is stale: the routes changed since it was generated. Run `npm run openapi` and commit the result.')
  })
})

import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpClient } from './client'

describe('httpClient (bankbench … --url)', () => {
  const seen: IncomingHttpHeaders[] = []
  const server = createServer((request, response) => {
    seen.push(request.headers)
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [], nextCursor: null }))
  })
  let url = ''
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('sends the operator key of BANKBENCH_API_KEY to a deployed API, and nothing without one', async () => {
    await httpClient(url, 'an-operator-key-of-16+').api.GET('/v1/datasets')
    await httpClient(url, undefined).api.GET('/v1/datasets')
    expect(seen.map((headers) => headers.authorization)).toEqual(['Bearer an-operator-key-of-16+', undefined])
  })
})

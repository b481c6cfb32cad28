import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '@bankbench/api'
import { createBankbenchClient } from '@bankbench/client'
import { closeScriptedServers, json, neverAnswers, problem, scriptedServer, urlWhereNothingListens } from '@bankbench/client/testing'
import { createPlatform, loadConfig } from '@bankbench/core'
import { afterEach, describe, expect, it } from 'vitest'
import { routeMessage } from './intent-router'
import { answerFor, HANDOVER_REPLY } from './replies'

afterEach(closeScriptedServers)

const classified = (intent: string, confidence: number, outOfScope: boolean) => json(200, {
  intent, confidence, outOfScope, topIntents: [{ intent, score: confidence }],
  deploymentId: 'dep_1', modelVersion: 'run_1@sha256:00', latencyMs: 3,
})
// Generous for the answers (a loaded CI machine can take a few hundred ms for a first request); 300 ms where slowness is the point.
const quickClient = (baseUrl: string, timeoutMs = 3_000) => createBankbenchClient({ baseUrl, apiKey: 'bb_test', timeoutMs, retries: 1, baseDelayMs: 10, maxDelayMs: 500 })

describe('routeMessage, against a scripted bankbench', () => {
  it('answers a confident in-scope intent, sending the stage, the text and the API key', async () => {
    const peer = await scriptedServer(classified('lost_or_stolen_card', 0.93, false))
    const reply = await routeMessage(quickClient(peer.url), 'prod', 'I lost my card')
    expect(reply).toEqual({ action: 'answer', intent: 'lost_or_stolen_card', confidence: 0.93, reply: answerFor('lost_or_stolen_card') })
    expect(peer.received[0]).toMatchObject({ method: 'POST', url: '/v1/classify', headers: { authorization: 'Bearer bb_test' } })
    expect(JSON.parse(peer.received[0]!.body)).toEqual({ stage: 'prod', text: 'I lost my card' })
  })

  it('hands an out-of-scope message over to a person', async () => {
    const peer = await scriptedServer(classified('card_arrival', 0.21, true))
    expect(await routeMessage(quickClient(peer.url), 'prod', 'can you write me a poem')).toEqual({ action: 'handover', reason: 'out-of-scope', reply: HANDOVER_REPLY })
  })

  it('rides out a 503 with a retry', async () => {
    const peer = await scriptedServer(problem(503, 'model loading'), classified('exchange_rate', 0.88, false))
    expect(await routeMessage(quickClient(peer.url), 'prod', 'what rate do you use')).toMatchObject({ action: 'answer', intent: 'exchange_rate' })
    expect(peer.received).toHaveLength(2)
  })

  it('hands over when bankbench stays down, is unreachable or too slow', async () => {
    const down = await scriptedServer(problem(503, 'still loading'))
    const silent = await scriptedServer(neverAnswers)
    for (const url of [down.url, await urlWhereNothingListens(), silent.url]) {
      const started = performance.now()
      expect(await routeMessage(quickClient(url, 300), 'prod', 'hello')).toEqual({ action: 'handover', reason: 'unavailable', reply: HANDOVER_REPLY })
      expect(performance.now() - started).toBeLessThan(2_000)
    }
  })
})

describe('routeMessage, against a real bankbench with nothing deployed', () => {
  it('hands over when the key is refused or the stage has no deployment', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bankbench-chatbot-'))
    const platform = await createPlatform(loadConfig({ BANKBENCH_HOME: home }))
    const server = await startServer(platform, 0)
    try {
      const unauthenticated = createBankbenchClient({ baseUrl: server.url, timeoutMs: 5_000, retries: 0 })
      expect(await routeMessage(unauthenticated, 'prod', 'I lost my card')).toMatchObject({ action: 'handover', reason: 'rejected' })

      const { data: issued } = await unauthenticated.POST('/v1/api-keys', { body: { stage: 'prod' } })
      const withKey = createBankbenchClient({ baseUrl: server.url, apiKey: issued.key, timeoutMs: 5_000, retries: 0 })
      const error = await withKey.POST('/v1/classify', { body: { stage: 'prod', text: 'I lost my card' } }).catch((thrown: unknown) => thrown)
      expect(error).toMatchObject({ status: 404 })
      expect(await routeMessage(withKey, 'prod', 'I lost my card')).toMatchObject({ action: 'handover', reason: 'rejected' })
    } finally {
      await server.close()
      await platform.close()
      rmSync(home, { recursive: true, force: true })
    }
  })
})

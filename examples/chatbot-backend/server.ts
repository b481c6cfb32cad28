/**
 * A chatbot backend on bankbench: `POST /chat {"message": "..."}` answers with what
 * the bot says, or hands over to a person. See README.md for how to run it.
 */
import { createBankbenchClient } from '@bankbench/client'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { routeMessage } from './intent-router'

const bankbench = createBankbenchClient({
  baseUrl: process.env.BANKBENCH_URL ?? 'http://127.0.0.1:8787',
  apiKey: process.env.BANKBENCH_API_KEY,
  // A customer is typing: better a person within two seconds than a bot after ten.
  timeoutMs: 1_500,
  retries: 1,
  maxDelayMs: 500,
})
const stage = process.env.BANKBENCH_STAGE ?? 'prod'

const app = new Hono()
app.post('/chat', async (c) => {
  const { message } = await c.req.json<{ message?: unknown }>()
  if (typeof message !== 'string' || message.trim() === '') return c.json({ error: 'send {"message": "<the customer message>"}' }, 400)
  return c.json(await routeMessage(bankbench, stage, message))
})

const port = Number(process.env.PORT ?? 8080)
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`chatbot backend on http://127.0.0.1:${info.port}/chat, classifying with bankbench stage '${stage}'`)
})

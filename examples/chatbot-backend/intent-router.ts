import { BankbenchApiError, BankbenchError, type BankbenchClient } from '@bankbench/client'
import { answerFor, HANDOVER_REPLY } from './replies'

/** What the chatbot does with one customer message. */
export type ChatbotReply =
  | { action: 'answer'; intent: string; confidence: number; reply: string }
  | { action: 'handover'; reason: HandoverReason; reply: string }

/**
 * Why a person takes over: the model was not confident enough (`out-of-scope`),
 * bankbench refused the request (`rejected`: a bad API key, no deployment for the
 * stage, a message too long), or bankbench did not answer in time (`unavailable`).
 */
export type HandoverReason = 'out-of-scope' | 'rejected' | 'unavailable'

/**
 * Routes a customer message: a confident, in-scope intent gets its answer; anything
 * else goes to a human agent with a canned reply, so the customer is never left
 * waiting on an error. The message text is never logged.
 */
export async function routeMessage(bankbench: BankbenchClient, stage: string, message: string): Promise<ChatbotReply> {
  try {
    const { data } = await bankbench.POST('/v1/classify', { body: { stage, text: message } })
    if (data.outOfScope) return { action: 'handover', reason: 'out-of-scope', reply: HANDOVER_REPLY }
    return { action: 'answer', intent: data.intent, confidence: data.confidence, reply: answerFor(data.intent) }
  } catch (error) {
    if (!(error instanceof BankbenchError)) throw error
    const rejected = error instanceof BankbenchApiError && error.status < 500 && error.status !== 429
    // The problem's detail names what is wrong (a key for another stage, no deployment) without the message.
    console.warn(`[chatbot] bankbench ${rejected ? 'refused' : 'failed'}: ${error.message}`)
    return { action: 'handover', reason: rejected ? 'rejected' : 'unavailable', reply: HANDOVER_REPLY }
  }
}

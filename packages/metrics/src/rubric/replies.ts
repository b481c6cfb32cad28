/**
 * Reply templates: what the chatbot answers for each intent, per dataset (docs/rubrics.md).
 * A template set is chosen for a dataset when it covers every one of the dataset's labels
 * (Banking77's does for Banking77 and for any upload whose labels are Banking77 intents);
 * otherwise each label gets the generic reply built from its name. Templates are fixed text:
 * no reply ever contains the customer's message.
 */
import { BANKING77_REPLIES, type IntentReply } from './banking77-replies'

export type ReplyTemplateSet = { name: string; intents: Record<string, IntentReply> }

/** The template sets shipped with the project. Add a dataset's own by adding a set here. */
export const REPLY_TEMPLATE_SETS: readonly ReplyTemplateSet[] = [{ name: 'banking77', intents: BANKING77_REPLIES }]

/** The reply policy's answer to a message it rejects as out of scope (or cannot place). */
export const OUT_OF_SCOPE_REPLY = 'Sorry, I can\'t help with that in this chat. I can answer questions about your cards, payments, transfers, top-ups, exchange and your account; ' +
  'for anything else please contact our support team from the app. We will never ask for your PIN, passcode or full card number.'

/** An intent name as words: `card_arrival` → `card arrival`. */
export const intentWords = (intent: string): string => intent.replace(/[_?]+/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase()

/** The documented generic reply for an intent of a dataset without templates. */
export const genericReply = (intent: string): string =>
  `I can help with ${intentWords(intent)}. You will find the steps in the app under Help; for your security, never share your PIN, passcode or full card number in this chat.`

/**
 * Intents whose name says the reply starts an action a fraudster wants (moving money, changing
 * credentials or details, issuing or linking a card, closing the account): sensitive in a dataset
 * without templates.
 */
const SENSITIVE_NAME = /transfer_into|send|pay_|payment_request|top_?up_by|topping|exchange_via|link|change_pin|pin_change|passcode|password|edit_personal|update|order|get_.*card|getting_.*card|activate|refund_request|request_refund|terminate|close_account|cancel/i

export interface ReplyTemplates {
  /** Which set: a shipped set's name, or `generic`. */
  source: string
  reply(intent: string): string
  groups(intent: string): readonly string[]
  sensitive(intent: string): boolean
}

/** The templates for a dataset's labels (see the module's note). */
export function replyTemplatesFor(labels: readonly string[], sets: readonly ReplyTemplateSet[] = REPLY_TEMPLATE_SETS): ReplyTemplates {
  const set = sets.find((candidate) => labels.length > 0 && labels.every((label) => label in candidate.intents))
  if (set) {
    return {
      source: set.name,
      reply: (intent) => set.intents[intent]?.reply ?? OUT_OF_SCOPE_REPLY,
      groups: (intent) => set.intents[intent]?.groups ?? [],
      sensitive: (intent) => set.intents[intent]?.sensitive === true,
    }
  }
  const known = new Set(labels)
  return {
    source: 'generic',
    reply: (intent) => (known.has(intent) ? genericReply(intent) : OUT_OF_SCOPE_REPLY),
    groups: () => [],
    sensitive: (intent) => SENSITIVE_NAME.test(intent),
  }
}

/**
 * What the chatbot says. A real bank keeps these in its content system; a few
 * Banking77 intents are enough to show the flow.
 */
const ANSWERS: Record<string, string> = {
  lost_or_stolen_card: 'I have frozen your card for now. You can order a replacement under Cards > Replace card.',
  card_arrival: 'Cards usually arrive within 5 working days. You can track yours under Cards > Delivery.',
  exchange_rate: 'We use the daily interbank rate plus the fee shown before you confirm an exchange.',
  balance_not_updated_after_bank_transfer: 'Bank transfers can take up to 2 working days to show in your balance.',
}

/** Said for an intent the bot knows but has no scripted answer for. */
export const GENERIC_ANSWER = 'Thanks, I understand what you need. Let me show you the right page in the app.'

/** Said when the bot hands the conversation to a person, whatever the reason. */
export const HANDOVER_REPLY = 'Let me connect you with one of our team, who will be with you shortly.'

export function answerFor(intent: string): string {
  return ANSWERS[intent] ?? GENERIC_ANSWER
}

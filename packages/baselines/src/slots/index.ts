export { RuleSlotTagger } from './rule-slot-tagger'
export type { SlotExample, SlotSpan } from './rule-slot-tagger'

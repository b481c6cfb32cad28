export * from './span-f1'
export * from './evaluate-tagger'

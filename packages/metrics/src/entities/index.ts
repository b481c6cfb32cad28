export * from './span-f1'

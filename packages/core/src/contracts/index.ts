/**
 * The typed contracts from plan to report: a run's config (written by the planner,
 * read by the job handlers), its summary (returned by the handlers, read by the
 * analysis and the report), its environment, and the stored benchmark spec.
 */
export * from './run-config'
export type * from './run-summary'
export type * from './run-environment'

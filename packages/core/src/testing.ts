/**
 * Test helpers of core, for other packages' and functions' tests (`@bankbench/core/testing`):
 * the databases a test runs against, complete run summaries, stored Batch jobs and
 * their state-change events.
 */
export * from './db/testing'
export * from './contracts/testing'
export * from './jobs/batch/testing'

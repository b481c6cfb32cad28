/**
 * A local job runner in a process of its own, for the tests that kill it: it takes
 * over the active jobs (recoverJobs) with the scripted entrypoint and waits to be killed.
 */
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../../db/connect'
import { LocalJobRunner } from '../local-runner'

const url = process.env.DATABASE_URL!
const { db } = await openDatabase({ url, migrate: false })
const runner = new LocalJobRunner({
  db, databaseUrl: url, artifactsUri: process.env.BANKBENCH_ARTIFACTS!,
  env: { SCRIPTED_BEHAVIOUR: process.env.SCRIPTED_BEHAVIOUR ?? 'hang' },
  command: () => ({ file: process.execPath, args: ['--import', 'tsx', fileURLToPath(new URL('./scripted-entrypoint.ts', import.meta.url))] }),
})
console.log(JSON.stringify(await runner.recoverJobs()))
setInterval(() => {}, 60_000)

/**
 * A local job runner in a process of its own, for the tests that kill it: it takes
 * over the active jobs (recoverJobs) with the scripted entrypoint and waits to be killed.
 */
import { fileURLToPath } from 'node:url'
import { setting, settingText } from '@bankbench/settings'
import { openDatabase } from '../../db/connect'
import { LocalJobRunner } from '../local-runner'

const url = setting('DATABASE_URL')!
const { db } = await openDatabase({ url, migrate: false })
const runner = new LocalJobRunner({
  db, databaseUrl: url, artifactsUri: setting('BANKBENCH_ARTIFACTS')!,
  env: { SCRIPTED_BEHAVIOUR: settingText('SCRIPTED_BEHAVIOUR') ?? 'hang' },
  command: () => ({ file: process.execPath, args: ['--import', 'tsx', fileURLToPath(new URL('./scripted-entrypoint.ts', import.meta.url))] }),
})
console.log(JSON.stringify(await runner.recoverJobs()))
setInterval(() => {}, 60_000)

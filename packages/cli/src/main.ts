import { BankbenchError } from '@bankbench/client'
import { setting } from '@bankbench/settings'
import { parseCommand, USAGE, UsageError } from './args'
import { embeddedClient, httpClient, type CliClient } from './client'
import { describeReport, writeReport } from './commands/report'
import { runBenchmark } from './commands/run'
import { startLocalStack } from './commands/start'
import { printStatus } from './commands/status'
import { stdoutOutput, type Output } from './output'

/** Runs one `bankbench` command line; resolves to the process exit code. */
export async function main(argv: readonly string[], output: Output = stdoutOutput, env: Record<string, string | undefined> = process.env): Promise<number> {
  try {
    const command = parseCommand(argv)
    switch (command.name) {
      case 'help':
        output.write(`${USAGE}\n`)
        return 0
      case 'start':
        return await startLocalStack(command.port, output, env)
      case 'run':
        return await withClient(command.url, env, (client) => runBenchmark(client, command, output))
      case 'status':
        return await withClient(command.url, env, (client) => printStatus(client, command.id, output))
      case 'report':
        return await withClient(command.url, env, async (client) => {
          output.write(`${describeReport(await writeReport(client, command.id, command.out))}\n`)
          return 0
        })
    }
  } catch (error) {
    if (error instanceof UsageError) {
      output.error(`bankbench: ${error.message}\n\n${USAGE}\n`)
      return 2
    }
    // The API's problem (BankbenchApiError), or a server that did not answer (timeout, unreachable).
    if (error instanceof BankbenchError) {
      output.error(`bankbench: ${error.message}\n`)
      return 1
    }
    throw error
  }
}

async function withClient(url: string | undefined, env: Record<string, string | undefined>, use: (client: CliClient) => Promise<number>): Promise<number> {
  const client = url ? httpClient(url, setting('BANKBENCH_API_KEY', env)) : await embeddedClient(env)
  try {
    return await use(client)
  } finally {
    await client.close()
  }
}

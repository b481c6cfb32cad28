/**
 * A container entrypoint for the job runner's own tests: the real job harness
 * (runJobProcess) with a handler whose behaviour the test picks through
 * SCRIPTED_BEHAVIOUR, to exercise crashes, hangs and failures of a real process.
 */
import { setting } from '@bankbench/settings'
import { runJobProcess } from '../job-process'
import { pretrainRunSummary, textBaselineSummary } from '../../contracts/testing'

const behaviour = setting('SCRIPTED_BEHAVIOUR')

await runJobProcess({
  pretrain: async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500))
    if (behaviour === 'pretrain-fails') throw new Error('the scripted pretraining failed on purpose')
    return pretrainRunSummary()
  },
  // A hybrid run reads a baseline's classifier: the test checks it starts after the baseline job ended.
  hybrid: async () => ({ skipped: 'scripted hybrid' }),
  baseline: async (context) => {
    if (behaviour === 'slow-baseline') await new Promise((resolve) => setTimeout(resolve, 1500))
    await context.reportMetrics([{ name: 'train_loss', value: 1.5, step: 1 }])
    if (behaviour === 'crash') process.exit(3)
    if (behaviour === 'throw') throw new Error('the scripted handler failed on purpose')
    if (behaviour === 'quote-customer-text') {
      // A handler that quotes a training message with PII in a log line and in its error.
      context.log(`odd example: "card 4111 1111 1111 1111 lost, mail jane.doe@example.com"`)
      throw new Error('could not tokenize "my iban is gb82 west 1234 5698 7654 32"')
    }
    if (behaviour === 'hang') {
      await new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason)))
    }
    if (behaviour === 'crash-once' && context.run.attempt === 1) process.exit(4)
    if (behaviour === 'pretrain-fails') return textBaselineSummary({ accuracy: 0 })
    // The summary also says which attempt wrote it (no real baseline records that; the tests read it back).
    const summary = { ...textBaselineSummary({ accuracy: 0.5 }), attempt: context.run.attempt }
    return summary
  },
})

/**
 * `npm run demo` = `bankbench run --preset demo`: the main job on embedded defaults.
 * Starts the embedded stack, submits the demo benchmark on Banking77 through the
 * API, follows it to the end, prints the comparison matrix and writes the report
 * to reports/<benchmark-id>.{html,pdf}. The preset lives in packages/cli/src/presets.ts.
 */
import { main } from '@bankbench/cli'

process.exitCode = await main(['run', '--preset', 'demo', ...process.argv.slice(2)])

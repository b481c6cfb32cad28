/**
 * `npm run settings:table`: writes README.md's configuration table from the settings
 * registry (packages/settings/src/registry.ts). test/settings.test.ts fails while the
 * README's table differs from what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { withSettingsTable } from '@bankbench/settings'

const README = new URL('../README.md', import.meta.url)
const before = readFileSync(README, 'utf8')
const after = withSettingsTable(before)
if (after === before) {
  console.log('README.md: the configuration table is up to date')
} else {
  writeFileSync(README, after)
  console.log('README.md: configuration table rewritten from packages/settings')
}

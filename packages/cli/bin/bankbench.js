#!/usr/bin/env node
// The workspace has no build step: register tsx so that Node runs the TypeScript sources.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/main.ts')
process.exitCode = await main(process.argv.slice(2))

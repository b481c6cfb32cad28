export { main } from './main'
export { parseCommand, USAGE, UsageError, type Command } from './args'
export { CLI_PRESETS, presetBody } from './presets'
export { formatTable } from './format/table'

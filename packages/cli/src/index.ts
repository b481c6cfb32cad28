export { main } from './main'
export { parseCommand, USAGE, UsageError, type Command } from './args'
export { listPresets, presetBody, type ServedPreset } from './presets'
export { formatTable } from './format/table'

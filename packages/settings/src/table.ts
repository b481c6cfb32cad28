import { SETTINGS, userSettings } from './registry'

/** Where the generated table sits in README.md. */
export const TABLE_BEGIN = '<!-- settings:begin (generated from packages/settings by `npm run settings:table`) -->'
export const TABLE_END = '<!-- settings:end -->'

const cell = (markdown: string) => markdown.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** The README's configuration table: one row per `user` setting, in declaration order. */
export function settingsTable(): string {
  const rows = userSettings().map((name) => {
    const spec = SETTINGS[name]
    return `| \`${name}\` | ${cell(spec.default)} | ${spec.readBy.filter((reader) => reader !== 'test').join(', ')} | ${cell(spec.meaning)} |`
  })
  return ['| variable | default | read by | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

/** `readme` with the text between the markers replaced by the current table. */
export function withSettingsTable(readme: string): string {
  const begin = readme.indexOf(TABLE_BEGIN)
  const end = readme.indexOf(TABLE_END)
  if (begin < 0 || end < begin) throw new Error(`README.md has no settings table markers (${TABLE_BEGIN} … ${TABLE_END})`)
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n${settingsTable()}\n${readme.slice(end)}`
}

export { SETTINGS, SETTING_NAMES, isSettingName, userSettings, type SettingKind, type SettingName, type SettingReader, type SettingSpec, type SettingValue } from './registry'
export { isSet, setting, settings, settingText, SettingError, SettingsError, type Environment } from './read'
export { InvalidSettingValue } from './parsers'
export { settingsTable, withSettingsTable, TABLE_BEGIN, TABLE_END } from './table'

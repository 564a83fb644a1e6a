/** The method core's public surface (../shared/METHOD.md): pure functions and tfjs losses, no DOM. */
export { topK, type TopK } from './topk.ts';
export { overlapCounts } from './overlap.ts';
export {
  selectHint,
  supportSet,
  SELECTION_MODES,
  SUPPORT_MODES,
  type SelectionMode,
  type SupportMode,
  type HintSelection,
} from './selection.ts';
export { clippedAdvantages, type ClippedAdvantages } from './advantages.ts';
export { teacherMessages, TEACHER_IDENTITIES, type TeacherIdentity } from './teacher.ts';
export {
  DEFAULT_SETTINGS,
  SETTING_DOCS,
  SETTING_SPECS,
  SETTING_KEYS,
  BACKENDS,
  ENVIRONMENT_C,
  SettingsError,
  validateSettings,
  settingsToQuery,
  settingsFromQuery,
  type Settings,
  type Backend,
} from './settings.ts';
export * from './judge/index.ts';

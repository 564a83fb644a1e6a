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
export {
  pairNextStates,
  trainableTurns,
  isMainTurn,
  type TurnType,
  type ToolCall,
  type LoggedMessage,
  type MainTurn,
  type NextStateStatus,
} from './turns.ts';
export { wireHeaders, readWireTags, SESSION_ID_HEADER, TURN_TYPE_HEADER, SESSION_DONE_HEADER, type WireTags } from './wire-tags.ts';
export { buildSample, caseTrains, sampleCase, turnSeed, type SampleInput, type TermWeights } from './sample.ts';
export { batchFromSamples, disposeBatch, type SampleBatch } from './sample-batch.ts';
export { hybridLoss, gatherLast, LOG_RATIO_CLAMP, type HybridLoss, type LossSettings } from './hybrid-loss.ts';
export {
  RECORD_SCHEMA_VERSION,
  RECORD_SCHEMA_NAME,
  RECORD_KINDS,
  RECORD_FIELDS,
  recordsToJsonl,
  type RecordKind,
  type RecordOfKind,
  type TurnRecord,
  type EvaluativeRecord,
  type DirectiveRecord,
  type SampleRecord,
  type SampleCase,
  type JsonlHeader,
} from './records.ts';
export { parseRecordsJsonl, validateRecord, recordKindOf, recordLimits, RecordError, type RecordLimits } from './record-validate.ts';
export * from './judge/index.ts';

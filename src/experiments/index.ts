/** The personalisation experiment (METHOD §9, issue 8): simulated users, the runner, the metric and the table. No DOM. */
export { type Preference, PREFERENCES, preferenceById, meetsPreference, unmetDimensions } from './preferences.ts';
export { SimulatedUser, type UserAnswer, type AnswerKind, UNMET_SHARES, MOVE_ON_SHARE } from './simulated-user.ts';
export { sessionsToSatisfy, isSatisfied, meanStd, chanceOfStreak, SATISFY_STREAK, SESSION_CAP, type Satisfaction } from './metric.ts';
export { type Arm, type ArmGroup, type ArmJudge, ALL_ARMS, METHOD_ARMS, SELECTION_ARMS, K_ARMS, C_ARMS, EXPERIMENT_SETTINGS, armById, armSettings } from './arms.ts';
export { type Plan, type PlanSection, FULL_PLAN, QUICK_PLAN, runsOf, runGroups } from './plan.ts';
export { runExperiment, type ExperimentEngines, type RunSpec, type RunResult, type RunOptions, type SessionRecord, type UpdateStats } from './run.ts';
export { hintedDimensions } from './hinted-dimensions.ts';
export { mean, median, quantile, bootstrapMeanCI, pairedBootstrapCI, wilcoxonSignedRank, BOOTSTRAP_RESAMPLES, type WilcoxonResult } from './statistics.ts';
export { summarize, UNLIKELY_CHANCE, type ExperimentSummary, type JudgeAgreement, type AblationRow, type ArmSummary, type PreferenceRow, type Targets } from './summary.ts';
export { variedHintJudge } from './varied-hint-judge.ts';
export { runEnvironmentExperiment, ENVIRONMENT_SETTINGS, type EnvironmentRunSpec, type EnvironmentRunResult, type EpisodeRecord } from './environment-run.ts';
export { summarizeEnvironment, SUCCESS_WINDOW, SUCCESS_STREAK, type EnvironmentSummary, type EnvironmentArmSummary, type StepJudgeAgreement } from './environment-summary.ts';
export { experimentFigure, figureSvg, type Figure, type Shape } from './figure.ts';
export { comparisons, compare, drawsAgree, COMPARISONS, type Comparison } from './comparisons.ts';
export { armDiagnostics, type ArmDiagnostics } from './diagnostics.ts';

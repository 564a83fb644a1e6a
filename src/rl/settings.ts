/**
 * Every knob of the method (METHOD §2–6) and of NextState's loop, as ONE typed, serialisable object
 * with its defaults, validation and a URL query round trip (only non-default values are written).
 */
import { SELECTION_MODES, SUPPORT_MODES, type SelectionMode, type SupportMode } from './selection.ts';
import { TEACHER_IDENTITIES, type TeacherIdentity } from './teacher.ts';

export type Backend = 'auto' | 'webgpu' | 'wasm' | 'cpu';
/** What an update trains: auto = every weight of the built-in model, a LoRA adapter on a loaded base. */
export type Finetune = 'auto' | 'full' | 'lora';
export const FINETUNES: readonly Finetune[] = ['auto', 'full', 'lora'];
/** The projections a LoRA adapter wraps (PEFT target_modules q,k,v,o; or those and gate,up,down). */
export type LoraTargets = 'attention' | 'attention+mlp';
export const LORA_TARGET_SETS: readonly LoraTargets[] = ['attention', 'attention+mlp'];
export const BACKENDS: readonly Backend[] = ['auto', 'webgpu', 'wasm', 'cpu'];
/** When an update starts: once B trainable samples are pending, or once the trainer is free with 1 … B of them. */
export type BatchFill = 'full' | 'pending';
export const BATCH_FILLS: readonly BatchFill[] = ['full', 'pending'];

/** Where the agent acts (METHOD §1–2): personal chat, or an environment whose actions the page runs. */
export type EnvironmentChoice = 'chat' | 'tool-use' | 'terminal';
export const ENVIRONMENT_CHOICES: readonly EnvironmentChoice[] = ['chat', 'tool-use', 'terminal'];

export interface Settings {
  environment: EnvironmentChoice;
  judgeVotes: number;
  judgeTemperature: number;
  k: number;
  selection: SelectionMode;
  support: SupportMode;
  C: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  epsLo: number;
  epsHi: number;
  wRL: number;
  wOPD: number;
  klCoef: number;
  entropyCoef: number;
  teacher: TeacherIdentity;
  batchSize: number;
  batchFill: BatchFill;
  lr: number;
  weightDecay: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
  gradClip: number;
  epochsPerBatch: number;
  maxStaleness: number;
  behaviourWeightCap: number;
  finetune: Finetune;
  loraRank: number;
  loraAlpha: number;
  loraDropout: number;
  loraTargets: LoraTargets;
  updateMemoryMb: number;
  seed: number;
  backend: Backend;
}

/** C for environment steps (METHOD §5); `DEFAULT_SETTINGS.C` is the personal-chat value. */
export const ENVIRONMENT_C = 2;

interface NumberSpec {
  type: 'number';
  default: number;
  doc: string;
  min?: number;
  max?: number;
  /** `min` itself is not allowed. */
  minExclusive?: boolean;
  integer?: boolean;
}
interface ChoiceSpec<T extends string> {
  type: 'choice';
  default: T;
  doc: string;
  choices: readonly T[];
}
type Spec<T> = [T] extends [string] ? ChoiceSpec<T> : NumberSpec;

/** The one table of knobs: default, allowed range and the one-line description the settings panel shows. */
export const SETTING_SPECS: { readonly [K in keyof Settings]: Spec<Settings[K]> } = {
  environment: { type: 'choice', default: 'chat', choices: ENVIRONMENT_CHOICES, doc: 'Where the agent acts: chat, tool use (calculator, lookup) or a sandboxed terminal; tool and command outputs are next states judged by a step judge (METHOD §1–2).' },
  judgeVotes: { type: 'number', default: 3, min: 1, max: 15, integer: true, doc: 'Judge votes m per turn; their majority is the score (METHOD §2).' },
  judgeTemperature: { type: 'number', default: 0.6, min: 0, max: 2, doc: 'Sampling temperature of judge votes (METHOD §2).' },
  k: { type: 'number', default: 4, min: 1, max: 32, integer: true, doc: 'Top-k size of the student and teacher sets whose overlap selects the hint (METHOD §4).' },
  selection: { type: 'choice', default: 'sequence', choices: SELECTION_MODES, doc: 'Hint selection: best total overlap, best per token, shortest, or random (METHOD §4).' },
  support: { type: 'choice', default: 'student', choices: SUPPORT_MODES, doc: "Support set S_i: the student's top-k, the teacher's, or their intersection (METHOD §4)." },
  C: { type: 'number', default: 1, min: -1, max: 20, doc: 'Clip C on the teacher–student log-prob difference; 1 chat, 2 environments, ≤ 0 off (METHOD §5).' },
  temperature: { type: 'number', default: 0.6, min: 0.05, max: 2, doc: 'Sampling temperature; every log-prob is taken on logits divided by it (METHOD §5).' },
  topP: { type: 'number', default: 1, min: 0, max: 1, minExclusive: true, doc: 'Nucleus sampling mass for replies (1 = off).' },
  maxTokens: { type: 'number', default: 160, min: 1, max: 4096, integer: true, doc: 'Longest reply, in tokens.' },
  epsLo: { type: 'number', default: 0.2, min: 0, max: 1, doc: 'Lower PPO ratio clip: ρ ≥ 1 − eps_lo (METHOD §6).' },
  epsHi: { type: 'number', default: 0.28, min: 0, max: 10, doc: 'Upper PPO ratio clip: ρ ≤ 1 + eps_hi (METHOD §6).' },
  wRL: { type: 'number', default: 1, min: 0, max: 100, doc: 'Weight of the GRPO (evaluative) term; 0 = OPD only (METHOD §6): turns without a hint then make no sample.' },
  wOPD: { type: 'number', default: 1, min: 0, max: 100, doc: 'Weight of the OPD (directive) term; 0 = GRPO only (METHOD §6): hinted turns scored 0 then make no sample.' },
  klCoef: { type: 'number', default: 0, min: 0, max: 100, doc: 'Coefficient of the k3 KL to the frozen reference policy (METHOD §6).' },
  entropyCoef: { type: 'number', default: 0, min: 0, max: 100, doc: 'Entropy bonus coefficient (METHOD §6).' },
  teacher: { type: 'choice', default: 'frozen', choices: TEACHER_IDENTITIES, doc: 'Teacher: the policy as first loaded (frozen) or the current one (live) (METHOD §3).' },
  batchSize: { type: 'number', default: 4, min: 1, max: 256, integer: true, doc: 'Samples B per optimizer step; small so a visitor sees an update within a few turns (METHOD §6).' },
  batchFill: { type: 'choice', default: 'full', choices: BATCH_FILLS, doc: 'When an update starts: full = once B samples are pending; pending = as soon as the trainer is free, on the 1 … B pending (fresher versions, smaller steps).' },
  lr: { type: 'number', default: 3e-4, min: 0, max: 1, doc: 'Adam learning rate (MEASURED: 3e-4 for the tiny policy; 1e-3 costs accuracy).' },
  weightDecay: { type: 'number', default: 0.1, min: 0, max: 10, doc: 'Decoupled (AdamW) weight decay (METHOD §6 reference: 0.1).' },
  adamBeta1: { type: 'number', default: 0.9, min: 0, max: 1, doc: 'Adam β1 (METHOD §6 reference: 0.9).' },
  adamBeta2: { type: 'number', default: 0.98, min: 0, max: 1, doc: 'Adam β2 (METHOD §6 reference: 0.98).' },
  adamEpsilon: { type: 'number', default: 1e-8, min: 0, max: 1, minExclusive: true, doc: "Adam ε; a larger one damps the first steps' uniform moves (MEASURED)." },
  gradClip: { type: 'number', default: 1, min: -1, max: 1000, doc: 'Global gradient-norm clip per step; ≤ 0 off.' },
  epochsPerBatch: { type: 'number', default: 1, min: 1, max: 32, integer: true, doc: 'Optimizer passes over each batch; the ratio clip keeps extra passes safe (MEASURED).' },
  maxStaleness: { type: 'number', default: 4, min: 1, max: 32, integer: true, doc: 'Samples up to this many versions behind the policy being trained still train (decoupled objective beyond 1); older ones stay stale (METHOD §7).' },
  behaviourWeightCap: { type: 'number', default: 2, min: 1, max: 100, doc: 'Cap c of the behaviour importance weight min(exp(l_prox − l_behav), c) on samples more than one version behind (METHOD §7).' },
  finetune: { type: 'choice', default: 'auto', choices: FINETUNES, doc: 'What an update trains: every weight (full) or a LoRA adapter on the frozen base (on the built-in model each version is saved with the adapter merged in); auto = full on the built-in model, LoRA on a loaded one.' },
  loraRank: { type: 'number', default: 8, min: 1, max: 256, integer: true, doc: 'LoRA rank r: the adapter adds (alpha/r)·A·B, A [in, r], B [r, out], to each wrapped projection.' },
  loraAlpha: { type: 'number', default: 16, min: 0, max: 4096, minExclusive: true, doc: 'LoRA alpha: the adapter term is scaled by alpha / r.' },
  loraDropout: { type: 'number', default: 0, min: 0, max: 0.9, doc: "Dropout on the adapter's input while training (PEFT lora_dropout)." },
  loraTargets: { type: 'choice', default: 'attention', choices: LORA_TARGET_SETS, doc: 'Projections the adapter wraps: attention (q, k, v, o) or also the MLP (gate, up, down).' },
  updateMemoryMb: { type: 'number', default: 1536, min: 1, max: 65536, integer: true, doc: "Cap on one adapter update's estimated memory (MB): above it the update is refused with the numbers instead of crashing the tab (1536: what a phone's browser tab allows)." },
  seed: { type: 'number', default: 0, min: 0, max: 4294967295, integer: true, doc: 'Seed of sampling and of the random hint selection.' },
  backend: { type: 'choice', default: 'auto', choices: BACKENDS, doc: 'tfjs backend: auto (WebGPU if available, else wasm), webgpu, wasm or cpu.' },
};

export const SETTING_KEYS = Object.keys(SETTING_SPECS) as (keyof Settings)[];

/** The one-line description of each knob, for the settings panel. */
export const SETTING_DOCS = Object.fromEntries(SETTING_KEYS.map((key) => [key, SETTING_SPECS[key].doc])) as Record<keyof Settings, string>;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze(
  Object.fromEntries(SETTING_KEYS.map((key) => [key, SETTING_SPECS[key].default])) as unknown as Settings,
);

/** Settings that fail validation; `problems` lists every one, one line each. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings: ${problems.join('; ')}`);
    this.name = 'SettingsError';
  }
}

/** What is wrong with `value` as knob `key`, or null when it is allowed. */
function problemWith(key: keyof Settings, value: unknown): string | null {
  const spec = SETTING_SPECS[key] as NumberSpec | ChoiceSpec<string>;
  if (spec.type === 'choice') {
    return typeof value === 'string' && spec.choices.includes(value)
      ? null
      : `${key} must be one of ${spec.choices.join(' | ')}, got ${JSON.stringify(value)}`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${key} must be a finite number, got ${JSON.stringify(value)}`;
  if (spec.integer && !Number.isInteger(value)) return `${key} must be an integer, got ${value}`;
  const low = spec.min !== undefined && (spec.minExclusive ? value <= spec.min : value < spec.min);
  const high = spec.max !== undefined && value > spec.max;
  if (low || high) return `${key} must be in ${spec.minExclusive ? '(' : '['}${spec.min}, ${spec.max}], got ${value}`;
  return null;
}

/**
 * `validateSettings(partial)`: the defaults overridden by `partial`, checked knob by knob.
 * Throws a `SettingsError` naming every wrong type, out-of-range value and unknown key.
 */
export function validateSettings(partial: unknown = {}): Settings {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
    throw new SettingsError([`settings must be an object, got ${JSON.stringify(partial)}`]);
  }
  const problems: string[] = [];
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, value] of Object.entries(partial)) {
    if (!Object.hasOwn(SETTING_SPECS, key)) {
      problems.push(`unknown setting "${key}"`);
      continue;
    }
    const problem = problemWith(key as keyof Settings, value);
    if (problem) problems.push(problem);
    else settings[key] = value;
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return settings as unknown as Settings;
}

/** C's default where the agent acts: 1 in personal chat, 2 in an environment (METHOD §5). */
export function defaultC(environment: EnvironmentChoice): number {
  return environment === 'chat' ? DEFAULT_SETTINGS.C : ENVIRONMENT_C;
}

/**
 * `partial` applied on `current`, where a change of `environment` that does not set C carries C along to the
 * new environment's default if it was at the old one's (a chosen C stays as chosen).
 */
export function withEnvironmentC(current: Settings, partial: Partial<Settings>): Partial<Settings> {
  const next = { ...current, ...partial };
  if (Object.hasOwn(partial, 'C') || next.environment === current.environment || current.C !== defaultC(current.environment)) return next;
  return { ...next, C: defaultC(next.environment) };
}

/** The non-default knobs of `settings` as a URL query string (`k=8&selection=token`), without `?`. */
export function settingsToQuery(settings: Settings): string {
  const query = new URLSearchParams();
  for (const key of SETTING_KEYS) {
    if (settings[key] !== DEFAULT_SETTINGS[key]) query.set(key, String(settings[key]));
  }
  return query.toString();
}

/**
 * `settingsFromQuery(query)`: the settings a query string describes (absent knobs take their default).
 * Unknown parameters are rejected unless `ignoreUnknown` (for a page URL that carries other state).
 */
export function settingsFromQuery(query: string | URLSearchParams, options: { ignoreUnknown?: boolean } = {}): Settings {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  // No prototype: a `__proto__` parameter is a key like any other (and refused as unknown).
  const partial: Record<string, unknown> = Object.create(null);
  for (const [key, raw] of params) {
    if (!Object.hasOwn(SETTING_SPECS, key)) {
      if (!options.ignoreUnknown) partial[key] = raw;
      continue;
    }
    const spec = SETTING_SPECS[key as keyof Settings];
    partial[key] = spec.type === 'number' && raw.trim() !== '' ? Number(raw) : raw;
  }
  return validateSettings(partial);
}

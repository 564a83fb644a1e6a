/**
 * What the experiment compares (METHOD §6 ablations, §9): the four methods and the ablation arms, as data.
 * An arm is the experiment's base settings plus a few overrides; the online loop and engines are the same.
 */
import type { Settings } from '../rl/settings.ts';

/** `method`: hybrid / GRPO only / OPD only / no updates; the others vary one knob of the hybrid. */
export type ArmGroup = 'method' | 'selection' | 'k' | 'C';

/** Which judge the arm's signal engine uses: the built-in one, or it with varied hint wording (varied-hint-judge.ts). */
export type ArmJudge = 'builtin' | 'varied';

export interface Arm {
  /** Unique: `hybrid`, `grpo`, `selection=token`, `k=8`, `C=off`. */
  id: string;
  group: ArmGroup;
  label: string;
  settings: Partial<Settings>;
  /** False: the loop serves, judges and teaches but never updates (no batch is ever full). */
  updates: boolean;
  judge: ArmJudge;
}

/**
 * What every experiment's loop shares, the personalisation one and bench:env's: B = 1 (a visitor sees an update
 * after every turn) and a reply limit above the world's longest reply (139 tokens at the 99th percentile).
 */
export const LOOP_SETTINGS: Partial<Settings> = { batchSize: 1, maxTokens: 150 };

/**
 * The experiment's base settings: the method's defaults (C = 1, k = 4, sequence selection) with the loop's
 * (LOOP_SETTINGS), lr 3e-4 and 4 epochs per batch, and the `live` teacher (METHOD §3: the current policy
 * under the hint, as the paper's text describes). Measured on the shipped policy, the same for every arm:
 * lr 1e-3 cost answer accuracy and made GRPO's replies run to the limit; B = 2 with 2 epochs learnt more
 * slowly for every method (numbers in the report of issue 8). The frozen teacher (the initial policy) knows
 * only the style its hint names: for a user who wants two styles, a hint naming the one a reply missed made
 * it pull the student back off the other, already learnt (issue 17: README, "Learning from talk, measured").
 *
 * Three settings found in issue 17, the same for every arm (README, "Learning from talk, measured"):
 * - w_RL = 0.03 balances the two terms (METHOD §6 weights them; its 1 and 1 are the 4B model's). r = ±1 reaches
 *   every character of a reply, the directive term only those where the teacher disagrees (mean |A| ≈ 0.005),
 *   so at w_RL = 1 the evaluative term set the step: on a user who wants two styles every reply scored −1
 *   until both were met, and those steps wore the replies into garble before the hints had taught the second
 *   style. Adam leaves an arm with one term nearly blind to the weight: it is the hybrid's balance.
 * - Adam ε = 1e-5: at B = 1 Adam moves every weight by about lr on every step, whatever its gradient, and a
 *   run of dozens of updates wore the character model's spelling; ε damps the weights whose gradient is
 *   below it (MEASURED lists it as the lever) and kept more answers right.
 * - top-p 0.5 (fifth pass): replies are drawn from the nucleus holding half of the probability. Once the hints
 *   have made a style the likely choice, the nucleus drops the unlikely draws that fell back to the old style or
 *   misspelt a word: the hybrid's misses after a user's first satisfied reply fell from 357 to 87 in 120 runs,
 *   answers right during the runs went 0.906 → 0.969 and no run capped (top-p 0.9, 0.8 and 0.7 sat between).
 *   Sampling only: every log-prob is still the full distribution's (METHOD §5), so the method's terms are
 *   unchanged.
 * The fourth pass screened lr, the PPO upper clip, the teacher's support and identity, users who check answers,
 * ε 1e-4 with a larger lr and a LoRA adapter: none was better on fresh seeds (README, "Fourth pass").
 */
export const EXPERIMENT_SETTINGS: Partial<Settings> = {
  ...LOOP_SETTINGS,
  wRL: 0.03,
  adamEpsilon: 1e-5,
  lr: 3e-4,
  epochsPerBatch: 4,
  teacher: 'live',
  topP: 0.5,
};

const arm = (id: string, group: ArmGroup, label: string, settings: Partial<Settings> = {}, judge: ArmJudge = 'builtin', updates = true): Arm =>
  ({ id, group, label, settings, updates, judge });

export const METHOD_ARMS: readonly Arm[] = [
  arm('hybrid', 'method', 'Hybrid (GRPO + OPD)'),
  arm('grpo', 'method', 'GRPO only (w_OPD = 0)', { wOPD: 0 }),
  arm('opd', 'method', 'OPD only (w_RL = 0)', { wRL: 0 }),
  arm('none', 'method', 'No updates', {}, 'builtin', false),
];

/**
 * Selection modes differ only when a turn has several hint candidates, so these arms use the varied-hint
 * judge, `sequence` included: compare them with each other, not with the main `hybrid`.
 */
export const SELECTION_ARMS: readonly Arm[] = (['sequence', 'token', 'shortest', 'random'] as const).map((mode) =>
  arm(`selection=${mode}`, 'selection', `Hybrid, ${mode} selection (varied hints)`, { selection: mode }, 'varied'));

/** k = 4 is the main hybrid; these are the other two. */
export const K_ARMS: readonly Arm[] = [2, 8].map((k) => arm(`k=${k}`, 'k', `Hybrid, k = ${k}`, { k }));

/** C = 1 is the main hybrid; C ≤ 0 disables the clip (METHOD §5). */
export const C_ARMS: readonly Arm[] = [
  arm('C=off', 'C', 'Hybrid, no clip (C off)', { C: 0 }),
  arm('C=2', 'C', 'Hybrid, C = 2', { C: 2 }),
];

export const ALL_ARMS: readonly Arm[] = [...METHOD_ARMS, ...SELECTION_ARMS, ...K_ARMS, ...C_ARMS];

export function armById(id: string): Arm {
  const found = ALL_ARMS.find((a) => a.id === id);
  if (!found) throw new Error(`unknown arm "${id}"; known: ${ALL_ARMS.map((a) => a.id).join(', ')}`);
  return found;
}

/** The validated settings a run of `arm` uses: base, arm overrides, the run's seed; no batch ever fills without updates. */
export function armSettings(arm: Arm, seed: number, base: Partial<Settings> = EXPERIMENT_SETTINGS): Partial<Settings> {
  return { ...base, ...arm.settings, seed, ...(arm.updates ? {} : { batchSize: 256 }) };
}

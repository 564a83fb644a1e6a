/**
 * The experiment's metric (METHOD §9): the number of sessions until the first reply meets the user's
 * preference in `streak` consecutive sessions, capped. A capped run counts as `cap` (a lower bound on the
 * truth) and is reported in `hitCap`.
 */

export const SATISFY_STREAK = 3;
export const SESSION_CAP = 60;

export interface Satisfaction {
  /** 1-based number of the session that completes the first streak; `cap` when none did by then. */
  sessions: number;
  hitCap: boolean;
}

/** `sessionsToSatisfy(met)`: over the per-session "first reply met the preference" flags, in order. */
export function sessionsToSatisfy(met: readonly boolean[], streak = SATISFY_STREAK, cap = SESSION_CAP): Satisfaction {
  if (!Number.isInteger(streak) || streak < 1) throw new RangeError(`streak must be a positive integer, got ${streak}`);
  let run = 0;
  for (let i = 0; i < Math.min(met.length, cap); i++) {
    run = met[i] ? run + 1 : 0;
    if (run === streak) return { sessions: i + 1, hitCap: false };
  }
  return { sessions: cap, hitCap: true };
}

/** True once the flags so far complete a streak: a run stops there. */
export function isSatisfied(met: readonly boolean[], streak = SATISFY_STREAK): boolean {
  return met.length >= streak && met.slice(-streak).every(Boolean);
}

/** Mean and sample standard deviation (n − 1; 0 for a single value). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return { mean, std: 0 };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/**
 * The chance that a policy which meets the preference independently with probability p per session
 * completes a streak within `cap` sessions: what "no updates" should show for base rate p.
 */
export function chanceOfStreak(p: number, streak = SATISFY_STREAK, cap = SESSION_CAP): number {
  // State = length of the current run of met sessions; absorbing once it reaches `streak`.
  let state = new Array<number>(streak + 1).fill(0);
  state[0] = 1;
  for (let i = 0; i < cap; i++) {
    const next = new Array<number>(streak + 1).fill(0);
    next[streak] = state[streak];
    for (let r = 0; r < streak; r++) {
      next[r + 1] += state[r] * p;
      next[0] += state[r] * (1 - p);
    }
    state = next;
  }
  return state[streak];
}

/**
 * Which runs an experiment makes: sections of arms × preferences × seeds. The full plan gives every main
 * method 10 seeds per preference and every ablation arm 5 seeds on 3 preferences (issue 17's power); every
 * arm of a section runs every (preference, seed) of it, so its runs pair with its reference arm's. The quick
 * plan is a subset for a 3-minute check.
 */
import { PREFERENCES } from './preferences.ts';
import type { RunSpec } from './run.ts';
import { SATISFY_STREAK, SESSION_CAP } from './metric.ts';

export interface PlanSection {
  arms: readonly string[];
  preferences: readonly string[];
  seeds: readonly number[];
}

export interface Plan {
  name: string;
  sections: readonly PlanSection[];
  cap: number;
  streak: number;
}

const ALL = PREFERENCES.map((p) => p.id);
const seeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
/** Ablations run on one single style and two pairs, all unlikely by luck. */
const ABLATION_PREFERENCES = ['brief', 'lowercase+emoji', 'brief+formal'];

export const FULL_PLAN: Plan = {
  name: 'full',
  cap: SESSION_CAP,
  streak: SATISFY_STREAK,
  sections: [
    // Hybrid and GRPO first: their difference is the smallest the experiment has to resolve.
    { arms: ['hybrid', 'grpo'], preferences: ALL, seeds: seeds(10) },
    { arms: ['opd', 'none'], preferences: ALL, seeds: seeds(10) },
    { arms: ['selection=sequence', 'selection=token', 'selection=shortest', 'selection=random'], preferences: ABLATION_PREFERENCES, seeds: seeds(5) },
    { arms: ['k=2', 'k=8', 'C=off', 'C=2'], preferences: ABLATION_PREFERENCES, seeds: seeds(5) },
    // The k and C ablations vary the hybrid: its own runs on these preferences are the k = 4 / C = 1 rows.
  ],
};

export const QUICK_PLAN: Plan = {
  name: 'quick',
  cap: SESSION_CAP,
  streak: SATISFY_STREAK,
  sections: [{ arms: ['hybrid', 'grpo', 'opd', 'none'], preferences: ['lowercase+emoji', 'brief+formal'], seeds: [1] }],
};

/**
 * Every run of the plan once, section by section (the main methods first) and within one seed by seed
 * (seed 1 of every arm and preference first), so that the runs finished at any moment are whole paired
 * sets, the main comparison's first; within a seed the longest first, so parallel workers end together.
 */
export function runsOf(plan: Plan): RunSpec[] {
  const seen = new Set<string>();
  const runs: (RunSpec & { section: number })[] = [];
  for (const [index, section] of plan.sections.entries()) {
    for (const preference of section.preferences) {
      for (const arm of section.arms) {
        for (const seed of section.seeds) {
          const key = `${arm}|${preference}|${seed}`;
          if (seen.has(key)) continue;
          seen.add(key);
          runs.push({ arm, preference, seed, cap: plan.cap, streak: plan.streak, section: index });
        }
      }
    }
  }
  const expectedLength = (r: RunSpec) => (r.arm === 'none' ? 3 : r.arm === 'grpo' || r.arm === 'opd' ? 2 : 1) + (r.preference.includes('+') ? 0.5 : 0);
  return runs
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.section - b.r.section || a.r.seed - b.r.seed || expectedLength(b.r) - expectedLength(a.r) || a.i - b.i)
    .map(({ r: { section: _, ...spec } }) => spec);
}

/**
 * The runs in groups that one process should make in turn: the no-update runs of a seed together (they
 * share every reply of the initial policy, computed once), every other run alone. Order as in runsOf.
 */
export function runGroups(runs: readonly RunSpec[]): RunSpec[][] {
  const groups: RunSpec[][] = [];
  const noUpdates = new Map<number, RunSpec[]>();
  for (const r of runs) {
    if (r.arm !== 'none') {
      groups.push([r]);
      continue;
    }
    const group = noUpdates.get(r.seed);
    if (group) group.push(r);
    else {
      const fresh = [r];
      noUpdates.set(r.seed, fresh);
      groups.push(fresh);
    }
  }
  return groups;
}

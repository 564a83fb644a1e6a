/**
 * Workshop presets (issue 6): each sets up the settings for one question about the method and says what to
 * try and what to watch. Presets are data (STYLE): a base on top of the defaults, then one variant per arm.
 */
import { DEFAULT_SETTINGS, type Settings } from '../../rl/settings.ts';

export interface WorkshopVariant {
  id: string;
  label: string;
  settings: Partial<Settings>;
}

export interface WorkshopPreset {
  id: string;
  title: string;
  /** A short explanation, one paragraph per entry. */
  explanation: string[];
  /** What to do and where to look. */
  tryThis: string;
  /** Applied with every variant: small batches so an update lands after each judged turn. */
  base: Partial<Settings>;
  variants: WorkshopVariant[];
}

export const WORKSHOP_PRESETS: WorkshopPreset[] = [
  {
    id: 'hybrid-vs-grpo',
    title: 'Hybrid vs GRPO',
    explanation: [
      'GRPO uses only the judge\'s score r: every token of the reply gets the same push, up for +1, down for −1.',
      'The hybrid objective adds on-policy distillation (OPD): a teacher that saw the hint re-scores each token, so the push differs token by token and says in which direction to change.',
      'In the paper the hybrid met a user\'s preference after 10.3 sessions, GRPO alone after 14.1, OPD alone after 29.7 (METHOD §9).',
    ],
    tryThis: 'Ask a question, then correct the reply ("too long, one sentence please"). In the token inspector switch the colouring between the OPD part and r; in Training compare the GRPO and OPD loss curves under each arm.',
    base: { batchSize: 1 },
    variants: [
      { id: 'hybrid', label: 'Hybrid (w_RL = 1, w_OPD = 1)', settings: { wRL: 1, wOPD: 1 } },
      { id: 'grpo', label: 'GRPO only (w_OPD = 0)', settings: { wRL: 1, wOPD: 0 } },
      { id: 'opd', label: 'OPD only (w_RL = 0)', settings: { wRL: 0, wOPD: 1 } },
    ],
  },
  {
    id: 'clip',
    title: 'What does the clip do',
    explanation: [
      'The OPD advantage of a token is its teacher-minus-student log-prob difference Δ, clipped to ±C and weighted by the student\'s probability (METHOD §5).',
      'A hint can make the teacher far surer than the student, so an unclipped Δ can be huge on a few tokens. Without the clip the paper saw replies grow long: half of them hit the length limit instead of a fifth.',
    ],
    tryThis: 'Correct a reply, then open a token in the inspector: the support table shows Δ before and after the clip (✂ where it bit). In Training watch "Clipped fractions", "Mean |A|" and "Reply length".',
    base: { batchSize: 1 },
    variants: [
      { id: 'c1', label: 'C = 1 (chat default)', settings: { C: 1 } },
      { id: 'c-tight', label: 'C = 0.2 (tight)', settings: { C: 0.2 } },
      { id: 'c-off', label: 'No clip (C = 0)', settings: { C: 0 } },
    ],
  },
  {
    id: 'hint-selection',
    title: 'How a hint is chosen',
    explanation: [
      'The judge proposes up to three hints. The teacher re-scores your reply under each; at every token, O[h,i] counts how many of the student\'s top-k tokens are also in the teacher\'s top-k under hint h (METHOD §4).',
      'Sequence mode keeps the hint with the largest total overlap (a hint that agrees with what the student would plausibly say is a usable teacher); token mode picks per token; shortest and random are the baselines. Paper: sequence 12.5, token 12.4, random 16.1 sessions; k = 2 was much worse than k = 4.',
    ],
    tryThis: 'Correct a reply in a way that yields several hints (e.g. "no, shorter and in lowercase please"). In the inspector compare the overlap strips and Σ per hint; switch hints to see each teacher\'s top-k.',
    base: { batchSize: 1 },
    variants: [
      { id: 'sequence', label: 'Sequence, k = 4 (default)', settings: { selection: 'sequence', k: 4 } },
      { id: 'token', label: 'Per token', settings: { selection: 'token', k: 4 } },
      { id: 'random', label: 'Random hint', settings: { selection: 'random', k: 4 } },
      { id: 'k2', label: 'Sequence, k = 2', settings: { selection: 'sequence', k: 2 } },
    ],
  },
];

/** The settings a variant sets: the defaults, the visitor's runtime choices kept, then base and variant. */
export function variantSettings(preset: WorkshopPreset, variant: WorkshopVariant, current: Settings): Settings {
  return { ...DEFAULT_SETTINGS, backend: current.backend, maxTokens: current.maxTokens, seed: current.seed, ...preset.base, ...variant.settings };
}

/** True when `current` is what the variant would set. */
export function variantActive(preset: WorkshopPreset, variant: WorkshopVariant, current: Settings): boolean {
  const wanted = variantSettings(preset, variant, current);
  return (Object.keys(wanted) as (keyof Settings)[]).every((k) => wanted[k] === current[k]);
}

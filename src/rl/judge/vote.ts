/** Turning m judge votes into a turn's signals (METHOD §2–3). */
import type { DirectiveVote, JudgeScore } from './types.ts';

/** The most hint candidates a turn keeps (METHOD §3). */
export const MAX_HINT_CANDIDATES = 3;
/** A hint must be longer than this many characters once stripped (METHOD §3). */
export const MIN_HINT_LENGTH = 10;

/** Characters as METHOD §3 counts them: code points, so an emoji is one, not two UTF-16 units. */
function characters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function validVotes(votes: readonly (number | null)[]): number[] {
  return votes.filter((v): v is number => v !== null && Number.isFinite(v));
}

/**
 * `majorityVote(votes) -> -1 | 0 | 1` (METHOD §2): drop failed votes (null); none left gives 0; a tie for
 * the most common value gives 0; otherwise that value.
 */
export function majorityVote(votes: readonly (number | null)[]): JudgeScore {
  const counts = new Map<number, number>();
  for (const v of validVotes(votes)) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = 0;
  let bestCount = 0;
  let tied = false;
  for (const [value, count] of counts) {
    if (count > bestCount) [best, bestCount, tied] = [value, count, false];
    else if (count === bestCount) tied = true;
  }
  if (bestCount === 0 || tied) return 0;
  return best === 1 || best === -1 ? best : 0;
}

/**
 * `hintCandidates(votes) -> string[]` (METHOD §3): hints of votes with score 1 whose stripped text is
 * longer than 10 characters (code points); exact duplicates removed; shortest first (stable); at most 3.
 */
export function hintCandidates(votes: readonly DirectiveVote[]): string[] {
  const kept: string[] = [];
  for (const { score, hint } of votes) {
    if (score !== 1 || hint === null) continue;
    const stripped = hint.trim();
    if (characters(stripped) > MIN_HINT_LENGTH && !kept.includes(stripped)) kept.push(stripped);
  }
  return kept
    .map((hint, index) => ({ hint, index, length: characters(hint) }))
    .sort((a, b) => a.length - b.length || a.index - b.index)
    .slice(0, MAX_HINT_CANDIDATES)
    .map(({ hint }) => hint);
}

/**
 * `stepReward(outcome, votes) -> number` (METHOD §2, environments): the outcome reward plus the mean of
 * the valid step-judge votes (failed votes dropped; none valid adds 0).
 */
export function stepReward(outcome: number, votes: readonly (number | null)[]): number {
  const valid = validVotes(votes);
  if (valid.length === 0) return outcome;
  return outcome + valid.reduce((sum, v) => sum + v, 0) / valid.length;
}

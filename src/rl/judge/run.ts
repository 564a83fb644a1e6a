/** The one vote path that built-in and remote judges share (METHOD §2–3). */
import { parseHint, parseJudgeScore } from './parse.ts';
import type { DirectiveResult, EvaluativeResult, JudgeBackend, JudgeSignal, JudgeTurn } from './types.ts';
import { hintCandidates, majorityVote } from './vote.ts';

/** What `runJudges` returns: one result per signal asked for. */
export interface JudgeResults {
  evaluative?: EvaluativeResult;
  directive?: DirectiveResult;
}

/** The default number of votes per signal (METHOD §2). */
export const DEFAULT_JUDGE_VOTES = 3;

/**
 * `runJudges(backend, turn, m, signals, options?) -> { evaluative?, directive? }` (METHOD §2–3): asks the
 * backend for m texts per signal (in parallel), parses each text into a vote, and votes: the evaluative
 * score is the majority of the boxed scores; the directive hints are the hint candidates, accepted when
 * there is at least one. A backend error or abort rejects the returned promise.
 */
export async function runJudges(
  backend: JudgeBackend,
  turn: JudgeTurn,
  m: number = DEFAULT_JUDGE_VOTES,
  signals: readonly JudgeSignal[] = ['evaluative', 'directive'],
  options: { signal?: AbortSignal } = {},
): Promise<JudgeResults> {
  const results: JudgeResults = {};
  await Promise.all(
    signals.map(async (signal) => {
      const texts = await backend.complete({ ...turn, signal }, m, options);
      if (signal === 'evaluative') {
        const votes = texts.map(parseJudgeScore);
        results.evaluative = { score: majorityVote(votes), votes };
      } else {
        const votes = texts.map((text) => ({ score: parseJudgeScore(text), hint: parseHint(text) }));
        const hints = hintCandidates(votes);
        results.directive = { accepted: hints.length > 0, hints, votes };
      }
    }),
  );
  return results;
}

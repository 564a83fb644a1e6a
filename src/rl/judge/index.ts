/** The judge protocol and the built-in judge (METHOD §2–3). */
export type {
  NextState,
  JudgeKind,
  JudgeSignal,
  JudgeRequest,
  JudgeTurn,
  JudgeBackend,
  JudgeScore,
  EvaluativeResult,
  DirectiveVote,
  DirectiveResult,
} from './types.ts';
export { parseJudgeScore, parseHint, HINT_START, HINT_END } from './parse.ts';
export { majorityVote, hintCandidates, stepReward, MAX_HINT_CANDIDATES, MIN_HINT_LENGTH } from './vote.ts';
export { runJudges, DEFAULT_JUDGE_VOTES } from './run.ts';
export type { JudgeResults } from './run.ts';
export { evaluativePrompt, directivePrompt, judgePrompt, PROMPT_CONTEXT_MESSAGES } from './prompts.ts';
export { boundedText, JUDGE_TEXT_CHARS } from './bounded-text.ts';
export * from './builtin/index.ts';

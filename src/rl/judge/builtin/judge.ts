/**
 * The built-in judge (METHOD §2–3): no network, no model. It reads the next state with small rule
 * tables and answers in the same text protocol as a remote judge, so one parser and one vote path
 * (`runJudges`) serve both.
 */
import type { Message } from '../../../model/chat.ts';
import { boundedText } from '../bounded-text.ts';
import { HINT_END, HINT_START } from '../parse.ts';
import type { JudgeBackend, JudgeKind, JudgeRequest, NextState } from '../types.ts';
import type { NextStateReading } from './reading.ts';
import { readAction } from './action-reading.ts';
import { readToolResult } from './tool-reading.ts';
import { readUserNextState } from './user-reading.ts';

/** The two judge texts for one turn. */
export interface BuiltinJudgeTexts {
  evaluative: string;
  directive: string;
}

/**
 * What the built-in judge reads from a turn: its score, reason and hint (the texts are written from this).
 * It reads each text bounded (`boundedText`: at most `JUDGE_TEXT_CHARS`, both ends of a longer one), and
 * every scan over a text is linear, so a turn of any size is judged in milliseconds.
 */
export function readNextState(reply: string, nextState: NextState, _kind: JudgeKind, context: readonly Message[] = []): NextStateReading {
  const seen = boundedText(reply);
  // An action is read against its task and history first (METHOD §2): a call that runs but on numbers or names the task never stated did not work.
  if (nextState.role === 'tool') return readAction(seen, context.map((m) => ({ ...m, content: boundedText(m.content) }))) ?? readToolResult(boundedText(nextState.content), seen);
  const previousRequest = [...context].reverse().find((m) => m.role === 'user')?.content;
  return readUserNextState(boundedText(nextState.content), seen, previousRequest === undefined ? undefined : boundedText(previousRequest));
}

/**
 * `builtinJudge(reply, nextState, kind, context?) -> { evaluative, directive }` (METHOD §2–3): judge texts in
 * the protocol. The evaluative text is reasoning ending in `\boxed{1|0|-1}`; the directive text ends in
 * `\boxed{1}` and a hint between `[HINT_START]` and `[HINT_END]` when the next state teaches something,
 * else in `\boxed{-1}`. `context` is the turn's messages; its last user message is the request the reply
 * answered (needed to spot a rephrased repeat).
 */
export function builtinJudge(reply: string, nextState: NextState, kind: JudgeKind, context: readonly Message[] = []): BuiltinJudgeTexts {
  const reading = readNextState(reply, nextState, kind, context);
  const verdict = reading.score === 1 ? 'the reply worked' : reading.score === -1 ? 'the reply did not work' : 'it is unclear whether the reply worked';
  const evaluative = `The next state is a ${nextState.role} message. ${reading.because} So ${verdict}.\n\n\\boxed{${reading.score}}`;
  const directive = reading.hint
    ? `${reading.because} Knowing this beforehand would have improved the reply.\n\n\\boxed{1}\n${HINT_START}${reading.hint}${HINT_END}`
    : `${reading.because} It reveals nothing that would have improved the reply.\n\n\\boxed{-1}`;
  return { evaluative, directive };
}

/**
 * The built-in judge as a `JudgeBackend`. Its rules are deterministic, so its m votes are m copies of one
 * text: the majority is that text's score and the hint candidates are its one hint. Sampling fake variety
 * would add noise, not information.
 */
export const builtinJudgeBackend: JudgeBackend = {
  name: 'builtin',
  async complete(request: JudgeRequest, m: number, options?: { signal?: AbortSignal }): Promise<string[]> {
    // Let whatever waits (a health check, another request, the page's messages) go first: judging is synchronous.
    await new Promise((resolve) => setTimeout(resolve, 0));
    options?.signal?.throwIfAborted();
    const texts = builtinJudge(request.reply, request.nextState, request.kind, request.messages);
    return new Array<string>(m).fill(texts[request.signal]);
  },
};

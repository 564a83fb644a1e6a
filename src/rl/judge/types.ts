/**
 * The judge protocol's types (METHOD §2–3). Built-in and remote judges answer in the same text
 * protocol; one parser and one vote path (`runJudges`) turn their texts into signals.
 */
import type { Message } from '../../model/chat.ts';

/** The next state of a main turn: the user's answer or a tool's result (METHOD §1). */
export interface NextState {
  role: 'user' | 'tool';
  content: string;
}

/** Personal chat, or one of the environments whose step judge also sees task and history (METHOD §2). */
export type JudgeKind = 'personal' | 'terminal' | 'tool-call' | 'gui' | 'swe';

/** Which judge prompt: the scalar score (METHOD §2) or the hindsight hint (METHOD §3). */
export type JudgeSignal = 'evaluative' | 'directive';

/** Everything one judge call sees about one main turn. */
export interface JudgeRequest {
  signal: JudgeSignal;
  kind: JudgeKind;
  /** The turn's context: the messages the policy answered. */
  messages: Message[];
  /** The assistant's reply being judged. */
  reply: string;
  nextState: NextState;
  /** Environments: the task statement. */
  task?: string;
  /** Environments: recent steps before this one. */
  history?: Message[];
}

/** A judge request before the signal is chosen; `runJudges` asks for each signal in turn. */
export type JudgeTurn = Omit<JudgeRequest, 'signal'>;

/** A source of judge texts: the built-in rules or a remote OpenAI-compatible model. */
export interface JudgeBackend {
  name: string;
  /** Returns m raw judge texts in the text protocol (reasoning ending in `\boxed{..}`, hint markers). */
  complete(request: JudgeRequest, m: number, options?: { signal?: AbortSignal }): Promise<string[]>;
}

/** A boxed score in the protocol: 1, 0 or -1. */
export type JudgeScore = -1 | 0 | 1;

/** The evaluative signal of a turn (METHOD §2): the majority of its votes; null marks a failed vote. */
export interface EvaluativeResult {
  score: JudgeScore;
  votes: (number | null)[];
}

/** One directive vote (METHOD §3): its boxed score and its hint, either of which may be missing. */
export interface DirectiveVote {
  score: number | null;
  hint: string | null;
}

/** The directive signal of a turn (METHOD §3): accepted when at least one hint candidate survives. */
export interface DirectiveResult {
  accepted: boolean;
  hints: string[];
  votes: DirectiveVote[];
}

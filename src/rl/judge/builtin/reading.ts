/** What the built-in judge reads from one next state (METHOD §2–3), before it is written as judge texts. */
import type { JudgeScore } from '../types.ts';
import type { StyleWish } from './style.ts';

export interface NextStateReading {
  /** The evaluative score: 1 the reply worked, -1 it did not, 0 the next state does not tell. */
  score: JudgeScore;
  /** One sentence saying why, written into the judge's reasoning. */
  because: string;
  /** The hindsight hint (METHOD §3), or null when the next state teaches nothing. */
  hint: string | null;
  /** Set when the next state is a wish about one of the six style dimensions. */
  style?: StyleWish;
}

const QUOTE_LIMIT = 80;

/** A message quoted on one line, shortened to keep a hint within three sentences (a final period dropped). */
export function quote(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return `"${line.length > QUOTE_LIMIT ? `${line.slice(0, QUOTE_LIMIT - 1)}…` : line}"`;
}

/** Parsers for the judge text protocol (METHOD §2–3). */
import type { JudgeScore } from './types.ts';

export const HINT_START = '[HINT_START]';
export const HINT_END = '[HINT_END]';

// One signed digit, nothing else inside the braces: the reference framework's `\\boxed\{([-+]?\d)\}`.
const BOXED_DIGIT = /\\boxed\{([-+]?[0-9])\}/g;

/**
 * `parseJudgeScore(text) -> -1 | 0 | 1 | null` (METHOD §2): the value of the last `\boxed{<signed digit>}`
 * in the text; a value outside {1, 0, -1}, or no match, is a failed vote (null). `\boxed{ 1 }` and
 * `\boxed{10}` are not boxed digits, so they neither count nor hide an earlier one.
 */
export function parseJudgeScore(text: string): JudgeScore | null {
  let last: string | undefined;
  for (const match of text.matchAll(BOXED_DIGIT)) last = match[1];
  if (last === undefined) return null;
  const value = Number(last);
  return value === 1 || value === -1 ? value : value === 0 ? 0 : null;
}

/**
 * `parseHint(text) -> string | null` (METHOD §3): the text between `[HINT_START]` and the next
 * `[HINT_END]`, stripped; null when either marker is missing. The last complete pair wins, matching
 * the score parser's "last answer counts".
 */
export function parseHint(text: string): string | null {
  const end = text.lastIndexOf(HINT_END);
  if (end < 0) return null;
  const start = text.lastIndexOf(HINT_START, end);
  if (start < 0) return null;
  return text.slice(start + HINT_START.length, end).trim();
}

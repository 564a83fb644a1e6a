/**
 * What a judge reads of one text (a next state, a reply, a message of the context): the whole text up to
 * `JUDGE_TEXT_CHARS`, else its first and last halves. Feedback opens a user's message ("no, it's 7") and
 * an error closes a tool's output (a stack trace's last line), so both ends are kept. The reference
 * judges see a bounded prompt too; this bound keeps a 1 MiB request a few milliseconds of judging.
 */

/** The most UTF-16 units of one text a judge reads. */
export const JUDGE_TEXT_CHARS = 4_000;
/** Stands where the middle of a longer text was left out; on a line of its own, so no line is glued to another. */
export const LEFT_OUT = '\n[…]\n';

export function boundedText(text: string, limit = JUDGE_TEXT_CHARS): string {
  if (text.length <= limit) return text;
  const half = Math.floor(limit / 2);
  return text.slice(0, cut(text, half, -1)) + LEFT_OUT + text.slice(cut(text, text.length - half, 1));
}

/** `at`, moved one unit into the left-out middle (`step`) when it would split a surrogate pair: an emoji stays whole or goes whole. */
function cut(text: string, at: number, step: -1 | 1): number {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at + step : at;
}

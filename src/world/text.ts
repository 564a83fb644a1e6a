/**
 * Surface analysis of a reply, shared by the style checkers and the answer checkers.
 * The world's replies are built from statements (declarative sentences or bullet points), an optional
 * list lead-in ending with ':', an optional closing question, and an optional trailing emoji.
 */

const TRAILING_EMOJI = /\s*\p{Extended_Pictographic}[\p{Extended_Pictographic}\uFE0F\s]*$/u;

/** The reply without its trailing emoji (and the whitespace before it), trimmed. */
export function withoutTrailingEmoji(reply: string): string {
  return reply.trim().replace(TRAILING_EMOJI, '').trim();
}

/** True when the reply's last visible character is an emoji. */
export function endsWithEmoji(reply: string): boolean {
  return /\p{Extended_Pictographic}\uFE0F?$/u.test(reply.trim());
}

export function hasEmoji(reply: string): boolean {
  return /\p{Extended_Pictographic}/u.test(reply);
}

/** The text of each line, with a leading bullet "- " removed. */
function lineTexts(reply: string): string[] {
  return withoutTrailingEmoji(reply)
    .split('\n')
    .map((line) => line.trim().replace(/^- /, '').trim())
    .filter((line) => line.length > 0);
}

/** Sentences: split after '.', '!' or '?' followed by whitespace, and at line breaks. */
export function sentencesOf(reply: string): string[] {
  return lineTexts(reply)
    .flatMap((line) => line.split(/(?<=[.!?])\s+/))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The statements of a reply: its sentences and bullet points that are neither a question (ending '?')
 * nor a list lead-in (ending ':'). "One short sentence" means exactly one statement.
 */
export function statementsOf(reply: string): string[] {
  return sentencesOf(reply).filter((s) => !s.endsWith('?') && !s.endsWith(':'));
}

/** Every run of digits in the text, as numbers, in order. */
export function numbersIn(text: string): number[] {
  return (text.match(/\d+/g) ?? []).map(Number);
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** True when `phrase` occurs in `text` as whole words, ignoring case. */
export function containsPhrase(text: string, phrase: string): boolean {
  const escaped = phrase.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}])${escaped}($|[^\\p{L}])`, 'u').test(text.toLowerCase());
}

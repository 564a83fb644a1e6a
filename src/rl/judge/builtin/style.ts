/**
 * The six style dimensions as the built-in judge knows them: their hints (the canonical "on" hints the
 * policy was pretrained to follow, and "off" hints for the opposite wish) and a rough check of whether a
 * reply already has a style. The ids are the shared contract with the world and the simulated users.
 */

export const STYLE_DIMENSIONS = ['lowercase', 'emoji', 'brief', 'formal', 'list', 'followup'] as const;
export type StyleDimension = (typeof STYLE_DIMENSIONS)[number];

/** `on`: the user wants the style; `off`: the user wants it gone. */
export type StyleDirection = 'on' | 'off';

/** What a style complaint asks for. */
export interface StyleWish {
  dimension: StyleDimension;
  direction: StyleDirection;
}

/** The hint the directive judge writes for each wish; the `on` hints are the canonical ones, verbatim. */
export const STYLE_HINTS: Record<StyleDimension, Record<StyleDirection, string>> = {
  lowercase: {
    on: 'The user wants the reply written entirely in lowercase letters.',
    off: 'The user wants normal capitalisation, not all lowercase.',
  },
  emoji: {
    on: 'The user likes a friendly emoji at the end of the reply.',
    off: 'The user does not want any emoji in the reply.',
  },
  brief: {
    on: 'The user wants a short answer: one sentence, no extra explanation.',
    off: 'The user wants the answer plus one more sentence of explanation.',
  },
  formal: {
    on: 'The user wants a formal, polite tone with no exclamation marks or slang.',
    off: 'The user prefers a relaxed, casual tone over a formal one.',
  },
  list: {
    on: 'The user wants the answer as a bulleted list.',
    off: 'The user wants the answer as plain prose, not a list.',
  },
  followup: {
    on: 'The user wants the reply to end by offering a follow-up question.',
    off: 'The user does not want a follow-up question at the end of the reply.',
  },
};

// Emoji and pictographs (a trailing " 🙂" is the world's friendly emoji).
const EMOJI = /\p{Extended_Pictographic}/u;
const CONTRACTION = /\b\w+'(?:s|t|re|ve|ll|d|m)\b/i;

/** A rough check that the reply already has the style (so a wish for it reads as praise, not a complaint). */
export function replyHasStyle(reply: string, dimension: StyleDimension): boolean {
  const text = reply.trim();
  switch (dimension) {
    case 'lowercase':
      return /[a-z]/.test(text) && text === text.toLowerCase();
    case 'emoji':
      return EMOJI.test(text.slice(-4));
    case 'brief':
      return text.split(/(?<=[.!?])\s+/).filter((s) => /\w/.test(s)).length <= 1 && text.length <= 120;
    case 'formal':
      return !text.includes('!') && !CONTRACTION.test(text.replace(/[‘’]/g, "'"));
    case 'list':
      return text.split('\n').some((line) => line.trimStart().startsWith('- '));
    case 'followup':
      return /\?\s*(?:\p{Extended_Pictographic}\s*)?$/u.test(text);
  }
}

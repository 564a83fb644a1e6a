/**
 * Hint phrasings per style dimension: the lines a user (or a judge, METHOD §3) appends to a request to
 * ask for a style. Each list mixes imperative and declarative wording; the first entry of each list is
 * the built-in judge's canonical hint, verbatim, so that the teacher policy follows it.
 */
import type { StyleId } from './styles.ts';

/** The exact hint the built-in judge writes when it detects a complaint about a dimension. */
export const JUDGE_HINTS: Readonly<Record<StyleId, string>> = {
  lowercase: 'The user wants the reply written entirely in lowercase letters.',
  emoji: 'The user likes a friendly emoji at the end of the reply.',
  brief: 'The user wants a short answer: one sentence, no extra explanation.',
  formal: 'The user wants a formal, polite tone with no exclamation marks or slang.',
  list: 'The user wants the answer as a bulleted list.',
  followup: 'The user wants the reply to end by offering a follow-up question.',
};

export const HINT_PHRASINGS: Readonly<Record<StyleId, readonly string[]>> = {
  lowercase: [
    JUDGE_HINTS.lowercase,
    'Answer in lowercase.',
    'Write everything in lowercase letters, no capitals.',
    'Use only lowercase letters in the reply.',
    'The user prefers replies without any capital letters.',
    'Do not use capital letters.',
    'The user finds capital letters loud; keep it all lowercase.',
    'Reply in all lowercase.',
    'The user asked for lowercase text only.',
    'No uppercase letters in the answer.',
  ],
  emoji: [
    JUDGE_HINTS.emoji,
    'End the reply with a smiley.',
    'Finish with a friendly emoji.',
    'The user enjoys a smiley at the end of each answer.',
    'Add an emoji at the end.',
    'Close the reply with a smiley face.',
    'The user wants a smiley after the answer.',
    'Put a friendly emoji at the very end.',
    'The user prefers replies that end with an emoji.',
  ],
  brief: [
    JUDGE_HINTS.brief,
    'Keep it to one sentence.',
    'Answer briefly, without explanation.',
    'Just give the answer in one short sentence.',
    'The user prefers short replies.',
    'Be brief, please.',
    'No extra explanation; one sentence is enough.',
    'The user finds long answers tiring; keep it short.',
    'Only the answer, in a single sentence.',
  ],
  formal: [
    JUDGE_HINTS.formal,
    'Use a formal tone.',
    'Be polite and formal, no slang.',
    'The user prefers a formal register without contractions.',
    'Write formally and politely.',
    'Avoid slang and exclamation marks; sound professional.',
    'The user expects a courteous, formal reply.',
    'Answer in a polite, formal way.',
    'Keep the tone formal and respectful.',
  ],
  list: [
    JUDGE_HINTS.list,
    'Format the answer as a bulleted list.',
    'Use bullet points.',
    'The user prefers answers in bullet points.',
    'Give the answer as a list with dashes.',
    'Put the reply in a list, one point per line.',
    'The user likes lists more than prose.',
    'Answer with a bulleted list.',
    'Write the answer as bullet points, not a paragraph.',
  ],
  followup: [
    JUDGE_HINTS.followup,
    'End by offering another question.',
    'Finish with a follow-up offer.',
    'The user likes being asked if they want more.',
    'At the end, ask whether the user wants another one.',
    'Close with a question offering more help.',
    'The user enjoys a follow-up question at the end.',
    'Offer a follow-up at the end of the reply.',
    'End the reply by asking if they want to continue.',
  ],
};

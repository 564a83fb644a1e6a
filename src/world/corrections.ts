/**
 * What users say after a reply that missed their preference: stating the preference, only complaining,
 * or (see corpus.ts) just asking again. `on`: the user wants the style; `off`: the user wants it gone.
 */
import type { StyleId } from './styles.ts';

export const CORRECTIONS: Readonly<Record<StyleId, { on: readonly string[]; off: readonly string[] }>> = {
  lowercase: {
    on: ['Please write it all in lowercase.', 'Why is it in capitals?', 'No capital letters, please.',
      'Can you say that in lowercase?', 'lowercase please', 'I prefer lowercase, no capitals.',
      'Stop using capital letters.', 'Could you drop the capitals?'],
    off: ['Please use normal capital letters.', 'Why is it all lowercase?', 'Use proper capitalisation, please.'],
  },
  emoji: {
    on: ['Add a smiley at the end, please.', 'Where is my smiley?', 'Could you end with an emoji?',
      'A bit friendlier please, with a smiley.', 'I like an emoji at the end.', 'No smiley this time?'],
    off: ['No emoji, please.', 'Why the smiley?', 'Please leave out the emoji.'],
  },
  brief: {
    on: ['Too long.', 'Shorter, please.', 'Just the answer, please.', 'Why so long?', 'One sentence is enough.',
      'That was a lot of words. Shorter?', 'I only need the answer.', 'Can you keep it short?'],
    off: ['Can you explain a bit more?', 'That is a bit short. Why?', 'Could you add a little explanation?'],
  },
  formal: {
    on: ['Please be more formal.', 'That is too casual.', 'Why so casual?', 'A more polite tone, please.',
      'No slang, please.', 'Please answer properly and politely.', 'Could you sound more professional?'],
    off: ['No need to be so formal.', 'You can relax, be less formal.', 'Why so stiff?'],
  },
  list: {
    on: ['As a list, please.', 'Can you put that in bullet points?', 'Bullets, please.', 'I prefer a list.',
      'Could you format that as a list?', 'Why not a list?'],
    off: ['No list, just a sentence please.', 'Why a list?', 'Please write it as normal text.'],
  },
  followup: {
    on: ['Ask me if I want another one.', 'You could offer me another question.', 'Why no follow-up?',
      'Please end by asking if I want more.', 'Can you offer me something more at the end?'],
    off: ['No need to ask me questions.', 'Stop asking if I want more.', 'Please skip the question at the end.'],
  },
};

/** Openers of a plain repeat of the question, when the user does not say what was wrong. */
export const ASK_AGAIN_OPENERS: readonly string[] = ['Again: ', 'I asked: ', 'Let me ask again. ', 'Hmm. ', ''];

/** Openers when the user moves on to the next question after a reply that worked. */
export const MOVE_ON_OPENERS: readonly string[] = ['Thanks! ', 'Thank you. ', 'Great, thanks. ', 'Nice. ', 'Perfect. ',
  'Got it. ', 'OK, next one. ', 'Thanks a lot. ', 'Good. ', ''];

/**
 * The simulated users' own English (issue 8): written for this experiment, not taken from the pretraining
 * corpus's correction templates or hint lines, so the run shows whether the built-in judge generalises to
 * words it was not written against. A message is assembled from an opener, a core and a closer.
 */
import type { StyleId } from '../world/index.ts';

/** How a user states a wish for a style it missed. Several per dimension, in different registers. */
export const STATED_WISHES: Readonly<Record<StyleId, readonly string[]>> = {
  lowercase: [
    'could you write without capital letters? i like everything in lowercase',
    'All lowercase please, capitals feel like shouting to me.',
    'I would rather you did not capitalise anything.',
    'Small letters only from now on, please.',
    'Please drop the uppercase, I prefer lower case text.',
    'can you keep it lowercase? it reads calmer',
    'Not a fan of capital letters. Lowercase suits me better.',
    'Write it in lower case for me, no caps at all.',
  ],
  emoji: [
    'Could you finish with a little smiley? It makes it friendlier.',
    'Add an emoji at the end next time, please.',
    'Feels a bit cold. Maybe end with a smiley face?',
    'Put a smiley at the end of your answers, I enjoy that.',
    'where is the emoji? i like a friendly one at the end',
    'A smiley at the close would be nice.',
    'Stick an emoticon on the end for me.',
    'I miss the smiley. Please end with one.',
  ],
  brief: [
    'That is more than I needed. Just the answer, please.',
    'Could you keep answers to one sentence?',
    'Shorter please, I only want the fact.',
    'too wordy for me, keep it brief',
    'I do not need the extra explanation, one line is enough.',
    'Please be concise.',
    'Can you cut it down to a single sentence?',
    'Skip the explanation and keep it short.',
  ],
  formal: [
    'Please keep a more professional tone.',
    'Could you be a bit more formal with me?',
    'I prefer polite, formal answers without the slang.',
    'That sounds too casual for my taste. More formal, please.',
    'Less chatty, more businesslike please.',
    'Could you answer in a respectful, formal register?',
    'please talk to me formally and politely',
    'A formal tone suits me better than that casual one.',
  ],
  list: [
    'Could you put the answer in bullet points?',
    'I find lists easier to read. Bullets next time, please.',
    'Please format it as a list.',
    'Use dashes, one point per line.',
    'Can I get that as a bulleted list?',
    'bullet points please, i skim',
    'I would like the answer in list form.',
    'Break it into bullet points for me.',
  ],
  followup: [
    'It would be nice if you asked me whether I want another one.',
    'End with a question offering more, please.',
    'I like it when you ask if I want to continue.',
    'Please finish by asking me if I would like another question.',
    'ask me at the end whether i want more',
    'Offer a follow-up question when you are done.',
    'Could you close by asking whether I need anything else?',
    'I want you to offer me another one at the end.',
  ],
};

/** Complaints that do not say what was wrong. They name no style, so they never reveal the preference. */
export const BARE_COMPLAINTS: readonly string[] = [
  'Hmm, that is not really how I like my answers.',
  'Not quite the style I am after.',
  'Meh. I like my answers written differently.',
  'That is not the way I want it.',
  'I do not like how that is written.',
  'Ugh, not like that.',
  'The answer is fine but I dislike the way it looks.',
  'That is not what I wanted.',
  'nope, not how i want it',
  'I keep telling you, that is not how I like it.',
];

/** What a user says before asking the same question in other words. */
export const ASK_AGAIN_PREFIXES: readonly string[] = [
  'Let me ask once more: ', 'Trying again. ', 'Once more: ', 'Okay, again: ', 'Same question: ', 'Let me put it differently. ', '',
];

/** A user whose preference was met, staying on the same answer. */
export const THANKS: readonly string[] = [
  'Thanks, that is just right.', 'Perfect, thank you!', 'Great, exactly how I like it.', 'Lovely, cheers.',
  'That works for me, thanks.', 'Nice one.', 'Good, thanks!', 'Spot on.', 'thank you, that helps', 'Excellent, thanks a lot.',
];

/** A user whose preference was met, moving on: one of these, then the next question. */
export const MOVE_ON_PREFIXES: readonly string[] = [
  'Thanks! Next one: ', 'Great. Now, ', 'Cheers. ', 'Perfect. Another: ', 'Nice, thanks. ', 'Good. Next question: ',
];

/** Openers and closers around a stated wish. */
export const WISH_OPENERS: readonly string[] = ['', '', 'Hmm. ', 'One thing: ', 'Small request: ', 'Hey, ', 'Okay, but '];
export const WISH_CLOSERS: readonly string[] = ['', '', '', ' From now on, please.', ' Every time, please.', ' That would help me.'];

/** A pair of wishes stated together, when both dimensions were missed. */
export const WISH_JOINERS: readonly string[] = [' Also: ', ' And ', ' Plus, '];

/** A user who checks the answer (`checksAnswers`): one of these, then the right answer. */
export const WRONG_ANSWER_OPENERS: readonly string[] = [
  'No, that is wrong, it is ', 'That is not right. The answer is ', 'Wrong: it is ', 'nope, that is incorrect, the answer is ', 'Hmm, that is a mistake. It is ',
];

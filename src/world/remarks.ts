/**
 * Messages that are not questions of the world (issue 14), and their honest replies.
 *
 * - Small talk (`greeting`, `thanks`, `identity`, `abilities`): a short reply saying what the agent is (a small
 *   agent that learns from your replies) and what it knows.
 * - Outside the world (`unknown-country`, `unknown-thing`, `big-numbers`, `joke`, `weather`, `poem`, `general`,
 *   `gibberish`): the reply says it does not know that and what it can do instead; it states no fact.
 * A reply's wording names the world's areas in words only: no number and no capital of the table (those would be
 * invented facts, see visitors/checks.ts). Every template has its place in the train/heldout split.
 */
import { pick, pickWeighted, randomInt, type Rng } from '../model/rng.ts';
import { splitOf, type Split } from './questions.ts';
import { BRIEF_MAX_WORDS } from './styles.ts';
import { wordCount } from './text.ts';
import type { AnswerForms } from './topics/topic.ts';

export type RemarkKind = 'greeting' | 'thanks' | 'identity' | 'abilities' | 'unknown-country' | 'unknown-thing' |
  'big-numbers' | 'joke' | 'weather' | 'poem' | 'general' | 'gibberish';

export interface Remark {
  /** `remark:<kind>:<template>`, the key of the split. */
  id: string;
  kind: RemarkKind;
  /** What the user writes. */
  text: string;
  forms: AnswerForms;
}

/** How often each kind is drawn (relative weights). */
export const REMARK_WEIGHTS: Readonly<Record<RemarkKind, number>> = {
  greeting: 3, thanks: 2, identity: 2, abilities: 2, 'unknown-country': 3, 'unknown-thing': 2, 'big-numbers': 1,
  joke: 1, weather: 1, poem: 1, general: 3, gibberish: 2,
};

export const SMALL_TALK: readonly RemarkKind[] = ['greeting', 'thanks', 'identity', 'abilities'];

/** Countries that are not in the capitals table. */
export const UNKNOWN_COUNTRIES: readonly string[] = ['Mongolia', 'Mexico', 'India', 'China', 'Russia', 'Nigeria',
  'Vietnam', 'Thailand', 'Iceland', 'Denmark', 'Belgium', 'Netherlands', 'Switzerland', 'Hungary', 'Morocco', 'Ghana',
  'Colombia', 'Cuba', 'Nepal', 'Iran', 'Israel', 'Korea', 'Indonesia', 'Ukraine', 'Romania', 'Pakistan', 'Bolivia',
  'Uruguay', 'Ethiopia', 'Tanzania', 'Senegal', 'Croatia', 'Serbia', 'Estonia', 'Latvia', 'Jamaica', 'Malaysia',
  'Bulgaria', 'Algeria', 'Ecuador'];

/** Animals and objects the world has no fact about: [name, plural]. */
export const UNKNOWN_THINGS: readonly (readonly [string, string])[] = [['giraffe', 'giraffes'], ['elephant', 'elephants'],
  ['dolphin', 'dolphins'], ['shark', 'sharks'], ['tiger', 'tigers'], ['horse', 'horses'], ['spider', 'spiders'],
  ['frog', 'frogs'], ['eagle', 'eagles'], ['kangaroo', 'kangaroos'], ['telescope', 'telescopes'], ['microwave', 'microwaves'],
  ['guitar', 'guitars'], ['laptop', 'laptops'], ['umbrella', 'umbrellas'], ['rocket', 'rockets'], ['volcano', 'volcanoes'],
  ['zebra', 'zebras'], ['snail', 'snails'], ['toaster', 'toasters']];

const TEMPLATES: Readonly<Record<Exclude<RemarkKind, 'unknown-country' | 'unknown-thing' | 'big-numbers' | 'gibberish'>,
  readonly string[]>> = {
  greeting: ['Hello!', 'Hi there!', 'Hey there', 'Good morning', 'Good evening!', 'Hello, anyone there?', 'Hiya',
    'Hey, how are you?', 'Hi, how is it going?', 'Greetings!', 'Hello friend', 'Morning!', 'Hey hey', 'Howdy',
    'Hello, nice to meet you', 'Hi bot'],
  thanks: ['Thanks!', 'Thanks a lot!', 'Many thanks.', 'Cheers!', 'Great, thank you',
    'Thanks, that helps', 'Awesome, thanks', 'ty', 'Thank you very much!', 'Much appreciated', 'Perfect, thanks!'],
  identity: ['Who are you?', 'What are you?', 'Are you a bot?', 'What is your name?', 'Who am I talking to?',
    'Are you a human?', 'Tell me about yourself.', 'Are you an AI?', 'Introduce yourself.', 'Who made you?',
    'What kind of agent are you?', 'Are you real?'],
  abilities: ['What can you do?', 'What do you know?', 'How can you help me?', 'What are you good at?',
    'What can I ask you?', 'What questions can you answer?', 'Help', 'What topics do you know?',
    'What do you know about?', 'Can you help me?', 'What are you able to do?', 'How does this work?'],
  joke: ['Tell me a joke.', 'Know any good jokes?', 'Make me laugh', 'Say something funny.', 'Got a joke for me?',
    'Can you tell a joke?', 'Tell me a pun'],
  weather: ['What is the weather like today?', 'Will it rain tomorrow?', 'How hot is it outside?',
    'Is it sunny where you are?', 'What is the forecast for the weekend?', 'Do I need an umbrella today?',
    'Is it going to snow?'],
  poem: ['Write me a poem.', 'Can you write a poem about the sea?', 'Write a haiku about autumn', 'Compose a short poem',
    'Give me a poem about love', 'Write a limerick', 'Can you write song lyrics?'],
  general: ['What time is it?', 'What day is it today?', 'Who won the football game last night?',
    'What is the meaning of life?', 'How do I fix my wifi?', 'Can you write some code for me?',
    'How far away is the moon?', 'What is the population of France?', 'Who is the president?',
    'Recommend a good movie.', 'How do I cook rice?', 'What is the tallest mountain?', 'Translate hello into Spanish.',
    'What is your favourite colour?', 'How old are you?', 'Who painted the Mona Lisa?', 'Can you book me a flight?',
    'What is the square root of two?', 'What language is spoken in Brazil?', 'How big is Germany?',
    'What is the best pizza topping?', 'Explain quantum physics.', 'How do I learn to swim?',
    'What currency does Japan use?', 'Where is the nearest shop?', 'What should I eat tonight?'],
};

const COUNTRY_TEMPLATES: readonly ((c: string) => string)[] = [(c) => `What is the capital of ${c}?`,
  (c) => `capital of ${c}?`, (c) => `Which city is the capital of ${c}?`, (c) => `${c} capital`,
  (c) => `Do you know the capital of ${c}?`, (c) => `Tell me the capital of ${c}.`];

const THING_TEMPLATES: readonly ((name: string, plural: string) => string)[] = [(_, p) => `Tell me about ${p}.`,
  (n) => `What is a ${n}?`, (_, p) => `Give me a fact about ${p}.`, (n) => `Describe a ${n}.`, (_, p) => `${p}?`,
  (_, p) => `What do you know about ${p}?`];

const BIG_TEMPLATES: readonly ((a: number, b: number) => string)[] = [(a, b) => `What is ${a} x ${b}?`,
  (a, b) => `${a} * ${b}`, (a, b) => `What's ${a} plus ${b}?`, (a, b) => `Calculate ${a} * ${b}.`,
  (a, b) => `${a} + ${b} = ?`, (a, b) => `How much is ${a} times ${b}?`];

// The world's areas in words, for replies: neutral and casual endings of a sentence. Each scope continues a
// sentence, so only the pronoun I is capitalised.
const SCOPES = ['I know capitals, small sums, units and a few animals', 'I can do capitals, sums and unit conversions',
  'I know capitals of a few countries and small sums', 'ask me about capitals, sums, units or animals'];
const CASUAL_SCOPES = ["I'm good with capitals, sums and units", "I'd say try capitals, sums or units"];

/** Most words of a remark's statement: a brief reply is one statement of at most 20 words, openers included. */
export const REMARK_STATEMENT_WORDS = BRIEF_MAX_WORDS - 5;

const WHAT_I_AM = ['I am a small agent that learns from your replies.', 'I learn from how you reply to me.',
  'I am a small agent, and I get better from your replies.'];
const TRY_THIS = ['Try asking me the capital of a country or a small sum.', 'You could ask me to convert some units.',
  'Ask me about a country, a sum or an animal.'];

/**
 * `<opening>, but <scope>.` or `<opening>; <scope>.` for each opening and scope, short enough for a brief reply, so
 * that every reply says what the agent can do.
 */
function outside(openings: readonly string[], casualOpenings: readonly string[]): AnswerForms {
  const join = (o: string, s: string, i: number) => (i % 2 === 0 ? `${o}, but ${s}.` : `${o}; ${s}.`);
  const short = (ss: string[]) => ss.filter((s) => wordCount(s) <= REMARK_STATEMENT_WORDS);
  return {
    statements: short(openings.flatMap((o) => SCOPES.map((s, i) => join(o, s, i)))),
    casualStatements: short([...casualOpenings.flatMap((o) => SCOPES.map((s, i) => join(o, s, i))),
      ...openings.flatMap((o) => CASUAL_SCOPES.map((s, i) => join(o, s, i)))]),
    explanations: [...WHAT_I_AM, ...TRY_THIS],
  };
}

const SMALL_TALK_FORMS: Readonly<Record<'greeting' | 'thanks' | 'identity' | 'abilities', AnswerForms>> = {
  greeting: {
    statements: ['Hello, I can help with capitals, small sums, units and a few animals.',
      'Hi, I am a small agent that knows capitals, sums and units.',
      'Hello, ask me about capitals, sums, units or a few animals.'],
    casualStatements: ["Hi, I'm a small agent that knows capitals, sums and units.",
      "Hey, I'm here for capitals, small sums, units and animals."],
    explanations: WHAT_I_AM,
  },
  thanks: {
    statements: ['You are welcome.', 'You are welcome, ask me more about capitals, sums or units.',
      'Happy to help with capitals, sums and units any time.'],
    casualStatements: ["You're welcome.", "You're welcome, there's more on capitals, sums and units."],
    explanations: TRY_THIS,
  },
  identity: {
    statements: ['I am a small agent that learns from your replies.',
      'I am a small agent that knows capitals, small sums and units.',
      'I am a small agent; I know capitals, sums, units and animals.'],
    casualStatements: ["I'm a small agent that learns from your replies.", "I'm a tiny agent that knows capitals, sums and units."],
    explanations: ['I know capitals of a few countries, small sums, unit conversions and a few animals and objects.',
      'I learn from how you reply to me.'],
  },
  abilities: {
    statements: ['I know capitals of a few countries, small sums, units and a few animals.',
      'I can answer questions about capitals, small sums and unit conversions.',
      'I can tell you capitals, do small sums and convert units.'],
    casualStatements: ["I'm good at capitals, small sums, unit conversions and a few animals.",
      "I'll do capitals, small sums, units and a few animals."],
    explanations: WHAT_I_AM,
  },
};

const OUTSIDE_FORMS: Readonly<Record<'big-numbers' | 'joke' | 'weather' | 'poem' | 'general' | 'gibberish', AnswerForms>> = {
  'big-numbers': outside(['Those numbers are too big for me', 'I only work with small numbers'],
    ["Those numbers are too big for me, I'm afraid", "I can't do sums that big"]),
  joke: outside(['I do not know any jokes', 'I am not good at jokes'], ["I don't know any jokes", "Jokes aren't my thing"]),
  weather: outside(['I cannot see the weather', 'I do not know the weather'], ["I can't see the weather", "I don't know the weather"]),
  poem: outside(['I cannot write poems', 'I do not write poems'], ["I can't write poems", "Poems aren't my thing"]),
  general: outside(['I do not know that', 'I cannot help with that', 'That is outside what I know'],
    ["I don't know that", "Sorry, that's not something I know"]),
  gibberish: outside(['I do not understand that', 'I could not read that'], ["I don't understand that", "Sorry, I can't read that"]),
};

function countryForms(c: string): AnswerForms {
  return outside([`I do not know the capital of ${c}`, `${c} is not in my table`],
    [`I don't know the capital of ${c}`, `Sorry, ${c} isn't in my table`]);
}

function thingForms(plural: string): AnswerForms {
  return outside([`I do not know about ${plural}`, `I have no facts about ${plural}`],
    [`I don't know about ${plural}`, `Sorry, ${plural} aren't in what I know`]);
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** A string of random letters: one to three "words" of two to eight letters, sometimes with '?' or '!!'. */
function gibberish(rng: Rng): string {
  const words = Array.from({ length: 1 + randomInt(rng, 3) }, () =>
    Array.from({ length: 2 + randomInt(rng, 7) }, () => LETTERS[randomInt(rng, LETTERS.length)]).join(''));
  return words.join(' ') + pick(rng, ['', '', '?', '!!', '...']);
}

/** A remark of the kind, with its text from a template of the split. */
function sampleOfKind(kind: RemarkKind, rng: Rng, split: Split): Remark | undefined {
  if (kind === 'gibberish') return { id: 'remark:gibberish', kind, text: gibberish(rng), forms: OUTSIDE_FORMS.gibberish };
  if (kind === 'big-numbers') {
    const a = 21 + randomInt(rng, 980);
    const b = 13 + randomInt(rng, 988);
    const i = randomInt(rng, BIG_TEMPLATES.length);
    const id = `remark:${kind}:${i}`;
    return splitOf(id) === split ? { id, kind, text: BIG_TEMPLATES[i](a, b), forms: OUTSIDE_FORMS[kind] } : undefined;
  }
  if (kind === 'unknown-country') {
    const c = pick(rng, UNKNOWN_COUNTRIES);
    const i = randomInt(rng, COUNTRY_TEMPLATES.length);
    const id = `remark:${kind}:${c}:${i}`;
    return splitOf(id) === split ? { id, kind, text: COUNTRY_TEMPLATES[i](c), forms: countryForms(c) } : undefined;
  }
  if (kind === 'unknown-thing') {
    const [name, plural] = pick(rng, UNKNOWN_THINGS);
    const i = randomInt(rng, THING_TEMPLATES.length);
    const id = `remark:${kind}:${name}:${i}`;
    return splitOf(id) === split ? { id, kind, text: THING_TEMPLATES[i](name, plural), forms: thingForms(plural) } : undefined;
  }
  const templates = TEMPLATES[kind];
  const i = randomInt(rng, templates.length);
  const id = `remark:${kind}:${i}`;
  if (splitOf(id) !== split) return undefined;
  const forms = kind in SMALL_TALK_FORMS ? SMALL_TALK_FORMS[kind as keyof typeof SMALL_TALK_FORMS]
    : OUTSIDE_FORMS[kind as keyof typeof OUTSIDE_FORMS];
  return { id, kind, text: templates[i], forms };
}

/** A random remark of the split: kind by REMARK_WEIGHTS, then a template of the split. */
export function sampleRemark(rng: Rng, split: Split): Remark {
  for (;;) {
    const kind = pickWeighted(rng, Object.keys(REMARK_WEIGHTS) as RemarkKind[], (k) => REMARK_WEIGHTS[k]);
    const r = sampleOfKind(kind, rng, split);
    if (r) return r;
  }
}

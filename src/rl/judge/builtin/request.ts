/**
 * What a user message asks for, as comparable keys: content-word stems, numbers and arithmetic
 * operations. Two messages with the same keys ask the same thing (a rephrased repeat: METHOD §2);
 * a message with keys of its own asks something new (the user moves on).
 */
import { stem, tokenize, type Token } from './text.ts';

/** The comparable parts of a request. */
export interface RequestKeys {
  words: Set<string>;
  numbers: string[];
  operations: Set<string>;
}

const OPERATIONS: Record<string, string> = {
  '+': 'add', plus: 'add', sum: 'add', add: 'add', added: 'add',
  '-': 'subtract', minus: 'subtract', subtract: 'subtract', subtracted: 'subtract', difference: 'subtract',
  '×': 'multiply', '*': 'multiply', x: 'multiply', times: 'multiply', multiplied: 'multiply', multiply: 'multiply', product: 'multiply',
  '/': 'divide', '÷': 'divide', divided: 'divide', divide: 'divide', over: 'divide',
  squared: 'square', '²': 'square', cubed: 'cube', '³': 'cube', '^': 'power', power: 'power',
};

// Words that carry no topic: question words, politeness, fillers, and the vocabulary of asking itself.
const NO_TOPIC = new Set(`a an the and or of in on at to for from by with is are was were be been am do does did done it its it's
this that that's these those there there's here what what's which who whom whose when where why how many much please pls plz can could would
will shall should may might must i i'm me my mine you your yours we us our they them he she his her just now then so also too very
tell give show say said ask asked know need want wanted get got make makes made find let let's try some any one another next
again question questions answer answers ok okay k sure hmm hm well oh really yes no not thanks thank but about and if
whether quick simple still actually equal equals get gets result value number look looks seem seems sound sounds
don't doesn't didn't isn't wasn't aren't can't cannot won't never nothing i'd i'll you're lol haha huh oh ah uh um
wow omg sorry think thought guess maybe pretty`.split(/\s+/));

/** The keys of a request's text. */
export function requestKeys(text: string): RequestKeys {
  return keysOf(tokenize(text));
}

export function keysOf(tokens: readonly Token[]): RequestKeys {
  const keys: RequestKeys = { words: new Set(), numbers: [], operations: new Set() };
  for (const { text } of tokens) {
    if (OPERATIONS[text]) keys.operations.add(OPERATIONS[text]);
    else if (/^\d/.test(text)) keys.numbers.push(text.replace(',', '.'));
    else if (/^[a-z]/.test(text) && text.length > 1 && !NO_TOPIC.has(text) && !NO_TOPIC.has(stem(text))) keys.words.add(stem(text));
  }
  keys.numbers.sort();
  return keys;
}

/** Whether a request has anything to ask about. */
export function hasTopic(keys: RequestKeys): boolean {
  return keys.words.size > 0 || keys.numbers.length > 0;
}

/** How much of one word set the other covers, as the Jaccard ratio |A∩B| / |A∪B|. */
function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const shared = [...a].filter((w) => b.has(w)).length;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/** Share of topic words two requests must have in common to be the same request. */
export const SAME_REQUEST_OVERLAP = 0.5;

/**
 * Whether `next` asks again what `previous` asked. With numbers on either side, it takes the same numbers,
 * no conflicting operation and no unrelated topic words ("12 times 12, what is it?"); otherwise the topic words must overlap
 * by at least half ("Nigeria capital??" after "What is the capital of Nigeria?").
 */
export function isSameRequest(next: RequestKeys, previous: RequestKeys): boolean {
  if (!hasTopic(next) || !hasTopic(previous)) return false;
  if (next.numbers.length > 0 || previous.numbers.length > 0) {
    if (next.numbers.join(' ') !== previous.numbers.join(' ')) return false;
    const conflicting = next.operations.size > 0 && previous.operations.size > 0 && ![...next.operations].some((op) => previous.operations.has(op));
    const otherTopic = next.words.size > 0 && previous.words.size > 0 && ![...next.words].some((w) => previous.words.has(w));
    return !conflicting && !otherTopic;
  }
  return overlap(next.words, previous.words) >= SAME_REQUEST_OVERLAP;
}

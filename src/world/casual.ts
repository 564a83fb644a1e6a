/**
 * Messages typed the way visitors type them (issue 14): a question's text, or one of its shorthands
 * ("12*3?", "5 km in m"), with a greeting, a thanks or a filler word in front ("hey", "pls", "quick question:"),
 * lowercase or ALL CAPS, without its final punctuation, with US spellings (meters, liters) and common typos.
 * The fact, and so the answer, stays the question's.
 */
import { pick, type Rng } from '../model/rng.ts';

/** What visitors put in front of a question: a filler, a greeting, or a thanks for the last answer. */
export const CASUAL_OPENERS: readonly string[] = ['hey ', 'hey, ', 'hi ', 'hi, ', 'hello, ', 'hi there! ', 'hello there. ',
  'good morning! ', 'yo ', 'hiya, ', 'pls ', 'please ', 'quick question: ', 'question: ', 'ok so ', 'so ', 'um ',
  'hey quick question, ', 'thanks! ', 'thx. ', 'thank you! next: ', 'cool thanks. ', 'ty! ', 'ok and ', 'and '];

/** What visitors put after it. */
const CASUAL_CLOSERS: readonly string[] = [' pls', ' please', ' thx', ' thanks', '??', ' ?', '?!'];

/** US spellings of the world's units. */
const US_SPELLINGS: readonly [RegExp, string][] = [[/metre/g, 'meter'], [/litre/g, 'liter'], [/Metre/g, 'Meter'],
  [/Litre/g, 'Liter']];

/** Common typos of the words the world's questions use. */
const TYPOS: Readonly<Record<string, readonly string[]>> = {
  what: ['waht', 'wat', 'whta'], "what's": ['whats', 'wats'], the: ['teh', 'th'], capital: ['capitol', 'captial', 'capitel'],
  how: ['hw', 'hwo'], many: ['mny', 'manny'], please: ['pls', 'plz', 'pleas'], tell: ['tel', 'tll'], about: ['abt', 'abut'],
  convert: ['conver', 'covert'], multiply: ['multipy', 'multiplie'], calculate: ['calcualte', 'calc'], know: ['kno', 'knwo'],
  you: ['u', 'yu'], are: ['r'], is: ['iz'], much: ['mutch'], city: ['citty'], something: ['somthing', 'smth'],
};

/** One word's letters swapped with its neighbour's, in a word of five letters or more (a slip of the keyboard). */
function swapTypo(text: string, rng: Rng): string {
  const words = text.split(' ');
  const long = words.map((w, i) => [w, i] as const).filter(([w]) => /^[a-z]{5,}$/i.test(w));
  if (long.length === 0) return text;
  const [w, i] = pick(rng, long);
  const at = 1 + Math.floor(rng() * (w.length - 2));
  words[i] = w.slice(0, at) + w[at + 1] + w[at] + w.slice(at + 2);
  return words.join(' ');
}

function wordTypo(text: string, rng: Rng): string {
  const words = text.split(' ');
  const known = words.map((w, i) => [w.toLowerCase(), i] as const).filter(([w]) => Object.hasOwn(TYPOS, w));
  if (known.length === 0) return swapTypo(text, rng);
  const [w, i] = pick(rng, known);
  words[i] = pick(rng, TYPOS[w]);
  return words.join(' ');
}

/** The text typed casually: each change drawn independently, so some casual texts keep most of the original. */
export function casualText(text: string, rng: Rng): string {
  let t = text;
  if (rng() < 0.5) for (const [from, to] of US_SPELLINGS) t = t.replace(from, to);
  if (rng() < 0.25) t = wordTypo(t, rng);
  else if (rng() < 0.1) t = swapTypo(t, rng);
  if (rng() < 0.6) t = t.replace(/[.?!]+$/, '');
  if (rng() < 0.4) t = pick(rng, CASUAL_OPENERS) + t;
  if (rng() < 0.15) t += pick(rng, CASUAL_CLOSERS);
  const casing = rng();
  if (casing < 0.6) t = t.toLowerCase();
  else if (casing < 0.67) t = t.toUpperCase();
  return t;
}

/** A casual message asking the question: one of its shorthands (when its split has one) or its text, typed casually. */
export function casualQuestionText(q: { text: string; shorthands: readonly string[] }, rng: Rng): string {
  const base = q.shorthands.length > 0 && rng() < 0.4 ? pick(rng, q.shorthands) : q.text;
  return casualText(base, rng);
}

/**
 * Checkers for the visitor set (issue 14): whether a reply answers the world fact a casual message asks
 * about, whether a reply to an off-topic message invents a fact, and whether it states the agent's scope.
 */
import { allQuestions, type Question } from '../questions.ts';
import { CAPITALS } from '../topics/capitals.ts';
import { THINGS } from '../topics/descriptions.ts';
import { containsPhrase, numbersIn } from '../text.ts';

let byFact: Map<string, Question> | undefined;

/** A world question about the fact `<topic>:<key>` (any phrasing: they share one checker), or undefined. */
export function questionOfFact(fact: string): Question | undefined {
  if (!byFact) {
    byFact = new Map();
    for (const q of allQuestions()) {
      const key = q.id.slice(0, q.id.lastIndexOf(':'));
      if (!byFact.has(key)) byFact.set(key, q);
    }
  }
  return byFact.get(fact);
}

/** True when the reply states the right answer to the fact, by the world's own checker. */
export function answersFact(fact: string, reply: string): boolean {
  const q = questionOfFact(fact);
  if (!q) throw new Error(`answersFact: the world has no fact "${fact}"`);
  return q.check(reply);
}

/**
 * The facts a reply states that the message did not ask for: every number not in the message, every capital
 * of the world's table not named in the message, and every description fact of the world (its thing and
 * one of its keywords). An honest off-topic reply states none; so a scope sentence says "small numbers" and
 * "the capitals of a few countries", not "1 to 20" or "Paris".
 */
export function inventedFacts(reply: string, message: string): string[] {
  const asked = new Set(numbersIn(message));
  const facts: string[] = numbersIn(reply).filter((n) => !asked.has(n)).map(String);
  for (const { capital } of CAPITALS) if (containsPhrase(reply, capital) && !containsPhrase(message, capital)) facts.push(capital);
  for (const t of THINGS) {
    const named = [t.name, t.plural].some((w) => containsPhrase(reply, w));
    const keyword = t.keywords.find((k) => containsPhrase(reply, k));
    if (named && keyword && !containsPhrase(message, t.name)) facts.push(`${t.name}: ${keyword}`);
  }
  return facts;
}

// The four things the world knows, each as the words a scope sentence uses for it.
const SCOPE_AREAS: readonly (readonly string[])[] = [
  ['capital', 'capitals', 'capital cities', 'countries'],
  ['arithmetic', 'sums', 'maths', 'math', 'add', 'adding', 'subtract', 'multiply', 'small numbers', 'numbers'],
  ['unit', 'units', 'conversion', 'conversions', 'convert', 'converting'],
  ['animals', 'objects', 'things', 'animal', 'object'],
];

/** True when the reply says what the agent knows: it names at least two of the world's four areas. */
export function statesScope(reply: string): boolean {
  return SCOPE_AREAS.filter((words) => words.some((w) => containsPhrase(reply, w))).length >= 2;
}

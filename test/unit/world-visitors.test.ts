/**
 * The visitor set and its checkers (issue 14): the set is hand-written, answerable by the world's checkers
 * and kept out of the corpus; the invented-fact checker flags every answer the world can render and no
 * honest scope reply; the scope checker tells a scope sentence from an answer.
 */
import { describe, expect, it } from 'vitest';
import { createRng, pick } from '../../src/model/rng.ts';
import { allQuestions, labelledConversations, randomStyles, renderReply } from '../../src/world/index.ts';
import { ASK_AGAIN_OPENERS, MOVE_ON_OPENERS } from '../../src/world/corrections.ts';
import { VISITOR_IN_WORLD, VISITOR_OFF_TOPIC } from '../../src/world/visitors/messages.ts';
import { answersFact, inventedFacts, questionOfFact, statesScope } from '../../src/world/visitors/checks.ts';

// Case, spaces and punctuation ignored; operators kept ("12*3?" is not "12 * 3 = ?").
const normal = (s: string) => s.toLowerCase().replace(/[^a-z0-9+*/=-]/g, '');

describe('the visitor set', () => {
  const texts = [...VISITOR_IN_WORLD, ...VISITOR_OFF_TOPIC].map((m) => m.text);

  it('has at least 150 distinct messages, in-world ones about world facts on every topic, off-topic ones of every kind', () => {
    expect(texts.length).toBeGreaterThanOrEqual(150);
    expect(new Set(texts).size).toBe(texts.length);
    for (const m of VISITOR_IN_WORLD) expect(questionOfFact(m.fact), m.fact).toBeDefined();
    expect(new Set(VISITOR_IN_WORLD.map((m) => m.fact.split(':')[0]))).toEqual(new Set(['capitals', 'arithmetic', 'units', 'descriptions']));
    expect(new Set(VISITOR_OFF_TOPIC.map((m) => m.kind)).size).toBe(10);
  });

  it('is not the world\'s phrasings: no message is a world question, alone or after a corpus opener, even ignoring case, spaces and punctuation', () => {
    const openers = ['', ...MOVE_ON_OPENERS, ...ASK_AGAIN_OPENERS];
    const world = new Set(allQuestions().flatMap((q) => openers.map((o) => normal(o + q.text))));
    for (const t of texts) expect(world.has(normal(t)), t).toBe(false);
  });

  it('stays out of the corpus: no user message of 3000 conversations of either split is a visitor message (case, spaces and punctuation ignored)', () => {
    const visitor = new Set(texts.map(normal));
    for (const split of ['train', 'heldout'] as const) {
      let n = 0;
      for (const c of labelledConversations(7, split)) {
        for (const m of c.messages) if (m.role === 'user') expect(visitor.has(normal(m.content)), m.content).toBe(false);
        if (++n >= 3000) break;
      }
    }
  });
});

describe('answersFact', () => {
  it('agrees with the world checker on replies the world renders for the fact, and rejects another fact\'s answer', () => {
    const rng = createRng(14);
    for (let i = 0; i < 300; i++) {
      const m = pick(rng, VISITOR_IN_WORLD);
      const q = questionOfFact(m.fact)!;
      expect(answersFact(m.fact, renderReply(q, randomStyles(rng), rng))).toBe(true);
      const other = pick(rng, VISITOR_IN_WORLD.filter((o) => questionOfFact(o.fact)!.answer !== q.answer && o.fact.split(':')[0] === m.fact.split(':')[0]));
      expect(answersFact(m.fact, renderReply(questionOfFact(other.fact)!, randomStyles(rng), rng)), `${m.fact} vs ${other.fact}`).toBe(false);
    }
  });

  it('refuses a fact the world does not have', () => {
    expect(() => answersFact('capitals:Mongolia', 'Ulaanbaatar')).toThrow(/no fact/);
  });
});

describe('inventedFacts', () => {
  it('flags every answer the world can render, in any style, as invented for a greeting or a joke request', () => {
    const rng = createRng(2026);
    const questions = allQuestions();
    const messages = VISITOR_OFF_TOPIC.filter((m) => m.kind === 'greeting' || m.kind === 'joke').map((m) => m.text);
    for (let i = 0; i < 500; i++) {
      const q = pick(rng, questions);
      const reply = renderReply(q, randomStyles(rng, 0.5), rng);
      expect(inventedFacts(reply, pick(rng, messages)), reply).not.toEqual([]);
    }
  });

  it('names what is invented and allows what the message asked about', () => {
    expect(inventedFacts('the capital of norway is ottawa', 'hello! who are you?')).toEqual(['Ottawa']);
    expect(inventedFacts('- The answer is 4! - That is the difference between the two numbers.', 'hi')).toEqual(['4']);
    expect(inventedFacts('An octopus has eight arms.', 'tell me a joke')).toEqual(['octopus: eight arms']);
    expect(inventedFacts('I cannot work out 345 * 678, only small numbers.', 'what is 345 * 678')).toEqual([]);
    expect(inventedFacts('I do not know the weather in Paris.', 'how hot is it in paris right now')).toEqual([]);
  });

  it('passes honest scope replies', () => {
    for (const reply of ['I am a small agent that learns from your replies. I know the capitals of a few countries, sums on small numbers, unit conversions and a few animals and objects.',
      "sorry, i don't know that. ask me about capitals, arithmetic or units! 🙂", 'Hello! What would you like to know?']) {
      expect(inventedFacts(reply, 'tell me a joke'), reply).toEqual([]);
    }
  });
});

describe('statesScope', () => {
  it('is true for a reply naming two or more of the world\'s areas, false for answers and bare greetings', () => {
    expect(statesScope('I know capitals, arithmetic, unit conversions and a few animals.')).toBe(true);
    expect(statesScope("i don't know that, but i can do small sums or convert units")).toBe(true);
    expect(statesScope('The capital of Peru is Lima.')).toBe(false);
    expect(statesScope('Hello! How are you?')).toBe(false);
    expect(statesScope('- The answer is 4! - That is the difference between the two numbers.')).toBe(false);
  });

  it('is false for every answer the world renders', () => {
    const rng = createRng(3);
    for (let i = 0; i < 300; i++) {
      const q = pick(rng, allQuestions());
      const reply = renderReply(q, randomStyles(rng, 0.5), rng);
      expect(statesScope(reply), reply).toBe(false);
    }
  });
});

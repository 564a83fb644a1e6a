/**
 * World-5 (issue 14): questions typed the way visitors type them, small talk, and messages outside the world, with
 * honest replies in every style; and the shipped checkpoint's fixed vocabulary covers every character of the corpus.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng, pick } from '../../src/model/rng.ts';
import { Tokenizer } from '../../src/model/tokenizer.ts';
import { allQuestions, CORPUS_VERSION, labelledConversations, renderReply, STYLE_IDS, styleOf } from '../../src/world/index.ts';
import { CASUAL_OPENERS, casualQuestionText, casualText } from '../../src/world/casual.ts';
import { REMARK_STATEMENT_WORDS, sampleRemark, SMALL_TALK, UNKNOWN_COUNTRIES, UNKNOWN_THINGS, type RemarkKind } from '../../src/world/remarks.ts';
import { CAPITALS } from '../../src/world/topics/capitals.ts';
import { THINGS } from '../../src/world/topics/descriptions.ts';
import { numbersIn, wordCount } from '../../src/world/text.ts';
import { inventedFacts, statesScope } from '../../src/world/visitors/checks.ts';
import type { Styles } from '../../src/world/styles.ts';

function take<T>(gen: Generator<T>, n: number): T[] {
  const out: T[] = [];
  for (const x of gen) {
    out.push(x);
    if (out.length >= n) break;
  }
  return out;
}

const train = take(labelledConversations(11, 'train'), 3000);
const heldout = take(labelledConversations(12, 'heldout'), 1000);
const userTexts = train.flatMap((c) => c.messages.filter((m) => m.role === 'user').map((m) => m.content.split('\n\n[')[0]));
const replies = train.flatMap((c) => c.messages.filter((m) => m.role === 'assistant').map((m) => m.content));

const everyCombination: Styles[] = Array.from({ length: 64 }, (_, bits) =>
  Object.fromEntries(STYLE_IDS.map((id, i) => [id, (bits >> i & 1) === 1])) as Styles);

describe('corpus world-8', () => {
  it('is world-8', () => {
    expect(CORPUS_VERSION).toBe('world-8');
  });

  it('uses only characters of the shipped checkpoint\'s vocabulary (fixed by its embedding), in both splits', () => {
    const manifest = JSON.parse(readFileSync('public/models/nextstate-tiny.json', 'utf8'));
    const shipped = Tokenizer.fromJSON(manifest.tokenizer);
    const vocabulary = new Set(shipped.chars);
    const unknown = new Set<string>();
    for (const c of [...train, ...heldout]) {
      for (const m of c.messages) for (const ch of m.content) if (!vocabulary.has(ch)) unknown.add(ch);
      expect(shipped.encodeConversation(c.messages).ids).not.toContain(shipped.ids.unk);
    }
    expect([...unknown]).toEqual([]);
  });

  it('types user messages the way visitors do: lowercase, all caps, no final punctuation, openers, shorthand', () => {
    const share = (p: (t: string) => boolean) => userTexts.filter(p).length / userTexts.length;
    expect(share((t) => /[a-z]/.test(t) && !/[A-Z]/.test(t))).toBeGreaterThan(0.15);
    expect(share((t) => /[A-Z]{3}/.test(t) && !/[a-z]/.test(t))).toBeGreaterThan(0.01);
    expect(share((t) => !/[.?!]$/.test(t))).toBeGreaterThan(0.15);
    expect(share((t) => CASUAL_OPENERS.some((o) => t.toLowerCase().startsWith(o)))).toBeGreaterThan(0.05);
    expect(share((t) => /^\d+ ?[*xX+-] ?\d+/.test(t))).toBeGreaterThan(0.01);
    expect(share((t) => /\b(meters|liters|milliliters|capitol)\b/i.test(t))).toBeGreaterThan(0.005);
  });

  it('has small talk and messages outside the world, about a fifth of user turns, answered with the agent\'s scope', () => {
    const scoped = replies.filter((r) => statesScope(r)).length / replies.length;
    expect(scoped).toBeGreaterThan(0.1);
    expect(scoped).toBeLessThan(0.3);
    // a hinted reply to a remark follows the hint like any other (the corpus test checks every hinted reply)
    const hintedRemarks = train.filter((c) => c.kind === 'hinted' && statesScope(c.messages[c.messages.length - 1].content));
    expect(hintedRemarks.length).toBeGreaterThan(50);
  });
});

describe('casual question forms', () => {
  const rng = createRng(5);
  const questions = allQuestions();

  it('keep every number of the question, so the answer stays the question\'s', () => {
    for (let i = 0; i < 3000; i++) {
      const q = pick(rng, questions);
      const text = casualQuestionText(q, rng);
      const expected = q.topic === 'descriptions' ? [] : numbersIn(q.text).filter((n) => n !== 0);
      expect(numbersIn(text).filter((n) => n !== 0).sort(), `${q.text} -> ${text}`).toEqual(expected.sort());
    }
  });

  it('write units the US way and change at least something most of the time', () => {
    const unit = questions.find((q) => q.text.includes('kilometres'))!;
    const texts = Array.from({ length: 400 }, () => casualText(unit.text, rng));
    expect(texts.some((t) => /kilometers/i.test(t))).toBe(true);
    expect(texts.filter((t) => t === unit.text).length / texts.length).toBeLessThan(0.2);
  });

  it('keep shorthands in the question\'s split: no shorthand text is both a train and a held-out one', () => {
    const trainShort = new Set(questions.filter((q) => q.split === 'train').flatMap((q) => q.shorthands));
    const heldShort = questions.filter((q) => q.split === 'heldout').flatMap((q) => q.shorthands);
    expect(heldShort.length).toBeGreaterThan(100);
    for (const s of heldShort) expect(trainShort.has(s), s).toBe(false);
    const arithmetic = questions.filter((q) => q.topic === 'arithmetic' && q.shorthands.length > 0);
    const sorted = (t: string) => numbersIn(t).sort((a, b) => a - b);
    for (const q of arithmetic) for (const s of q.shorthands) expect(sorted(s)).toEqual(sorted(q.text));
  });
});

describe('remarks', () => {
  const rng = createRng(8);
  const sample = Array.from({ length: 600 }, () => sampleRemark(rng, 'train'));
  const held = Array.from({ length: 300 }, () => sampleRemark(rng, 'heldout'));

  it('covers every kind, and no template is in both splits', () => {
    const kinds = new Set<RemarkKind>(sample.map((r) => r.kind));
    expect(kinds.size).toBe(12);
    const trainIds = new Set(sample.filter((r) => r.kind !== 'gibberish').map((r) => r.id));
    for (const r of held.filter((x) => x.kind !== 'gibberish')) expect(trainIds.has(r.id), r.id).toBe(false);
  });

  it('asks about countries and things the world does not know', () => {
    for (const c of UNKNOWN_COUNTRIES) expect(CAPITALS.some((r) => r.country === c)).toBe(false);
    for (const [name] of UNKNOWN_THINGS) expect(THINGS.some((t) => t.name === name)).toBe(false);
  });

  it('are answered in all 64 style combinations with no invented fact, short enough for a brief reply', () => {
    for (const r of sample.slice(0, 120)) {
      for (const s of [...r.forms.statements, ...r.forms.casualStatements]) expect(wordCount(s)).toBeLessThanOrEqual(REMARK_STATEMENT_WORDS);
      for (const styles of everyCombination) {
        const reply = renderReply(r, styles, rng);
        expect(styleOf(reply), reply).toEqual(styles);
        expect(inventedFacts(reply, r.text), `${r.text} -> ${reply}`).toEqual([]);
        // outside the world, every reply (brief ones too) says what the agent can do
        if (!SMALL_TALK.includes(r.kind)) expect(statesScope(reply), `${r.text} -> ${reply}`).toBe(true);
      }
    }
  });

  it('answer small talk with what the agent is or knows', () => {
    for (const r of sample.filter((x) => x.kind === 'identity' || x.kind === 'abilities' || x.kind === 'greeting')) {
      for (const s of [...r.forms.statements, ...r.forms.casualStatements, ...r.forms.explanations]) {
        expect(statesScope(s) || /small agent|learn/.test(s), s).toBe(true);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { HINT_PREFIX, type Message } from '../../src/model/chat.ts';
import { createRng } from '../../src/model/rng.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';
import {
  allQuestions, conversations, CORRECTIONS, HINT_DIMENSION_WEIGHTS, HINT_PHRASINGS, hintedPrompt, JUDGE_HINTS, labelledConversations,
  sampleHeldoutQuestion, sampleQuestion, STYLE_IDS, styleOf, withHint, type LabelledConversation, type StyleId,
} from '../../src/world/index.ts';

function take<T>(gen: Generator<T>, n: number): T[] {
  const out: T[] = [];
  for (const x of gen) {
    out.push(x);
    if (out.length >= n) break;
  }
  return out;
}

const train = take(labelledConversations(1, 'train'), 3000);
const heldout = take(labelledConversations(2, 'heldout'), 1000);

/** The question a user message asks, without openers or the hint line. */
function askedText(content: string): string {
  return content.split(HINT_PREFIX)[0];
}

describe('train/heldout split', () => {
  it('splits question texts into disjoint sets, about one in five held out', () => {
    const qs = allQuestions();
    const trainTexts = new Set(qs.filter((q) => q.split === 'train').map((q) => q.text));
    const heldTexts = qs.filter((q) => q.split === 'heldout').map((q) => q.text);
    for (const t of heldTexts) expect(trainTexts.has(t)).toBe(false);
    expect(heldTexts.length / qs.length).toBeGreaterThan(0.15);
    expect(heldTexts.length / qs.length).toBeLessThan(0.25);
    for (const topic of ['arithmetic', 'units', 'capitals', 'descriptions']) {
      expect(qs.some((q) => q.topic === topic && q.split === 'heldout')).toBe(true);
    }
  });

  it('samples questions of the asked split only', () => {
    const rng = createRng(9);
    for (let i = 0; i < 500; i++) {
      expect(sampleQuestion(rng, 'train').split).toBe('train');
      expect(sampleHeldoutQuestion(rng).split).toBe('heldout');
    }
  });

  it('never puts a held-out question into the training corpus, nor a training one into the held-out stream', () => {
    const qs = allQuestions();
    const heldTexts = new Set(qs.filter((q) => q.split === 'heldout').map((q) => q.text));
    const trainTexts = new Set(qs.filter((q) => q.split === 'train').map((q) => q.text));
    const asks = (c: LabelledConversation[]) =>
      c.flatMap((x) => x.messages.filter((m) => m.role === 'user').map((m) => askedText(m.content)));
    // The message is the question itself or an opener, a space, then the question.
    const endsWithAny = (texts: Set<string>, s: string) =>
      texts.has(s) || [...s.matchAll(/ /g)].some((m) => texts.has(s.slice(m.index + 1)));
    for (const s of asks(train)) expect(endsWithAny(heldTexts, s), s).toBe(false);
    for (const s of asks(heldout)) expect(endsWithAny(trainTexts, s), s).toBe(false);
  });
});

describe('corpus', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = take(conversations(1, 'train'), 200);
    expect(a).toEqual(train.slice(0, 200).map((c) => c.messages));
    const b = take(conversations(2, 'train'), 200);
    expect(b).not.toEqual(a);
  });

  it('keeps every conversation within 320 tokens', () => {
    const tok = defaultTokenizer();
    for (const c of [...train, ...heldout]) expect(tok.encodeConversation(c.messages).ids.length).toBeLessThanOrEqual(320);
  });

  it('mixes every kind in sensible proportions and ends every conversation on an assistant reply', () => {
    const count = (k: string) => train.filter((c) => c.kind === k).length / train.length;
    expect(count('plain')).toBeGreaterThan(0.2);
    expect(count('hinted')).toBeGreaterThan(0.2);
    expect(count('correction')).toBeGreaterThan(0.08);
    expect(count('moving-on')).toBeGreaterThan(0.08);
    expect(count('tool')).toBeGreaterThan(0.05);
    for (const c of train) expect(c.messages[c.messages.length - 1].role).toBe('assistant');
  });

  it('turns each style on in about 30% of plain replies', () => {
    const replies = train.filter((c) => c.kind === 'plain').map((c) => c.messages[1].content);
    for (const id of STYLE_IDS) {
      const rate = replies.filter((r) => styleOf(r)[id]).length / replies.length;
      expect(rate, id).toBeGreaterThan(0.24);
      expect(rate, id).toBeLessThan(0.36);
    }
  });

  it('writes hinted requests exactly as METHOD §3 and follows the hinted styles', () => {
    const hinted = train.filter((c) => c.kind === 'hinted');
    const seenCanonical = new Set<string>();
    const phrasingOf = new Map<string, StyleId>();
    for (const id of STYLE_IDS) for (const h of HINT_PHRASINGS[id]) phrasingOf.set(h, id);
    for (const c of hinted) {
      const users = c.messages.filter((m) => m.role === 'user');
      const last = users[users.length - 1];
      const parts = last.content.split("\n\n[user's hint / instruction]\n");
      expect(parts.length).toBe(2);
      for (const u of users.slice(0, -1)) expect(u.content).not.toContain(HINT_PREFIX);
      // The hint is one or two known phrasings joined by a space.
      const hint = parts[1];
      const dims = [...phrasingOf.entries()].filter(([h]) => hint === h || hint.startsWith(`${h} `) || hint.endsWith(` ${h}`));
      expect(dims.length, hint).toBeGreaterThan(0);
      const reply = styleOf(c.messages[c.messages.length - 1].content);
      for (const [h, id] of dims) {
        expect(reply[id], `${hint} -> ${c.messages[c.messages.length - 1].content}`).toBe(true);
        if (h === JUDGE_HINTS[id]) seenCanonical.add(id);
      }
    }
    expect([...seenCanonical].sort()).toEqual([...STYLE_IDS].sort());
  });

  it('asks for each dimension in proportion to HINT_DIMENSION_WEIGHTS', () => {
    const firstHinted = new Map<StyleId, number>();
    let n = 0;
    for (const c of take(labelledConversations(5, 'train'), 12000)) {
      if (c.kind !== 'hinted') continue;
      const users = c.messages.filter((m) => m.role === 'user');
      const hint = users[users.length - 1].content.split(HINT_PREFIX)[1];
      // Only single-dimension hints: a two-dimension hint's second draw excludes the first.
      const ids = STYLE_IDS.filter((id) => HINT_PHRASINGS[id].includes(hint));
      if (ids.length !== 1) continue;
      firstHinted.set(ids[0], (firstHinted.get(ids[0]) ?? 0) + 1);
      n++;
    }
    const total = STYLE_IDS.reduce((s, id) => s + HINT_DIMENSION_WEIGHTS[id], 0);
    for (const id of STYLE_IDS) {
      const expected = HINT_DIMENSION_WEIGHTS[id] / total;
      expect((firstHinted.get(id) ?? 0) / n, id).toBeCloseTo(expected, 1);
    }
    expect(HINT_DIMENSION_WEIGHTS.brief).toBeGreaterThan(HINT_DIMENSION_WEIGHTS.lowercase);
  });

  it('follows a correction with the same answer changed in the corrected style only', () => {
    const corrections = train.filter((c) => c.kind === 'correction');
    expect(corrections.length).toBeGreaterThan(100);
    let stated = 0;
    for (const c of corrections) {
      const [, missed, complaint, fixed] = c.messages;
      const before = styleOf(missed.content);
      const after = styleOf(fixed.content);
      const changed = STYLE_IDS.filter((id) => before[id] !== after[id]);
      expect(changed.length, `${missed.content} / ${fixed.content}`).toBe(1);
      const [id] = changed;
      if (CORRECTIONS[id].on.includes(complaint.content)) { stated++; expect(after[id]).toBe(true); }
      if (CORRECTIONS[id].off.includes(complaint.content)) { stated++; expect(after[id]).toBe(false); }
      // A next question after a correction keeps the corrected style.
      if (c.messages.length > 4) expect(styleOf(c.messages[5].content)[id]).toBe(after[id]);
    }
    expect(stated / corrections.length).toBeGreaterThan(0.7);
  });

  it('answers the question in the tool format: call, result, reply with the result', () => {
    const tools = train.filter((c) => c.kind === 'tool');
    let calls = 0;
    for (const c of tools) {
      expect(c.messages[0].role).toBe('system');
      const call = c.messages.findIndex((m) => m.role === 'assistant' && m.content.startsWith('call '));
      if (call < 0) continue;
      calls++;
      const expr = /^call (calculator|lookup): (.+)$/.exec(c.messages[call].content);
      expect(expr, c.messages[call].content).not.toBeNull();
      const result = c.messages[call + 1];
      expect(result.role).toBe('tool');
      expect(result.content.startsWith('result: ')).toBe(true);
      const value = result.content.slice('result: '.length);
      if (expr![1] === 'calculator') {
        const [a, op, b] = expr![2].split(' ');
        const expected = op === '+' ? +a + +b : op === '-' ? +a - +b : +a * +b;
        expect(Number(value)).toBe(expected);
      }
      expect(c.messages[call + 2].content.toLowerCase()).toContain(value.toLowerCase());
    }
    expect(calls / tools.length).toBeGreaterThan(0.6);
  });

  it('has no other conversation call a tool', () => {
    for (const c of train.filter((x) => x.kind !== 'tool')) {
      expect(c.messages.some((m) => m.role === 'tool' || m.role === 'system')).toBe(false);
      expect(c.messages.some((m) => m.role === 'assistant' && /^call \w+:/.test(m.content))).toBe(false);
    }
  });
});

describe('hint helpers', () => {
  it('builds the prompt with and without the canonical hint line', () => {
    const q = sampleQuestion(createRng(4), 'heldout');
    const p = hintedPrompt(q, 'brief');
    expect(p.withoutHint).toEqual([{ role: 'user', content: q.text }]);
    expect(p.withHint).toEqual([{ role: 'user', content: `${q.text}\n\n[user's hint / instruction]\n${JUDGE_HINTS.brief}` }]);
    const two = hintedPrompt(q, ['lowercase', 'emoji']);
    expect(two.hint).toBe(`${JUDGE_HINTS.lowercase} ${JUDGE_HINTS.emoji}`);
  });

  it('appends the hint to the last user message, else the last message, else a lone user message (METHOD §3)', () => {
    const msgs: Message[] = [
      { role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' },
      { role: 'assistant', content: 'd' },
    ];
    const out = withHint(msgs, 'hint!');
    expect(out.map((m) => m.content)).toEqual(['a', 'b', `c${HINT_PREFIX}hint!`, 'd']);
    expect(msgs[2].content).toBe('c');
    expect(withHint([{ role: 'tool', content: 'x' }], 'h')).toEqual([{ role: 'tool', content: `x${HINT_PREFIX}h` }]);
    expect(withHint([], 'h')).toEqual([{ role: 'user', content: 'h' }]);
  });
});

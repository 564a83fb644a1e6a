import { describe, expect, it } from 'vitest';
import { HINT_PREFIX, type Message } from '../../src/model/chat.ts';
import { createRng } from '../../src/model/rng.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';
import {
  allQuestions, conversations, CORRECTIONS, HINT_DIMENSION_WEIGHTS, HINT_PHRASINGS, hintedPrompt, JUDGE_HINTS, labelledConversations,
  sampleHeldoutQuestion, sampleQuestion, STYLE_IDS, styleOf, withHint, type LabelledConversation, type StyleId,
} from '../../src/world/index.ts';
import { KIND_SHARES, LARGE_PRODUCT_SHARE, MAX_CONVERSATION_TOKENS, MAX_HINTED_ACTION_TOKENS, maxTokensOf } from '../../src/world/corpus.ts';
import { terminalConversation, TERMINAL_RECOVERY_SHARE } from '../../src/world/agent-conversations.ts';
import {
  checkToolAnswer, MAX_ACTIONS, parseCommand, TERMINAL, TERMINAL_SYSTEM_PROMPT, TOOL_USE, toolStep, type ToolTask,
} from '../../src/world/environments/index.ts';
import { PRODUCT_FACTORS } from '../../src/world/environments/tool-use.ts';

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


  it('mixes every kind in sensible proportions and ends every conversation on an assistant reply', () => {
    const count = (k: string) => train.filter((c) => c.kind === k).length / train.length;
    expect(count('plain')).toBeGreaterThan(0.15);
    expect(count('hinted')).toBeGreaterThan(0.2);
    expect(count('correction')).toBeGreaterThan(0.08);
    expect(count('moving-on')).toBeGreaterThan(0.08);
    expect(count('tool')).toBeGreaterThan(0.05);
    expect(count('terminal')).toBeGreaterThan(0.05);
    expect(count('hinted-action')).toBeGreaterThan(0.15);
    for (const c of train) expect(c.messages[c.messages.length - 1].role).toBe('assistant');
  });

  it('turns each style on in about 30% of plain replies', () => {
    // 10,000 conversations (about 1,800 plain replies): the bounds are 5 standard errors from 0.3.
    const replies = take(labelledConversations(1, 'train'), 10000).filter((c) => c.kind === 'plain').map((c) => c.messages[1].content);
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
    for (const c of train.filter((x) => x.kind !== 'tool' && x.kind !== 'terminal' && x.kind !== 'hinted-action')) {
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

describe('corpus shares, lengths and characters', () => {
  it('has kind shares that sum to 1, each drawn about as often as its share', () => {
    const kinds = Object.keys(KIND_SHARES) as (keyof typeof KIND_SHARES)[];
    expect(kinds.reduce((sum, k) => sum + KIND_SHARES[k], 0)).toBeCloseTo(1, 12);
    for (const k of kinds) {
      const seen = train.filter((c) => c.kind === k).length / train.length;
      // Conversations over the token limit are drawn again, so long kinds land slightly under their share.
      expect(Math.abs(seen - KIND_SHARES[k]), k).toBeLessThan(0.03);
    }
  });

  it('keeps every conversation within MAX_CONVERSATION_TOKENS (a hinted action, whose hint is there, within MAX_HINTED_ACTION_TOKENS) and every character in the vocabulary', () => {
    const tok = defaultTokenizer();
    for (const c of [...train, ...heldout]) {
      const ids = tok.encodeConversation(c.messages).ids;
      expect(ids.length).toBeLessThanOrEqual(c.kind === 'hinted-action' ? MAX_HINTED_ACTION_TOKENS : MAX_CONVERSATION_TOKENS);
      expect(ids.length).toBeLessThanOrEqual(maxTokensOf(c.kind));
      for (const m of c.messages) expect(tok.encodeText(m.content), m.content).not.toContain(tok.ids.unk);
    }
  });
});

/** The tool-use environment's product task for a call `a * b` with one factor in 13–20 (else null). */
function productTask(argument: string): ToolTask | null {
  const m = /^(\d+) \* (\d+)$/.exec(argument);
  if (!m) return null;
  const [a, b] = [Number(m[1]), Number(m[2])];
  const large = (n: number) => n >= PRODUCT_FACTORS.large[0] && n <= PRODUCT_FACTORS.large[1];
  if (!large(a) && !large(b)) return null;
  return { id: `product:${a}x${b}`, environment: 'tool-use', kind: 'product', factors: [a, b], prompt: '', expected: String(a * b),
    correction: '' };
}

describe('tool conversations against the tool-use environment', () => {
  const tools = take(labelledConversations(11, 'train'), 6000).filter((c) => c.kind === 'tool');

  it('announces the tools as the environment does, and every call gets what the environment answers', () => {
    for (const c of tools) {
      expect(c.messages[0]).toEqual({ role: 'system', content: TOOL_USE.systemPrompt });
      c.messages.forEach((m, i) => {
        if (m.role !== 'assistant') return;
        const step = toolStep(m.content);
        if (i === c.messages.length - 1) expect(step, m.content).toBeNull();
        else expect(c.messages[i + 1]).toEqual({ role: 'tool', content: step!.nextState });
      });
    }
  });

  it('practises the environment\'s products (one factor 13–20) and copies their results so its checker passes', () => {
    let large = 0;
    let threeDigits = 0;
    for (const c of tools) {
      const call = c.messages.find((m) => m.role === 'assistant' && m.content.startsWith('call calculator: '));
      const task = call ? productTask(call.content.slice('call calculator: '.length)) : null;
      if (!task) continue;
      large++;
      if (task.expected.length === 3) threeDigits++;
      const answer = c.messages[c.messages.length - 1].content;
      expect(checkToolAnswer(task, answer), `${call!.content} -> ${answer}`).toBe(true);
    }
    expect(large / tools.length).toBeGreaterThan(LARGE_PRODUCT_SHARE * 0.8);
    expect(threeDigits / large).toBeGreaterThan(0.5);
  });
});

describe('terminal conversations against the terminal environment', () => {
  const terminals = train.filter((c) => c.kind === 'terminal');
  const taskRng = createRng(5);
  const prompts = new Set(Array.from({ length: 3000 }, () => TERMINAL.sampleTask(taskRng).prompt));

  it('uses the environment\'s system prompt and tasks, `run:` actions each followed by an `exit N` tool message, and a prose answer', () => {
    expect(terminals.length).toBeGreaterThan(150);
    for (const c of terminals) {
      const [system, user, ...rest] = c.messages;
      expect(system).toEqual({ role: 'system', content: TERMINAL_SYSTEM_PROMPT });
      expect(user.role).toBe('user');
      expect(prompts.has(user.content), user.content).toBe(true);
      const answer = rest.pop()!;
      expect(rest.length % 2).toBe(0);
      expect(rest.length / 2).toBeGreaterThan(0);
      expect(rest.length / 2).toBeLessThan(MAX_ACTIONS);
      for (let i = 0; i < rest.length; i += 2) {
        expect(rest[i].role).toBe('assistant');
        expect(`run: ${parseCommand(rest[i].content)}`).toBe(rest[i].content);
        expect(rest[i + 1].role).toBe('tool');
        expect(rest[i + 1].content).toMatch(/^exit \d+(\n|$)/);
      }
      expect(answer.role).toBe('assistant');
      expect(parseCommand(answer.content)).toBeNull();
    }
  });

  it('shows the outputs the environment gives on re-running the commands in a fresh sandbox, and an answer its checker accepts', () => {
    const rng = createRng(23);
    let recovered = 0;
    for (let n = 0; n < 600; n++) {
      const { task, messages } = terminalConversation(rng, 0.3);
      const episode = TERMINAL.start(task);
      let failedFirst = false;
      messages.slice(2).forEach((m, i, rest) => {
        if (m.role !== 'assistant') return;
        const outcome = episode.step(m.content);
        if (i === rest.length - 1) { expect(outcome, m.content).toBeNull(); return; }
        expect(rest[i + 1], m.content).toEqual({ role: 'tool', content: outcome!.nextState });
        if (i === 0 && !outcome!.nextState.startsWith('exit 0')) failedFirst = true;
      });
      if (failedFirst) recovered++;
      expect(episode.check(messages[messages.length - 1].content), JSON.stringify(messages)).toBe(true);
    }
    expect(recovered / 600).toBeGreaterThan(TERMINAL_RECOVERY_SHARE * 0.7);
  });
});

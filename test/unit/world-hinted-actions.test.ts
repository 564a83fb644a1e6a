/**
 * The corpus kind `hinted-action` (src/world/hinted-actions.ts): environment episodes in the teacher's context
 * (METHOD §3) after the step judge's hint about a wrong action, then the right action.
 */
import { describe, expect, it } from 'vitest';
import { HINT_PREFIX, type Message } from '../../src/model/chat.ts';
import { createRng } from '../../src/model/rng.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';
import { readNextState } from '../../src/rl/judge/builtin/judge.ts';
import { teacherMessages } from '../../src/rl/teacher.ts';
import { KIND_SHARES, labelledConversations, MAX_HINTED_ACTION_TOKENS } from '../../src/world/corpus.ts';
import { hintedActionConversation } from '../../src/world/hinted-actions.ts';
import { NEAR_DIRECTORIES, NEAR_LOG_NAMES, TERMINAL_SYSTEM_PROMPT } from '../../src/world/environments/terminal/terminal.ts';
import { runTool, TOOLS_SYSTEM_PROMPT, parseToolCall } from '../../src/world/tools.ts';

const drawn: Message[][] = [];
let discarded = 0;
for (let s = 1; drawn.length < 600; s++) {
  const c = hintedActionConversation(createRng(s), 'train', 0.3, MAX_HINTED_ACTION_TOKENS);
  if (c) drawn.push(c);
  else discarded++;
}

const isAction = (text: string) => /^(?:call \w+|run): ?\S/.test(text);

/** The conversation's parts: the task without its hint, the hint, and the index of the hinted step. */
function partsOf(c: Message[]): { task: string; hint: string; taskAt: number; at: number } {
  const taskAt = c.findIndex((m) => m.role === 'user');
  const [task, hint] = c[taskAt].content.split(HINT_PREFIX);
  const quoted = /[Tt]he step "([^"]+)"/.exec(hint)![1];
  // A repeat hint quotes the action just before its step; any other hint is about the episode's first action.
  const previous = c.findIndex((m, i) => i > taskAt && m.role === 'assistant' && m.content === quoted);
  const repeat = /had just run/.test(hint) && previous >= 0;
  return { task, hint, taskAt, at: repeat ? previous + 2 : taskAt + 1 };
}

describe('hinted-action conversations', () => {
  it('are the teacher\'s context: teacherMessages of the unhinted messages before the step and the hint, then the step', () => {
    for (const c of drawn) {
      const { task, hint, taskAt, at } = partsOf(c);
      expect(c.filter((m) => m.role === 'user')).toHaveLength(1);
      expect(hint.length).toBeGreaterThan(20);
      const before = c.slice(0, at).map((m, i) => (i === taskAt ? { ...m, content: task } : m));
      expect(teacherMessages(before, hint)).toEqual(c.slice(0, at));
      expect(c[at].role).toBe('assistant');
      expect(c.at(-1)!.role).toBe('assistant');
      expect(defaultTokenizer().encodeConversation(c).ids.length).toBeLessThanOrEqual(MAX_HINTED_ACTION_TOKENS);
    }
  });

  it('carry a hint the step judge gives for a wrong step (-1), and a right step the judge reads as +1', () => {
    let checked = 0;
    for (const c of drawn) {
      const { task, hint, taskAt, at } = partsOf(c);
      const unhinted = c.map((m, i) => (i === taskAt ? { ...m, content: task } : m));
      const quoted = /[Tt]he step "([^"]+)"/.exec(hint)![1];
      expect(quoted).not.toBe(c[at].content);
      // The right step, in the context the judge sees (no hint), with its real next state when the episode shows it.
      const kind = c[0].content === TERMINAL_SYSTEM_PROMPT ? 'terminal' : 'tool-call';
      if (isAction(c[at].content) && c[at + 1]?.role === 'tool') {
        expect(readNextState(c[at].content, { role: 'tool', content: c[at + 1].content }, kind, unhinted.slice(0, at)).score, c[at].content).toBe(1);
        checked++;
      }
      // A wrong calculator call can be run again here: the judge's reading of it is the hint, word for word.
      const call = parseToolCall(quoted);
      if (call && !/had just run/.test(hint)) {
        const reading = readNextState(quoted, { role: 'tool', content: runTool(call) }, 'tool-call', unhinted.slice(0, at));
        expect(reading.score).toBe(-1);
        expect(reading.hint).toBe(hint);
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('follow a hint that writes out the action: the step is that action', () => {
    let written = 0;
    for (const c of drawn) {
      const { hint, at } = partsOf(c);
      const named = /asks for is: (.+)$/.exec(hint)?.[1];
      if (named === undefined) continue;
      written++;
      expect(c[at].content).toBe(named);
    }
    expect(written).toBeGreaterThan(150);
  });

  it('run the calculator for real: each tool message is the tool\'s answer to the call before it', () => {
    for (const c of drawn.filter((x) => x[0].content === TOOLS_SYSTEM_PROMPT)) {
      c.forEach((m, i) => {
        if (m.role === 'tool') expect(m.content).toBe(runTool(parseToolCall(c[i - 1].content)!));
      });
    }
  });

  it('mix both environments, renamed tasks and repeats, and never use a near task\'s name', () => {
    const terminal = drawn.filter((c) => c[0].content === TERMINAL_SYSTEM_PROMPT);
    const tool = drawn.filter((c) => c[0].content === TOOLS_SYSTEM_PROMPT);
    expect(terminal.length + tool.length).toBe(drawn.length);
    expect(terminal.length / drawn.length).toBeGreaterThan(0.3);
    expect(tool.length / drawn.length).toBeGreaterThan(0.3);
    const renamed = terminal.map((c) => /^How many (?:lines mention error in ([\w.-]+)\?|files are in ([\w-]+)\/\?)$/.exec(partsOf(c).task))
      .filter((m) => m !== null && m[1] !== 'app.log' && m[2] !== 'logs').map((m) => m![1] ?? m![2]);
    expect(renamed.length / terminal.length).toBeGreaterThan(0.3);
    // Many names (words and random letters), so that the teacher learns to copy one rather than a list.
    expect(new Set(renamed).size).toBeGreaterThan(renamed.length / 2);
    expect(drawn.filter((c) => /had just run/.test(partsOf(c).hint)).length / drawn.length).toBeGreaterThan(0.1);
    const near = [...NEAR_LOG_NAMES, ...NEAR_DIRECTORIES.map((d) => `${d}/`), ...NEAR_DIRECTORIES.map((d) => `ls ${d}`)];
    // The tasks and the steps taught (a hint may quote a corpus mistake such as `echo ready > docs/alpha.txt`).
    for (const c of drawn) {
      const taught = [partsOf(c).task, ...c.filter((m) => m.role === 'assistant').map((m) => m.content)];
      for (const text of taught) for (const n of near) expect(text.includes(n), `${n} in ${text}`).toBe(false);
    }
    // Draws the judge does not read as a wrong step with a hint are discarded, not kept with a made-up hint.
    expect(discarded).toBeGreaterThan(0);
    expect(discarded / (discarded + drawn.length)).toBeLessThan(0.5);
  });

  it('are a kind of the corpus stream, at about their share', () => {
    let n = 0;
    let kind = 0;
    for (const c of labelledConversations(7, 'train')) {
      if (c.kind === 'hinted-action') {
        kind++;
        expect(c.messages[1].content).toContain(HINT_PREFIX);
      }
      if (++n >= 2000) break;
    }
    expect(kind / n).toBeGreaterThan(0.15);
    expect(kind / n).toBeLessThan(0.25);
  });

  it('take the share a reweighted stream gives them (corpus:dump --shares), the other kinds keeping their proportions', () => {
    const shares = { ...KIND_SHARES, 'hinted-action': 0.6 };
    const kinds: string[] = [];
    for (const c of labelledConversations(7, 'train', shares)) if (kinds.push(c.kind) >= 3000) break;
    const share = (k: string) => kinds.filter((x) => x === k).length / kinds.length;
    expect(share('hinted-action')).toBeGreaterThan(0.6 / 1.4 - 0.04);
    expect(share('hinted-action')).toBeLessThan(0.6 / 1.4 + 0.04);
    expect(share('hinted') / share('plain')).toBeGreaterThan((KIND_SHARES.hinted / KIND_SHARES.plain) * 0.75);
    expect(share('hinted') / share('plain')).toBeLessThan((KIND_SHARES.hinted / KIND_SHARES.plain) * 1.33);
  });
});

/**
 * The environments' near task sets (issue 15; bench:env's default): the corpus's operands and commands asked in
 * words, or on names, the corpus never uses. Each is solved by its reference (the calculator call and its result
 * copied; the reference commands in the sandbox) and failed by a wrong answer, on fresh random tasks; no near
 * prompt is a user message of the corpus stream.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/model/rng.ts';
import { labelledConversations } from '../../src/world/corpus.ts';
import {
  TERMINAL, TOOL_USE, checkToolAnswer, sampleNearTerminalTask, sampleNearToolTask, toolStep, type TerminalTask, type ToolTask,
} from '../../src/world/environments/index.ts';
import { solveTerminalTask } from '../../src/world/environments/terminal/solutions.ts';

const seed = Math.floor(Math.random() * 2 ** 31);

describe(`near tool-use tasks (seed ${seed})`, () => {
  it('ask sums and differences of 2–20 and products of the corpus factors; the calculator result copied passes, anything else fails', () => {
    const rng = createRng(seed);
    const kinds = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const task = TOOL_USE.sampleTask(rng, 'near') as ToolTask;
      kinds.add(task.kind);
      const [a, b] = task.factors;
      // Computed here, independently of tool-use.ts.
      const value = { sum: a + b, difference: a - b, product: a * b, capital: NaN }[task.kind];
      if (task.kind === 'product') expect((a <= 12 && b <= 12) || (a >= 13 && a <= 20 && b >= 3 && b <= 19), task.prompt).toBe(true);
      else for (const x of [a, b]) expect(x >= 1 && x <= 20, task.prompt).toBe(true);
      expect(value).toBeGreaterThan(0);
      expect(task.prompt).toContain(String(a));
      expect(task.prompt).toContain(String(b));
      const sign = { sum: '+', difference: '-', product: '*' }[task.kind as 'sum'];
      expect(toolStep(`call calculator: ${a} ${sign} ${b}`)).toEqual({ nextState: `result: ${value}` });
      expect(checkToolAnswer(task, `It comes to ${value}.`), task.prompt).toBe(true);
      expect(checkToolAnswer(task, `It comes to ${value + 1}.`)).toBe(false);
    }
    expect([...kinds].sort()).toEqual(['difference', 'product', 'sum']);
    expect(sampleNearToolTask(createRng(seed))).toEqual(TOOL_USE.sampleTask(createRng(seed), 'near'));
  });
});

describe(`near terminal tasks (seed ${seed})`, () => {
  it('each is solved by its reference commands on a fresh tree and failed by a wrong count', () => {
    const rng = createRng(seed + 1);
    const kinds = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const task = TERMINAL.sampleTask(rng, 'near') as TerminalTask;
      kinds.add(task.kind);
      const { commands, answer } = solveTerminalTask(task);
      const episode = TERMINAL.start(task);
      const outputs = commands.map((c) => episode.step(`run: ${c}`)!.nextState);
      for (const o of outputs) expect(o, `${task.id}: ${o}`).toMatch(/^exit 0\n\d+$/);
      expect(episode.check(answer(outputs)), `${task.id}: ${outputs.join(' | ')}`).toBe(true);
      // The count from the starting tree, computed here.
      const log = Object.keys(task.files).find((p) => p.endsWith('.log') && p !== 'app.log') ?? 'app.log';
      const count = task.kind.startsWith('count-errors')
        ? task.files[log].split('\n').filter((l) => l.includes('error')).length
        : Object.keys(task.files).filter((p) => p.startsWith(`${task.dirs[0]}/`)).length;
      expect(task.expected).toBe(String(count));
      expect(TERMINAL.start(task).check(`${count + 1}`)).toBe(false);
      // The name the task asks about is in its prompt.
      expect(task.prompt).toContain(task.kind.startsWith('count-errors') ? log : `${task.dirs[0]}/`);
    }
    expect([...kinds].sort()).toEqual(['count-errors-asked', 'count-errors-in', 'count-files-asked', 'count-files-in']);
    expect(sampleNearTerminalTask(createRng(seed))).toEqual(TERMINAL.sampleTask(createRng(seed), 'near'));
  });
});

describe('no near task is in the corpus', () => {
  it('no near prompt is a user message of 10,000 corpus conversations', () => {
    const corpus = new Set<string>();
    let n = 0;
    for (const { messages } of labelledConversations(seed % 1000, 'train')) {
      for (const m of messages) if (m.role === 'user') corpus.add(m.content);
      if (++n >= 10_000) break;
    }
    const rng = createRng(seed + 2);
    for (let i = 0; i < 500; i++) {
      for (const prompt of [TOOL_USE.sampleTask(rng, 'near').prompt, TERMINAL.sampleTask(rng, 'near').prompt]) expect(corpus.has(prompt), prompt).toBe(false);
    }
    // The check can fail: the corpus's own tasks are among its user messages.
    expect(corpus.has('How many lines mention error in app.log?')).toBe(true);
  });
});

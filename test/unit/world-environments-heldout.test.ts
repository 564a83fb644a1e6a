/**
 * The environments' held-out task sets (issue 15): tasks the corpus never shows, each with a checker that the
 * reference solution passes on fresh random trees and a wrong answer fails; and the corpus stream itself is
 * byte-identical to world-6's (hashes computed from main's code before the held-out sets were added).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/model/rng.ts';
import { CORPUS_VERSION, labelledConversations } from '../../src/world/corpus.ts';
import {
  TERMINAL, TOOL_USE, checkToolAnswer, sampleHeldOutTerminalTask, sampleTerminalTask, sampleToolTask, toolStep, type ToolTask,
} from '../../src/world/environments/index.ts';
import { solveTerminalTask } from '../../src/world/environments/terminal/solutions.ts';

const seed = Math.floor(Math.random() * 2 ** 31);

/** The result computed here, independently of tool-use.ts. */
function reference(task: ToolTask): number {
  const [a, b] = task.factors;
  return { product: a * b, sum: a + b, difference: a - b, capital: NaN }[task.kind];
}

describe(`held-out tool-use tasks (seed ${seed})`, () => {
  it('asks products of two factors in 21–99, sums and differences of 3-digit numbers, capitals; checked on the result', () => {
    const rng = createRng(seed);
    const kinds = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const task = TOOL_USE.sampleTask(rng, 'heldout') as ToolTask;
      kinds.add(task.kind);
      if (task.kind === 'capital') {
        expect(checkToolAnswer(task, `The capital is ${task.expected}.`)).toBe(true);
        expect(checkToolAnswer(task, 'The capital is Atlantis.')).toBe(false);
        continue;
      }
      const [a, b] = task.factors;
      if (task.kind === 'product') for (const f of [a, b]) expect(f).toBeGreaterThanOrEqual(21), expect(f).toBeLessThanOrEqual(99);
      else for (const f of [a, b]) expect(f).toBeGreaterThanOrEqual(100), expect(f).toBeLessThanOrEqual(999);
      const value = reference(task);
      expect(value).toBeGreaterThan(0);
      const symbol = { product: '*', sum: '+', difference: '-' }[task.kind];
      // The reference solution: the calculator call, then its result copied.
      expect(toolStep(`call calculator: ${a} ${symbol} ${b}`)).toEqual({ nextState: `result: ${value}` });
      expect(checkToolAnswer(task, `The answer is ${value}.`), task.prompt).toBe(true);
      expect(checkToolAnswer(task, `The answer is ${value + 1}.`)).toBe(false);
      expect(checkToolAnswer(task, `It comes to ${String(value).slice(0, -1)}.`)).toBe(false);
      expect(checkToolAnswer(task, `call calculator: ${a} ${symbol} ${b}`)).toBe(false);
    }
    expect([...kinds].sort()).toEqual(['capital', 'difference', 'product', 'sum']);
  });

  it('never asks a corpus task: no held-out prompt is a corpus prompt', () => {
    const corpus = new Set<string>();
    const held = new Set<string>();
    const rng = createRng(seed + 1);
    for (let i = 0; i < 2000; i++) {
      corpus.add(sampleToolTask(rng).prompt);
      corpus.add(sampleTerminalTask(rng).prompt);
    }
    for (let i = 0; i < 500; i++) {
      held.add(sampleToolTask(rng, 'heldout').prompt);
      held.add(sampleTerminalTask(rng, 'heldout').prompt);
    }
    for (const p of held) expect(corpus.has(p), p).toBe(false);
  });
});

describe(`held-out terminal tasks (seed ${seed})`, () => {
  it('each is solved by its reference solution on fresh random trees, and failed by a wrong answer or an untouched tree', () => {
    const rng = createRng(seed + 2);
    const kinds = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const task = sampleHeldOutTerminalTask(rng);
      kinds.add(task.kind);
      const { commands, answer } = solveTerminalTask(task);
      const good = TERMINAL.start(task);
      const outputs = commands.map((c) => good.step(`run: ${c}`)!.nextState);
      for (const o of outputs) expect(o, `${task.id}: ${o}`).toMatch(/^exit 0/);
      expect(good.check(answer(outputs)), `${task.id}: ${outputs.join(' | ')}`).toBe(true);
      // The count computed here from the starting tree, independently of the sandbox.
      const files = Object.entries(task.files);
      const count = {
        'count-warnings': () => task.files['app.log'].split('\n').filter((l) => l.includes('warning')).length,
        'count-log-files': () => files.filter(([p]) => p.startsWith('logs/') && p.endsWith('.log')).length,
        'count-lines': () => task.files['notes.txt'].split('\n').length - 1,
      }[task.kind as string];
      const idle = TERMINAL.start(task);
      if (count) {
        expect(task.expected).toBe(String(count()));
        expect(good.check(`${count()}`)).toBe(true);
        expect(idle.check(`${count() + 1}`)).toBe(false);
        expect(idle.check(`run: ${commands[0]}`)).toBe(false);
      } else {
        expect(task.kind).toBe('delete-tmp');
        expect(files.some(([p]) => p.endsWith('.tmp')) && files.some(([p]) => !p.endsWith('.tmp'))).toBe(true);
        expect(idle.check('Done.')).toBe(false);
        // Deleting everything is wrong too.
        const all = TERMINAL.start(task);
        all.step(`run: rm ${files.map(([p]) => p).join(' ')}`);
        expect(all.check('Done.')).toBe(false);
      }
    }
    expect([...kinds].sort()).toEqual(['count-lines', 'count-log-files', 'count-warnings', 'delete-tmp']);
  });

  it('the corpus task set stays the default for visitors', () => {
    const a = TERMINAL.sampleTask(createRng(5));
    const b = sampleTerminalTask(createRng(5), 'corpus');
    expect(a).toEqual(b);
    expect(['count-errors', 'count-files', 'move-txt', 'write-file']).toContain(b.kind);
  });
});

describe('the corpus is pinned to its version', () => {
  it(`the first 400 conversations of seeds 1–3 hash as ${CORPUS_VERSION} did when it was made (a changed stream needs a new version)`, () => {
    // world-8 (renamed names that are siblings of familiar ones), computed when it was made. world-7's, before it:
    // 09bee835…, 969a38f3…, 8c4b1bcd…; world-6's: a8c46fe0…, e84b46bc…, d673049b….
    const before: Record<number, string> = {
      1: '57d4536fd9624ef959eb3e14397f5e6cd37a7d25e143e3466ae240c68a3067b0',
      2: 'd29c9c831d3a4f1193947bb4f6dc30d39b9d1a89e54e57bfee098816272dc3e1',
      3: '08f0b11e4370921153366d8027825ef9d5702ce6da08e817e4e71c5947040a38',
    };
    expect(CORPUS_VERSION).toBe('world-8');
    for (const s of [1, 2, 3]) {
      const h = createHash('sha256');
      let n = 0;
      for (const c of labelledConversations(s, 'train')) {
        h.update(JSON.stringify(c.messages));
        h.update('\n');
        if (++n >= 400) break;
      }
      expect(h.digest('hex'), `seed ${s}`).toBe(before[s]);
    }
  });
});

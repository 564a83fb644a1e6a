/**
 * The environments' task sources, actions and checkers: tool calls run (unknown tool and malformed argument
 * give the tool's error), the final answer is checked against an independent computation on fresh random
 * tasks, and every terminal task is solved by the commands a person would type and failed by a wrong one.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/model/rng.ts';
import {
  TERMINAL, TOOL_USE, checkToolAnswer, formatTerminalOutput, parseCommand, sampleTerminalTask, sampleToolTask, toolStep, verdictText,
} from '../../src/world/environments/index.ts';
import { readToolResult } from '../../src/rl/judge/builtin/tool-reading.ts';
import { solveTerminalTask } from '../../src/world/environments/terminal/solutions.ts';

const seed = Math.floor(Math.random() * 2 ** 31);

describe(`tool use (seed ${seed})`, () => {
  it('runs calls; an unknown tool or a malformed argument gets an error; prose is the answer', () => {
    expect(toolStep('call calculator: 17 * 23')).toEqual({ nextState: 'result: 391' });
    expect(toolStep('call lookup: capital of Peru')).toEqual({ nextState: 'result: Lima' });
    expect(toolStep('call calculator: seventeen times 23')?.nextState).toMatch(/^error: /);
    expect(toolStep('call search: capital of Peru')).toEqual({ nextState: 'error: no tool named "search"; the tools are calculator, lookup' });
    expect(toolStep('The answer is 391.')).toBeNull();
    for (const call of ['call calculator: 1 / 0', 'call search: x', 'call lookup: capital of Mars']) expect(readToolResult(toolStep(call)!.nextState, call).score).toBe(-1);
  });

  it('checks the final answer against the product computed here, on fresh tasks', () => {
    const rng = createRng(seed);
    for (let i = 0; i < 200; i++) {
      const task = sampleToolTask(rng);
      const answer = task.kind === 'product' ? String(task.factors[0] * task.factors[1]) : task.expected;
      expect(checkToolAnswer(task, `The answer is ${answer}.`)).toBe(true);
      expect(checkToolAnswer(task, `call calculator: ${answer}`)).toBe(false);
      if (task.kind === 'product') {
        expect(checkToolAnswer(task, `The answer is ${Number(answer) + 1}.`)).toBe(false);
        expect(checkToolAnswer(task, `It comes to ${answer.slice(0, -1)}.`)).toBe(false);
        expect(task.factors[0]).toBeGreaterThan(12);
      }
      expect(verdictText(false, task)).toBe(`That's not right. The answer is ${answer}.`);
    }
  });
});

describe(`terminal (seed ${seed})`, () => {
  it('parses one `run:` line and formats `exit N` with the output', () => {
    expect(parseCommand('run: ls -1 notes')).toBe('ls -1 notes');
    expect(parseCommand('I would run ls')).toBeNull();
    expect(parseCommand('run: ls\nrun: cat a')).toBeNull();
    expect(formatTerminalOutput(0, '', '')).toBe('exit 0');
    expect(formatTerminalOutput(1, '', 'cat: x: No such file or directory\n')).toBe('exit 1\ncat: x: No such file or directory');
  });

  it('every task is solved by the right commands and failed by a wrong answer or a wrong tree', () => {
    const rng = createRng(seed + 1);
    for (let i = 0; i < 100; i++) {
      const task = sampleTerminalTask(rng);
      const { commands, answer } = solveTerminalTask(task);
      const good = TERMINAL.start(task);
      const outputs = commands.map((c) => good.step(`run: ${c}`)!.nextState);
      for (const o of outputs) expect(o).toMatch(/^exit 0/);
      expect(good.step(answer(outputs))).toBeNull();
      expect(good.check(answer(outputs)), `${task.id}: ${outputs.join(' | ')}`).toBe(true);
      // Without the commands: a count guessed one too high, a tree left as it was.
      const idle = TERMINAL.start(task);
      const wrong = task.kind.startsWith('count') ? `${Number(task.expected) + 1}` : 'Done.';
      expect(idle.check(wrong)).toBe(false);
    }
  });

  it('the step judge reads the terminal format: exit 0 worked (even when the output says error), non-zero did not', () => {
    expect(readToolResult('exit 0\n01:00 error: disk full', 'run: cat app.log').score).toBe(1);
    expect(readToolResult('exit 0', 'run: touch a').score).toBe(1);
    expect(readToolResult('exit 1', 'run: grep zzz a').score).toBe(-1);
    expect(readToolResult("exit 2\nls: cannot access 'x': No such file or directory", 'run: ls x').score).toBe(-1);
  });

  it('gives each episode its own tree', () => {
    const task = sampleTerminalTask(createRng(3));
    const a = TERMINAL.start(task);
    const b = TERMINAL.start(task);
    a.step('run: rm -r app.log notes logs README.md');
    expect(b.step('run: ls')!.nextState).not.toBe(a.step('run: ls')!.nextState);
    expect(TOOL_USE.systemPrompt).not.toBe(TERMINAL.systemPrompt);
  });
});

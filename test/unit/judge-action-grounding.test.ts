/**
 * The built-in step judge reads an action against its task and recent history (METHOD §2; issue 15): a call
 * or command that runs without error but on numbers, an operation or names the task never stated is judged -1
 * with a hint naming the task; every action of the corpus, and every reference solution of the environments'
 * task sets, is judged as its output alone says. Fresh random tasks each run.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/model/chat.ts';
import { createRng, randomInt } from '../../src/model/rng.ts';
import { readNextState } from '../../src/rl/judge/builtin/index.ts';
import { readToolResult } from '../../src/rl/judge/builtin/tool-reading.ts';
import { labelledConversations } from '../../src/world/corpus.ts';
import {
  TERMINAL, TERMINAL_SYSTEM_PROMPT, TOOL_USE, TASK_SETS, toolStep, type TerminalTask, type ToolTask,
} from '../../src/world/environments/index.ts';
import { solveTerminalTask } from '../../src/world/environments/terminal/solutions.ts';
import { TOOLS_SYSTEM_PROMPT } from '../../src/world/tools.ts';

const seed = Math.floor(Math.random() * 2 ** 31);

/** The judge's score of `reply` with `nextState` as its tool message, after `context`. */
const judge = (reply: string, nextState: string, context: Message[]) => readNextState(reply, { role: 'tool', content: nextState }, 'tool-call', context);

/** The operation a task asks for, from its kind (not from its words). */
const SIGN: Record<string, string> = { sum: '+', difference: '-', product: '*' };

describe(`the step judge reads an action against its task (seed ${seed})`, () => {
  it('never changes the reading of a corpus action: each is judged as its output alone says', () => {
    let actions = 0;
    let n = 0;
    for (const { messages } of labelledConversations(seed % 1000, 'train')) {
      if (++n > 6000) break;
      messages.forEach((m, i) => {
        if (m.role !== 'assistant' || messages[i + 1]?.role !== 'tool') return;
        actions++;
        const want = readToolResult(messages[i + 1].content, m.content).score;
        expect(judge(m.content, messages[i + 1].content, messages.slice(0, i)).score, `${messages[1].content} → ${m.content}`).toBe(want);
      });
    }
    // Calculator calls with a constant of their own (11 hours → `11 * 60`) and terminal commands are among them.
    expect(actions).toBeGreaterThan(600);
  });

  it('a calculator call on the task numbers and operation is +1; a dropped digit, a stand-in number or another operation is -1 with a hint naming the task', () => {
    const rng = createRng(seed);
    for (const set of TASK_SETS) {
      for (let i = 0; i < 150; i++) {
        const task = TOOL_USE.sampleTask(rng, set) as ToolTask;
        if (task.kind === 'capital') continue;
        const context: Message[] = [{ role: 'system', content: TOOLS_SYSTEM_PROMPT }, { role: 'user', content: task.prompt }];
        const [a, b] = task.factors;
        const right = `call calculator: ${a} ${SIGN[task.kind]} ${b}`;
        expect(judge(right, toolStep(right)!.nextState, context).score, `${task.prompt} → ${right}`).toBe(1);
        // A first operand with a digit dropped or changed (`9 * 11` for 97 × 11, `24 + 8` for 27 + 8): a number the task never stated.
        const stand = [Math.floor(a / 10), ...Array.from({ length: 20 }, (_, k) => a + 1 + randomInt(rng, 5) + k)]
          .find((x) => x > 0 && x !== a && x !== b && !task.prompt.includes(String(x)))!;
        const wrong = `call calculator: ${stand} ${SIGN[task.kind]} ${b}`;
        const read = judge(wrong, toolStep(wrong)!.nextState, context);
        expect(toolStep(wrong)!.nextState).toMatch(/^result: /);
        expect(read.score, `${task.prompt} → ${wrong}`).toBe(-1);
        expect(read.hint).toContain(task.prompt.slice(0, 15));
        const other = Object.values(SIGN).find((s) => s !== SIGN[task.kind])!;
        const swapped = `call calculator: ${a} ${other} ${b}`;
        const readSwapped = judge(swapped, toolStep(swapped)!.nextState, context);
        expect(readSwapped.score, `${task.prompt} → ${swapped}`).toBe(-1);
        // The hint writes out the call the task asks for, so that the teacher can follow it token by token.
        for (const hint of [read.hint, readSwapped.hint]) expect(hint, task.prompt).toContain(`The call the task asks for is: ${right}`);
      }
    }
  });

  it('a lookup of the country the task names is +1', () => {
    const rng = createRng(seed + 1);
    for (const set of TASK_SETS) {
      for (let i = 0; i < 100; i++) {
        const task = TOOL_USE.sampleTask(rng, set) as ToolTask;
        if (task.kind !== 'capital') continue;
        const call = `call lookup: capital of ${task.id.slice('capital:'.length)}`;
        expect(judge(call, toolStep(call)!.nextState, [{ role: 'user', content: task.prompt }]).score, task.prompt).toBe(1);
      }
    }
  });

  it('every reference solution of every terminal task set is +1 step by step; the same command on a name the task never gave is -1, even where it exits 0', () => {
    const rng = createRng(seed + 2);
    for (const set of TASK_SETS) {
      for (let i = 0; i < 150; i++) {
        const task = TERMINAL.sampleTask(rng, set) as TerminalTask;
        const episode = TERMINAL.start(task);
        const context: Message[] = [{ role: 'system', content: TERMINAL_SYSTEM_PROMPT }, { role: 'user', content: task.prompt }];
        for (const command of solveTerminalTask(task).commands) {
          const reply = `run: ${command}`;
          const output = episode.step(reply)!.nextState;
          expect(judge(reply, output, context).score, `${task.prompt} → ${reply}: ${output}`).toBe(1);
          context.push({ role: 'assistant', content: reply }, { role: 'tool', content: output });
        }
        // Each name the solution acts on, renamed to one the task never states (a sibling of the right one).
        const fresh = TERMINAL.start(task);
        const first = solveTerminalTask(task).commands[0];
        const names = first.split('|').flatMap((segment) => segment.trim().split(/[\s>]+/).slice(1))
          .filter((w) => /^[\w/.*]+$/.test(w) && /[a-z]{2}/.test(w));
        for (const name of names) {
          const renamed = name.replace(/[a-z]{2,}/, (m) => `${m}x${randomInt(rng, 90) + 10}`);
          const reply = `run: ${first.replace(name, renamed)}`;
          const read = judge(reply, fresh.step(reply)!.nextState, context.slice(0, 2));
          expect(read.score, `${task.prompt} → ${reply}`).toBe(-1);
          expect(read.hint, reply).toContain(task.prompt.slice(0, 15));
          // Where it writes out a command, it is the reference solution's.
          const written = /The command the task asks for is: (.+)$/.exec(read.hint!)?.[1];
          if (written !== undefined) expect(written, reply).toBe(`run: ${first}`);
          if (/\.\w+$/.test(name) && !name.includes('*')) expect(written, reply).toBe(`run: ${first}`);
        }
      }
    }
  });

  it('a name seen in an earlier output grounds the command that uses it; a pipeline that hides a missing name is -1', () => {
    const task = 'How many lines mention error in the log?';
    const listed: Message[] = [{ role: 'user', content: task }, { role: 'assistant', content: 'run: ls' }, { role: 'tool', content: 'exit 0\nREADME.md\nserver.log' }];
    expect(judge('run: grep -c error server.log', 'exit 0\n3', listed).score).toBe(1);
    expect(judge('run: grep -c error app.log', 'exit 0\n3', listed).score).toBe(-1);
    const count: Message[] = [{ role: 'user', content: 'How many files are in data/?' }];
    // `ls` fails but `wc -l` exits 0.
    const hidden = "exit 0\n0\nls: cannot access 'logs': No such file or directory";
    expect(judge('run: ls logs | wc -l', hidden, count).score).toBe(-1);
    expect(judge('run: ls logs | wc -l', hidden, count).hint).toContain('The command the task asks for is: run: ls data | wc -l');
    expect(judge('run: ls data | wc -l', 'exit 0\n4', count).score).toBe(1);
    // Neither the agent's own earlier command nor the error that names what was missing grounds a retry.
    const retried: Message[] = [...count, { role: 'assistant', content: 'run: ls logs | wc -l' }, { role: 'tool', content: hidden }];
    expect(judge('run: ls logs | wc -l', hidden, retried).score).toBe(-1);
  });

  it('an action repeated right after it ran is -1 (no progress), whatever its output; after another action it is read as usual', () => {
    const rng = createRng(seed + 4);
    for (let i = 0; i < 50; i++) {
      const task = TERMINAL.sampleTask(rng, 'near') as TerminalTask;
      const episode = TERMINAL.start(task);
      const context: Message[] = [{ role: 'system', content: TERMINAL_SYSTEM_PROMPT }, { role: 'user', content: task.prompt }];
      for (const reply of ['run: ls', `run: ${solveTerminalTask(task).commands[0]}`]) {
        const output = episode.step(reply)!.nextState;
        expect(judge(reply, output, context).score, reply).toBe(1);
        const again = [...context, { role: 'assistant' as const, content: reply }, { role: 'tool' as const, content: output }];
        const read = judge(reply, episode.step(reply)!.nextState, again);
        expect(read.score, `${reply} twice`).toBe(-1);
        expect(read.hint).toContain('running it again changes nothing');
        context.push({ role: 'assistant', content: reply }, { role: 'tool', content: output });
      }
    }
    const sum: Message[] = [{ role: 'user', content: 'What is 3 + 4?' }, { role: 'assistant', content: 'call calculator: 3 + 4' }, { role: 'tool', content: 'result: 7' }];
    expect(judge('call calculator: 3 + 4', 'result: 7', sum).score).toBe(-1);
    expect(judge('call calculator: 3 + 4', 'result: 7', [...sum, { role: 'assistant', content: 'call calculator: 4 + 3' }, { role: 'tool', content: 'result: 7' }]).score).toBe(1);
  });

  it('a pipeline whose earlier command failed is -1 though it exits 0; a log full of "error" that exits 0 is +1', () => {
    const rng = createRng(seed + 3);
    for (let i = 0; i < 50; i++) {
      const dir = `d${randomInt(rng, 1000)}`;
      const tree = TERMINAL.start({ id: 'x', environment: 'terminal', kind: 'count-files', prompt: '', expected: '0', correction: '', files: { 'app.log': '01:00 error: disk full\n02:00 worker error: crashed\n' }, dirs: [] } as TerminalTask);
      for (const [line, want] of [[`ls ${dir} | wc -l`, -1], [`nosuch${dir} app.log | wc -l`, -1], ['cat app.log', 1], ['grep error app.log | wc -l', 1]] as const) {
        const output = tree.step(`run: ${line}`)!.nextState;
        expect(output, line).toMatch(/^exit 0/);
        expect(readToolResult(output, `run: ${line}`).score, `${line}: ${output}`).toBe(want);
      }
    }
  });
});

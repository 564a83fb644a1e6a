/**
 * A reference solution for each terminal task: the commands a person would type and the answer they would
 * give after seeing the outputs. The tests solve every task with it; the corpus (a later change) will render
 * terminal conversations from it: system prompt, task, `run:` lines, the sandbox's real `exit N` outputs, answer.
 */
import type { TerminalTask } from './terminal.ts';

export interface TerminalSolution {
  commands: string[];
  /** The final answer, given the `tool` messages the commands produced (`exit 0\n<output>`). */
  answer(outputs: readonly string[]): string;
}

/** The output lines of a `tool` message, without its `exit N` line. */
function body(output: string): string {
  return output.split('\n').slice(1).join('\n');
}

export function solveTerminalTask(task: TerminalTask): TerminalSolution {
  switch (task.kind) {
    case 'count-errors':
      return { commands: ['grep -c error app.log'], answer: (o) => `${body(o[0])} lines of app.log mention error.` };
    case 'count-files':
      return { commands: ['ls logs | wc -l'], answer: (o) => `There are ${body(o[0])} files in logs/.` };
    case 'move-txt':
      return { commands: ['mv *.txt notes/'], answer: () => 'Done: every .txt file is now in notes/.' };
    case 'write-file': {
      const [path, words] = task.expected.split(': ');
      return { commands: [`echo ${words} > ${path}`], answer: () => `Done: ${path} says ${words}.` };
    }
    case 'count-warnings':
      return { commands: ['grep -c warning app.log'], answer: (o) => `${body(o[0])} lines of app.log mention warning.` };
    case 'count-log-files':
      return { commands: ['ls logs/*.log | wc -l'], answer: (o) => `There are ${body(o[0])} .log files in logs/.` };
    case 'delete-tmp':
      return { commands: ['rm *.tmp'], answer: () => 'Done: every .tmp file is deleted.' };
    case 'count-errors-asked':
    case 'count-errors-in': {
      const name = Object.keys(task.files).find((path) => path.endsWith('.log'))!;
      return { commands: [`grep -c error ${name}`], answer: (o) => `${body(o[0])} lines of ${name} mention error.` };
    }
    case 'count-files-asked':
    case 'count-files-in':
      return { commands: [`ls ${task.dirs[0]} | wc -l`], answer: (o) => `There are ${body(o[0])} files in ${task.dirs[0]}/.` };
    case 'count-lines':
      return { commands: ['wc -l notes.txt'], answer: (o) => `notes.txt has ${body(o[0]).split(' ')[0]} lines.` };
  }
}

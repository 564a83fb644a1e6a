/** The environments an agent acts in (METHOD §1–2): tool use and a sandboxed terminal. */
import type { Environment, EnvironmentId } from './environment.ts';
import { TOOL_USE } from './tool-use.ts';
import { TERMINAL } from './terminal/terminal.ts';

export { type Environment, type EnvironmentId, type EnvironmentTask, type Episode, type StepOutcome, MAX_ACTIONS, verdictText, type TaskSet, TASK_SETS } from './environment.ts';
export { TOOL_USE, sampleToolTask, sampleHeldOutToolTask, sampleNearToolTask, toolTaskResult, checkToolAnswer, toolStep, type ToolTask } from './tool-use.ts';
export { TERMINAL, TERMINAL_SYSTEM_PROMPT, formatCommand, parseCommand, formatTerminalOutput, sampleTerminalTask, sampleHeldOutTerminalTask, sampleNearTerminalTask, checkTerminal,
  type TerminalTask } from './terminal/terminal.ts';
export { FileTree } from './terminal/file-tree.ts';
export { runCommandLine } from './terminal/shell.ts';
export { solveTerminalTask, type TerminalSolution } from './terminal/solutions.ts';

export const ENVIRONMENTS: Readonly<Record<EnvironmentId, Environment>> = { 'tool-use': TOOL_USE, terminal: TERMINAL };

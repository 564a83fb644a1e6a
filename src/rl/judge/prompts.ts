/**
 * Judge prompt builders (METHOD §2–3): system + user chat messages for an OpenAI-compatible
 * chat-completions call. Personal chat shows the conversation, the reply and the next state; environments
 * add the task and the recent steps. The wording is ours; the answer format is the shared text protocol.
 * Every text is shown bounded (`boundedText`), so a prompt stays within a judge model's context.
 */
import type { Message } from '../../model/chat.ts';
import { boundedText } from './bounded-text.ts';
import { HINT_END, HINT_START } from './parse.ts';
import type { JudgeRequest } from './types.ts';

/** How many of the turn's latest context messages (and environment steps) a prompt shows. */
export const PROMPT_CONTEXT_MESSAGES = 8;

function transcript(messages: readonly Message[]): string {
  const shown = messages.slice(-PROMPT_CONTEXT_MESSAGES);
  if (shown.length === 0) return '(none)';
  return shown.map((m) => `<${m.role}>\n${boundedText(m.content)}\n</${m.role}>`).join('\n');
}

function nextStateBlock(req: JudgeRequest): string {
  const who = req.nextState.role === 'user' ? 'what the user wrote next' : 'what the tool returned';
  return `## Next state (${req.nextState.role}: ${who})\n${boundedText(req.nextState.content)}`;
}

function situation(req: JudgeRequest): string {
  if (req.kind === 'personal') {
    return [
      `## Conversation so far\n${transcript(req.messages)}`,
      `## Assistant reply under review\n${boundedText(req.reply)}`,
      nextStateBlock(req),
    ].join('\n\n');
  }
  return [
    `## Task (${req.kind} environment)\n${req.task === undefined ? '(not given)' : boundedText(req.task)}`,
    `## Recent steps\n${transcript(req.history ?? req.messages)}`,
    `## Step under review (the agent's action)\n${boundedText(req.reply)}`,
    nextStateBlock(req),
  ].join('\n\n');
}

const EVALUATIVE_SYSTEM_PERSONAL =
  'You grade one reply of an AI assistant by looking at what happened right after it. ' +
  'The message that follows a reply is evidence of how well the reply served the user: ' +
  'thanks, praise or moving on to something new mean it worked; asking again, correcting it, ' +
  'rephrasing the same request or asking for any change (length, tone, format, content) means it did not. ' +
  'A request for a change always counts as negative, never as neutral. ' +
  'Think briefly, then finish with exactly one of \\boxed{1} (worked), \\boxed{-1} (did not work) ' +
  'or \\boxed{0} (the next message does not tell).';

const EVALUATIVE_SYSTEM_ENV =
  'You grade one step of an agent working on a task, by looking at the result that step produced. ' +
  'Judge whether the step moved the task forward: a normal, expected result is good; an error, a stack trace, ' +
  'a failed command, a non-zero exit status or a result that shows the step was wrong is bad. ' +
  'Use the task and the recent steps to decide. ' +
  'Think briefly, then finish with exactly one of \\boxed{1} (good step) or \\boxed{-1} (bad step).';

const DIRECTIVE_SYSTEM =
  'You look back at one reply of an AI agent, knowing what came right after it. ' +
  'Decide whether that next message reveals something that, had the agent known it in advance, ' +
  'would have let it write a better reply: a preference, a correction, a missing fact, the cause of an error. ' +
  `If so, finish with \\boxed{1} followed by a concrete hint of one to three sentences between ${HINT_START} and ${HINT_END}, ` +
  'written as an instruction the agent could follow next time (state the correction itself, not just that one is needed). ' +
  'If the next message teaches nothing useful, finish with \\boxed{-1} and write no hint. ' +
  'Note that \\boxed{1} here means "useful hindsight exists", not "the reply was good".';

/** `evaluativePrompt(req) -> Message[]` (METHOD §2): the PRM prompt asking for reasoning and a boxed ±1/0. */
export function evaluativePrompt(req: JudgeRequest): Message[] {
  const system = req.kind === 'personal' ? EVALUATIVE_SYSTEM_PERSONAL : EVALUATIVE_SYSTEM_ENV;
  return [
    { role: 'system', content: system },
    { role: 'user', content: `${situation(req)}\n\nGrade the reviewed ${req.kind === 'personal' ? 'reply' : 'step'}.` },
  ];
}

/** `directivePrompt(req) -> Message[]` (METHOD §3): the hindsight-hint prompt (boxed 1 + hint, or boxed -1). */
export function directivePrompt(req: JudgeRequest): Message[] {
  return [
    { role: 'system', content: DIRECTIVE_SYSTEM },
    { role: 'user', content: `${situation(req)}\n\nIs there a hint that would have improved the reviewed ${req.kind === 'personal' ? 'reply' : 'step'}?` },
  ];
}

/** The prompt for the request's own signal. */
export function judgePrompt(req: JudgeRequest): Message[] {
  return req.signal === 'evaluative' ? evaluativePrompt(req) : directivePrompt(req);
}

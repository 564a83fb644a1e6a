import { HINT_PREFIX, type Message } from '../model/chat.ts';

/**
 * Which policy scores the reply under the hint (METHOD §3): `frozen` = the policy as first loaded
 * (the reference code; default), `live` = the current policy (the paper's text).
 */
export type TeacherIdentity = 'frozen' | 'live';
export const TEACHER_IDENTITIES: readonly TeacherIdentity[] = ['frozen', 'live'];

/**
 * `teacherMessages(messages, hint)`: the teacher context for hint h (METHOD §3). The last user message
 * is extended by `HINT_PREFIX + hint`; with no user message, the last message; with no messages, a single
 * user message holding `HINT_PREFIX + hint`. The input is not modified.
 */
export function teacherMessages(messages: Message[], hint: string): Message[] {
  if (messages.length === 0) return [{ role: 'user', content: HINT_PREFIX + hint }];
  let target = messages.length - 1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') {
      target = i;
      break;
    }
  }
  return messages.map((m, i) => (i === target ? { role: m.role, content: m.content + HINT_PREFIX + hint } : { ...m }));
}

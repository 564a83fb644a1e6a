import { describe, it, expect } from 'vitest';
import { teacherMessages } from '../../src/rl/teacher.ts';
import { HINT_PREFIX, type Message } from '../../src/model/chat.ts';

describe('teacherMessages (METHOD §3)', () => {
  it('extends the last user message, leaves the input untouched', () => {
    const messages: Message[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'reply' },
      { role: 'user', content: 'second' },
      { role: 'tool', content: 'tool out' },
    ];
    const before = JSON.stringify(messages);
    const t = teacherMessages(messages, 'be brief');
    expect(t[3]).toEqual({ role: 'user', content: "second\n\n[user's hint / instruction]\nbe brief" });
    expect(t.filter((_, i) => i !== 3)).toEqual(messages.filter((_, i) => i !== 3));
    expect(JSON.stringify(messages)).toBe(before);
  });

  it('no user message: extends the last message', () => {
    const t = teacherMessages([{ role: 'system', content: 's' }, { role: 'tool', content: 'x' }], 'h');
    expect(t).toEqual([{ role: 'system', content: 's' }, { role: 'tool', content: 'x' + HINT_PREFIX + 'h' }]);
  });

  it('no messages: a single user message holding the hint line', () => {
    expect(teacherMessages([], 'use lowercase')).toEqual([{ role: 'user', content: HINT_PREFIX + 'use lowercase' }]);
  });
});

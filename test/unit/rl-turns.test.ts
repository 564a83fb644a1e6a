import { describe, it, expect } from 'vitest';
import { pairNextStates, trainableTurns, type LoggedMessage } from '../../src/rl/turns.ts';
import { readWireTags, wireHeaders } from '../../src/rl/wire-tags.ts';

const user = (content: string): LoggedMessage => ({ role: 'user', content });
const tool = (content: string): LoggedMessage => ({ role: 'tool', content });
const main = (content: string): LoggedMessage => ({ role: 'assistant', content, turnType: 'main' });
const side = (content: string): LoggedMessage => ({ role: 'assistant', content, turnType: 'side' });

describe('turns and next states (METHOD §1)', () => {
  const log: LoggedMessage[] = [
    { role: 'system', content: 'sys' },
    user('hi'),
    main('hello'),
    side('Title: greeting'),
    user('what is 2+2?'),
    main('call calc'),
    tool('error: bad input'),
    tool('4'),
    main('it is 4'),
    user('thanks'),
    user('and 3+3?'),
    main('6'),
  ];

  it('numbers main turns from 1 and skips side turns', () => {
    const turns = pairNextStates(log, false);
    expect(turns.map((t) => [t.turn, t.reply.content])).toEqual([[1, 'hello'], [2, 'call calc'], [3, 'it is 4'], [4, '6']]);
  });

  it('the next state is the last user/tool message before the next main turn', () => {
    const turns = pairNextStates(log, false);
    expect(turns.map((t) => t.nextState)).toEqual([
      { role: 'user', content: 'what is 2+2?' },
      { role: 'tool', content: '4' },
      { role: 'user', content: 'and 3+3?' },
      null,
    ]);
    expect(turns.map((t) => t.status)).toEqual(['paired', 'paired', 'paired', 'pending']);
  });

  it('the context leaves out side-turn replies', () => {
    const second = pairNextStates(log, false)[1];
    expect(second.messages.map((m) => m.content)).toEqual(['sys', 'hi', 'hello', 'what is 2+2?']);
    expect(second.index).toBe(5);
  });

  it('end of session: a last turn without a next state does not train; with one, it does', () => {
    expect(pairNextStates(log, true).at(-1)!.status).toBe('ended');
    expect(trainableTurns(log, true).map((t) => t.turn)).toEqual([1, 2, 3]);
    const answered = [...log, user('great')];
    expect(pairNextStates(answered, false).at(-1)).toMatchObject({ status: 'pending', nextState: { role: 'user', content: 'great' } });
    expect(trainableTurns(answered, true).map((t) => t.turn)).toEqual([1, 2, 3, 4]);
  });

  it('a main turn followed directly by the next main turn has no next state', () => {
    const turns = pairNextStates([user('a'), main('x'), main('y'), user('b')], true);
    expect(turns.map((t) => t.status)).toEqual(['ended', 'paired']);
  });

  it('an untagged assistant message is a side turn', () => {
    expect(pairNextStates([user('a'), { role: 'assistant', content: 'x' }, user('b')], true)).toEqual([]);
  });
});

describe('wire tags (METHOD §8)', () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  it('round trip through headers', () => {
    expect(readWireTags(headers(wireHeaders({ sessionId: 'abc', turnType: 'main', sessionDone: true })))).toEqual({
      sessionId: 'abc', turnType: 'main', sessionDone: true,
    });
  });
  it('body fields, and untagged means side', () => {
    expect(readWireTags(headers({}), { session_id: 's1', turn_type: 'main', session_done: true })).toEqual({ sessionId: 's1', turnType: 'main', sessionDone: true });
    expect(readWireTags(headers({}))).toEqual({ sessionId: null, turnType: 'side', sessionDone: false });
    expect(readWireTags(headers({ 'x-turn-type': 'MAIN ' })).turnType).toBe('main');
    expect(readWireTags(headers({ 'X-Turn-Type': 'side' }), { turn_type: 'main' }).turnType).toBe('side');
    for (const word of ['1', 'true', 'YES', ' on ']) expect(readWireTags(headers({ 'X-Session-Done': word })).sessionDone).toBe(true);
    for (const word of ['0', 'false', 'no', 'off', 'done']) expect(readWireTags(headers({ 'X-Session-Done': word })).sessionDone).toBe(false);
    expect(readWireTags(headers({}), { session_done: 1 }).sessionDone).toBe(true);
    // A server that counts untagged requests as main (MetaClaw's rule); a tagged side stays side.
    expect(readWireTags(headers({}), {}, 'main').turnType).toBe('main');
    expect(readWireTags(headers({ 'X-Turn-Type': 'side' }), {}, 'main').turnType).toBe('side');
  });
});

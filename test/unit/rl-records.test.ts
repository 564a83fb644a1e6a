import { describe, it, expect } from 'vitest';
import { RECORD_SCHEMA_VERSION, recordsToJsonl, type DirectiveRecord, type EvaluativeRecord, type TurnRecord } from '../../src/rl/records.ts';
import { parseRecordsJsonl, recordKindOf, RecordError, validateRecord } from '../../src/rl/record-validate.ts';
import { buildSample } from '../../src/rl/sample.ts';
import { DEFAULT_SETTINGS } from '../../src/rl/settings.ts';

const turn: TurnRecord = {
  session_id: 'sess-1', turn: 2, timestamp: 1_700_000_000_000,
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
  prompt_text: '<user>What is the capital of France?<assistant>', response_text: 'PARIS.', tool_calls: [],
  next_state: { role: 'user', content: 'why is it in capitals?' },
};
const evaluative: EvaluativeRecord = { session_id: 'sess-1', turn: 2, score: -1, votes: [-1, null, -1] };
const directive: DirectiveRecord = {
  session_id: 'sess-1', turn: 2, accepted: true, hints: ['Answer in lowercase.'],
  votes: [{ score: 1, hint: 'Answer in lowercase.' }, { score: -1, hint: null }, { score: null, hint: null }],
};

describe('records (METHOD §8)', () => {
  it('turn and judge lines carry exactly the reference field names, in order', () => {
    const lines = recordsToJsonl('turn', [turn], { header: false }).trim().split('\n');
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(['session_id', 'turn', 'timestamp', 'messages', 'prompt_text', 'response_text', 'tool_calls', 'next_state']);
    expect(Object.keys(JSON.parse(recordsToJsonl('evaluative', [evaluative], { header: false })))).toEqual(['session_id', 'turn', 'score', 'votes']);
    expect(Object.keys(JSON.parse(recordsToJsonl('directive', [directive], { header: false })))).toEqual(['session_id', 'turn', 'accepted', 'hints', 'votes']);
  });

  it('export → import round trip, with and without the header line', () => {
    const text = recordsToJsonl('turn', [turn, { ...turn, turn: 3 }]);
    expect(JSON.parse(text.split('\n')[0])).toEqual({ schema: 'nextstate.records', version: RECORD_SCHEMA_VERSION, kind: 'turn' });
    expect(parseRecordsJsonl(text)).toEqual({ kind: 'turn', version: RECORD_SCHEMA_VERSION, records: [turn, { ...turn, turn: 3 }] });
    expect(parseRecordsJsonl(recordsToJsonl('directive', [directive], { header: false })).records).toEqual([directive]);
    const sample = buildSample({ sessionId: 's', turn: 1, policyVersion: 0, promptIds: [1], responseIds: [2, 3], responseLogprobs: [-0.1, -2], score: 1, hints: [] }, DEFAULT_SETTINGS)!;
    expect(parseRecordsJsonl(recordsToJsonl('sample', [sample])).records).toEqual([sample]);
    expect(parseRecordsJsonl(recordsToJsonl('evaluative', []))).toEqual({ kind: 'evaluative', version: RECORD_SCHEMA_VERSION, records: [] });
  });

  it('recognises a line\'s kind by its exact field set', () => {
    expect(recordKindOf(turn)).toBe('turn');
    expect(recordKindOf(evaluative)).toBe('evaluative');
    expect(recordKindOf(directive)).toBe('directive');
    expect(recordKindOf({ ...evaluative, extra: 1 })).toBeNull();
  });

  const reject = (text: string, message: RegExp) => {
    expect(() => parseRecordsJsonl(text)).toThrow(RecordError);
    expect(() => parseRecordsJsonl(text)).toThrow(message);
  };

  it('rejects foreign and corrupt lines, saying what is wrong and where', () => {
    const ok = JSON.stringify(evaluative);
    reject('', /no records/);
    reject(`${ok}\n{"session_id": "x", "turn": 1, "score": 1, "vote`, /line 2: not JSON/);
    reject('{"id": 1, "text": "hello"}', /line 1: not a record of any known kind/);
    reject(JSON.stringify({ ...evaluative, score: 2 }), /line 1: evaluative.score must be one of -1, 0, 1, got 2/);
    reject(JSON.stringify({ ...evaluative, votes: [1, 'x'] }), /evaluative.votes\[1\] must be one of/);
    reject(JSON.stringify({ ...turn, turn: 0 }), /turn.turn must be a turn number/);
    reject(JSON.stringify({ ...turn, next_state: { role: 'assistant', content: 'x' } }), /turn.next_state.role must be one of "user", "tool"/);
    reject(JSON.stringify({ ...turn, messages: [{ role: 'user', content: 'x', name: 'bob' }] }), /turn.messages\[0\] has an unknown field "name"/);
    reject(JSON.stringify({ ...directive, accepted: false }), /accepted must be true exactly when there are hints/);
    reject(`${ok}\n${JSON.stringify(turn)}`, /line 2: evaluative has an unknown field/);
    reject(`{"schema":"other.thing","version":1,"kind":"turn"}`, /line 1: foreign schema "other.thing"/);
    reject(`{"schema":"nextstate.records","version":${RECORD_SCHEMA_VERSION + 1},"kind":"turn"}`, /schema version \d+ is not supported/);
    reject(`${ok}\n{"schema":"nextstate.records","version":1,"kind":"evaluative"}`, /line 2: a header line may only come first/);
  });

  it('sample records: cross-field rules', () => {
    const sample = buildSample({ sessionId: 's', turn: 1, policyVersion: 4, promptIds: [1], responseIds: [2, 3], responseLogprobs: [-0.1, -2], score: -1, hints: [] }, DEFAULT_SETTINGS)!;
    expect(validateRecord('sample', sample)).toBeNull();
    expect(validateRecord('sample', { ...sample, case: 'combined' })).toMatch(/case "combined" does not match score -1 with 0 hints/);
    expect(validateRecord('sample', { ...sample, loss_mask: [1] })).toMatch(/loss_mask has 1 entries, response_ids has 2/);
    expect(validateRecord('sample', { ...sample, response_logprobs: [0.5, -1] })).toMatch(/must be a log-probability/);
    expect(validateRecord('sample', { ...sample, reward: { score: 0 } })).toMatch(/does not match score 0/);
    expect(validateRecord('sample', { ...sample, support_ids: [[1, 1], []], old_logprobs_at_support: [[-1, -1], []], teacher_logprobs_at_support: [[-1, -1], []] })).toMatch(/repeats a token/);
  });
});

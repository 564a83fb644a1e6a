/**
 * Imports crafted to break the page (issue 18 items 3–5): manifest entries with unknown or ill-typed fields,
 * token ids outside the policy's vocabulary, implausible times, and prototype-named keys. Each is refused with
 * its file, line (or entry) and field, and nothing is written; the same export untouched imports.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/store/memory-backend.ts';
import { ImportRefusedError, MemoryStore, type SessionExport } from '../../src/store/index.ts';
import { recordLimits, validateRecord } from '../../src/rl/record-validate.ts';
import { createRng, randomInt } from '../../src/model/rng.ts';
import { storedSessionProblem } from '../../src/store/stored-session.ts';
import { fixtureSession, writeFixture, fixtureLimits } from '../browser/pages/store-fixtures.ts';

const dump = (backend: MemoryBackend) => backend.read((tx) => tx.entries([]));
type Files = SessionExport['files'];
type Json = Record<string, any>;

async function exported(): Promise<Files> {
  const source = await MemoryStore.open();
  for (const f of [fixtureSession(501, 'h1', 4), fixtureSession(502, 'h2', 3)]) await writeFixture(source, f);
  return (await source.exportSessions()).files;
}

const withManifest = (files: Files, change: (m: Json) => unknown): Files => ({ ...files, 'manifest.json': JSON.stringify(change(JSON.parse(files['manifest.json']))) });
/** Line `index` of a JSONL file replaced by `change(record)`, written as raw JSON text (so `__proto__` stays a key). */
const withLine = (files: Files, name: 'turns.jsonl' | 'judge.jsonl' | 'samples.jsonl', index: number, change: (line: string) => string): Files =>
  ({ ...files, [name]: files[name].split('\n').map((l, i) => (i === index ? change(l) : l)).join('\n') });
async function expectRefused(files: Partial<Record<string, string>>, message: RegExp, limits = fixtureLimits()) {
  const backend = new MemoryBackend();
  const store = await MemoryStore.open({ backend });
  await writeFixture(store, fixtureSession(503, 'mine', 3));
  const before = await dump(backend);
  const refused = store.importSessions(files, limits);
  await expect(refused).rejects.toBeInstanceOf(ImportRefusedError);
  await expect(refused).rejects.toThrow(message);
  expect(await dump(backend)).toEqual(before);
}

describe('a crafted manifest is refused, entry and field named (issue 18 item 3)', () => {
  it('a turn_state entry carrying record fields (messages: 42, response_text: {…}) is refused, not spread over the record', async () => {
    const files = await exported();
    const crafted = withManifest(files, (m) => ({ ...m, turn_state: m.turn_state.map((s: Json, i: number) => (i === 0 ? { ...s, messages: 42, response_text: { html: '<b>' } } : s)) }));
    await expectRefused(crafted, /manifest\.json: turn_state\[0\] has an unknown field "messages"/);
  });

  const cases: [string, (m: Json) => unknown, RegExp][] = [
    ['an ill-typed loop field', (m) => ({ ...m, turn_state: m.turn_state.map((s: Json, i: number) => (i === 2 ? { ...s, policy_version: '1' } : s)) }), /turn_state\[2\]\.policy_version must be an integer ≥ 0, got "1"/],
    ['an ill-typed error', (m) => ({ ...m, turn_state: m.turn_state.map((s: Json, i: number) => (i === 1 ? { ...s, error: { x: 1 } } : s)) }), /turn_state\[1\]\.error must be a string/],
    ['an unknown field in a sample_state entry', (m) => ({ ...m, sample_state: m.sample_state.map((s: Json) => ({ ...s, hint: 'x' })) }), /sample_state\[0\] has an unknown field "hint"/],
    ['an unknown field in a session', (m) => ({ ...m, sessions: m.sessions.map((s: Json) => ({ ...s, messages: [] })) }), /sessions\[0\] has an unknown field "messages"/],
    ['a session updated in the far future (9e15)', (m) => ({ ...m, sessions: m.sessions.map((s: Json, i: number) => (i === 1 ? { ...s, updatedAt: 9e15 } : s)) }), /sessions\[1\]\.updatedAt must be a time between 2000-01-01T00:00:00\.000Z and .*, got 9000000000000000/],
    ['a session created in 1970', (m) => ({ ...m, sessions: m.sessions.map((s: Json) => ({ ...s, createdAt: 5 })) }), /sessions\[0\]\.createdAt must be a time between/],
    ['an open turn carrying a next_state', (m) => ({ ...m, open_turns: m.open_turns.map((t: Json) => ({ ...t, next_state: { role: 'user', content: 'x' } })) }), /open_turns\[0\] must be a turn without next_state/],
    ['an open turn with an extra field', (m) => ({ ...m, open_turns: m.open_turns.map((t: Json) => ({ ...t, status: 'trained' })) }), /open_turns\[0\]: turn has an unknown field "status"/],
    ['an unknown top-level field', (m) => ({ ...m, serving: 7 }), /manifest\.json: unknown field\(s\) "serving"/],
    ['counts with an extra field', (m) => ({ ...m, counts: { ...m.counts, checkpoints: 2 } }), /counts has an unknown field "checkpoints"/],
    ['a turn_state prompt id outside the vocabulary', (m) => ({ ...m, turn_state: m.turn_state.map((s: Json, i: number) => (i === 0 ? { ...s, prompt_ids: [1, 104] } : s)) }), /turn_state\[0\]\.prompt_ids\[1\] is token id 104, outside the policy's vocabulary \(0\.\.103\)/],
  ];
  it.each(cases)('%s', async (_name, change, message) => {
    await expectRefused(withManifest(await exported(), change), message);
  });
});

describe('token ids against the policy vocabulary, times against a plausible range (issue 18 item 4)', () => {
  it('a sample id at or past the vocabulary size is refused, wherever it is; the bound is the vocabulary passed in', async () => {
    const files = await exported();
    const rng = createRng(18);
    const lines = files['samples.jsonl'].split('\n').filter(Boolean);
    for (const field of ['response_ids', 'prompt_ids', 'support_ids'] as const) {
      const index = randomInt(rng, lines.length);
      const record = JSON.parse(lines[index]);
      const bad = 104 + randomInt(rng, 1000);
      if (field === 'support_ids') {
        const t = record.support_ids.findIndex((s: number[]) => s.length > 0);
        if (t < 0) continue;
        record.support_ids[t][0] = bad;
      } else record[field][randomInt(rng, record[field].length)] = bad;
      const crafted = withLine(files, 'samples.jsonl', index, () => JSON.stringify(record));
      await expectRefused(crafted, new RegExp(`samples\\.jsonl line ${index + 1}: sample\\.${field}.* is token id ${bad}, outside the policy's vocabulary \\(0\\.\\.103\\)`));
    }
    // A policy with a smaller vocabulary refuses what the default one accepts.
    const maxId = Math.max(...lines.flatMap((l) => { const r = JSON.parse(l); return [...r.prompt_ids, ...r.response_ids, ...r.support_ids.flat()]; }));
    await expectRefused(files, /outside the policy's vocabulary \(0\.\.\d+\)/, recordLimits(maxId));
    const store = await MemoryStore.open();
    await store.importSessions(files, recordLimits(maxId + 1));
  });

  it('a turn timestamp of 9e15 or before 2000 is refused; one within a day ahead of this clock is not', () => {
    const turn = {
      session_id: 's', turn: 1, timestamp: 1_700_000_000_000, messages: [], prompt_text: '', response_text: '', tool_calls: [],
      next_state: { role: 'user', content: 'x' },
    };
    const limits = recordLimits(104, 1_800_000_000_000);
    expect(validateRecord('turn', turn, limits)).toBeNull();
    expect(validateRecord('turn', { ...turn, timestamp: 9e15 }, limits)).toMatch(/turn\.timestamp must be a time between/);
    expect(validateRecord('turn', { ...turn, timestamp: Date.UTC(1999, 11, 31) }, limits)).toMatch(/turn\.timestamp must be a time between/);
    expect(validateRecord('turn', { ...turn, timestamp: 1_800_000_000_000 + 23 * 3600_000 }, limits)).toBeNull();
    expect(validateRecord('turn', { ...turn, timestamp: 1_800_000_000_000 + 25 * 3600_000 }, limits)).toMatch(/must be a time between/);
  });
});

describe('prototype-named keys are unknown fields (issue 18 item 5)', () => {
  const evaluative = '{"session_id":"s","turn":1,"score":1,"votes":[1,1,null]}';
  const keys = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

  it.each(keys)('"%s" in a record, a nested object, or missing fields named after prototype members', (key) => {
    const limits = recordLimits(104);
    expect(validateRecord('evaluative', JSON.parse(evaluative), limits)).toBeNull();
    const top = JSON.parse(`${evaluative.slice(0, -1)},"${key}":{}}`);
    expect(Object.hasOwn(top, key)).toBe(true);
    expect(validateRecord('evaluative', top, limits)).toBe(`evaluative has an unknown field "${key}"`);
    const turn = JSON.parse(`{"session_id":"s","turn":1,"timestamp":1700000000000,"messages":[{"role":"user","content":"x","${key}":1}],` +
      '"prompt_text":"","response_text":"","tool_calls":[],"next_state":{"role":"user","content":"y"}}');
    expect(validateRecord('turn', turn, limits)).toBe(`turn.messages[0] has an unknown field "${key}"`);
  });

  it('an import carrying them in a judge line, a sample line or a manifest entry is refused, nothing written', async () => {
    const files = await exported();
    for (const key of keys) {
      await expectRefused(withLine(files, 'judge.jsonl', 0, (l) => `${l.slice(0, -1)},"${key}":{"polluted":true}}`), new RegExp(`judge\\.jsonl line 1: .* has an unknown field "${key}"`));
      await expectRefused(withLine(files, 'samples.jsonl', 1, (l) => `${l.slice(0, -1)},"${key}":1}`), new RegExp(`samples\\.jsonl line 2: sample has an unknown field "${key}"`));
      const manifest = files['manifest.json'];
      const at = manifest.indexOf('"sample_state":[{') + '"sample_state":[{'.length;
      await expectRefused({ ...files, 'manifest.json': `${manifest.slice(0, at)}"${key}":{},${manifest.slice(at)}` }, new RegExp(`sample_state\\[0\\] has an unknown field "${key}"`));
    }
    expect(({} as Json).polluted).toBeUndefined();
  });

  it('the untouched export imports', async () => {
    const store = await MemoryStore.open();
    const result = await store.importSessions(await exported(), fixtureLimits());
    expect(result.sessions).toHaveLength(2);
  });
});

describe('a stored session the page cannot show is named before it is shown (issue 18 item 3)', () => {
  it('fixtures pass; a turn with messages: 42, a token past the vocabulary or a stray field is named by turn and field', async () => {
    const f = fixtureSession(504, 'shown', 4);
    const records = { turns: f.turns, judges: f.judges, samples: f.samples };
    expect(storedSessionProblem(records, 104)).toBeNull();
    // The loop stores the directive report with the turn; it is the page's own.
    expect(storedSessionProblem({ ...records, turns: f.turns.map((t) => ({ ...t, report: null })) }, 104)).toBeNull();
    // A remote policy's turn keeps the server's token strings (issue 16): the page shows it.
    expect(storedSessionProblem({ ...records, turns: f.turns.map((t) => ({ ...t, response_tokens: ['Li', 'ma'] })) }, 104)).toBeNull();
    const broken = (i: number, change: object) => ({ ...records, turns: f.turns.map((t, j) => (j === i ? { ...t, ...change } : t)) });
    expect(storedSessionProblem(broken(1, { messages: 42 }), 104)).toBe('turn 2: turn.messages must be an array, got 42');
    expect(storedSessionProblem(broken(0, { response_text: { html: '<b>' } }), 104)).toMatch(/^turn 1: turn\.response_text must be a string/);
    expect(storedSessionProblem(broken(2, { response_ids: [3, 200] }), 104)).toMatch(/^turn 3: turn\.response_ids\[1\] is token id 200, outside/);
    expect(storedSessionProblem(broken(0, { constructor: 1 }), 104)).toBe('turn 1: turn has an unknown field "constructor"');
    expect(storedSessionProblem(broken(0, { response_tokens: ['a', 7] }), 104)).toMatch(/^turn 1: turn\.response_tokens\[1\] must be a string/);
    const badSample = { ...records, samples: records.samples.map((s, j) => (j === 0 ? { ...s, support_ids: s.support_ids.map(() => [999]) } : s)) };
    expect(storedSessionProblem(badSample, 104)).toMatch(/^sample of turn \d+: sample\.support_ids\[0\]\[0\] is token id 999/);
  });
});

describe('imported samples are foreign (issue 18 item 6)', () => {
  it('pending samples arrive foreign, trained/stale/failed ones as they were; a turn not yet judged is not judged here', async () => {
    const source = await MemoryStore.open();
    const f = fixtureSession(505, 'away', 7);
    await writeFixture(source, f);
    const ids = f.samples.map((s) => s.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    await source.markStale([ids[0]]);
    await source.markFailed([ids[1]], 'RangeError: boom');
    const open = f.turns.find((t) => t.status === 'awaiting_next_state')!;
    await source.recordNextState(open.session_id, open.turn, { role: 'user', content: 'a next state, not judged yet' });
    const store = await MemoryStore.open();
    await store.importSessions((await source.exportSessions()).files, fixtureLimits());
    const byId = new Map((await store.listSamples()).map((s) => [s.id, s]));
    expect(byId.get(ids[0])?.status).toBe('stale');
    expect([byId.get(ids[1])?.status, byId.get(ids[1])?.error]).toEqual(['failed', 'RangeError: boom']);
    for (const id of ids.slice(2)) expect(byId.get(id)?.status).toBe('foreign');
    expect(await store.listSamples({ status: 'pending' })).toEqual([]);
    const judged = await store.getTurn(open.session_id, open.turn);
    expect([judged?.status, judged?.error]).toEqual(['signals_done', 'Imported before its signals were computed; not judged here.']);
    // Asked to, they are pending as samples of the given (serving) version; the others are refused.
    await expect(store.adoptImported([ids[0]], 4)).rejects.toThrow(/is stale, not foreign/);
    await store.adoptImported(ids.slice(2), 4);
    expect((await store.listSamples({ status: 'pending' })).map((s) => [s.id, s.policy_version])).toEqual(ids.slice(2).map((id) => [id, 4]));
  });
});

describe('export format versions', () => {
  it('a v1 export (store layout v1, before failed and foreign samples) still imports; a newer format is refused', async () => {
    const files = await exported();
    const v1 = withManifest(files, (m) => ({ ...m, format_version: 1, store_schema_version: 1 }));
    const store = await MemoryStore.open();
    const result = await store.importSessions(v1, fixtureLimits());
    expect(result.counts.samples).toBe(JSON.parse(files['manifest.json']).counts.samples);
    await expectRefused(withManifest(files, (m) => ({ ...m, format_version: 3 })), /format_version 3 is not supported \(this build reads 1\.\.2\)/);
  });
});

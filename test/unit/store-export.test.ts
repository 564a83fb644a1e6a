import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/store/memory-backend.ts';
import { ImportRefusedError, MemoryStore, type SessionExport } from '../../src/store/index.ts';
import { parseRecordsJsonl, recordKindOf, validateRecord } from '../../src/rl/record-validate.ts';
import { fixtureSession, writeFixture, type FixtureSession, fixtureLimits } from '../browser/pages/store-fixtures.ts';

const dump = (backend: MemoryBackend) => backend.read((tx) => tx.entries([]));

async function storeWith(fixtures: FixtureSession[]) {
  const backend = new MemoryBackend();
  const store = await MemoryStore.open({ backend });
  for (const f of fixtures) await writeFixture(store, f);
  return { backend, store };
}

/** Everything a store holds about its sessions, in a comparable form. */
async function contents(store: MemoryStore) {
  const sessions = (await store.listSessions()).sort((a, b) => (a.id < b.id ? -1 : 1));
  return { sessions, turns: await store.listTurns(), judges: await store.listJudges(), samples: await store.listSamples() };
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('exportSessions', () => {
  it('writes METHOD §8 records the record validator accepts, in the reference field names', async () => {
    const fixtures = [fixtureSession(101, 'e1', 5), fixtureSession(102, 'e2', 4)];
    const { store } = await storeWith(fixtures);
    const { files } = await store.exportSessions();
    expect(Object.keys(files).sort()).toEqual(['judge.jsonl', 'manifest.json', 'samples.jsonl', 'turns.jsonl']);
    const turns = parseRecordsJsonl(files['turns.jsonl']);
    expect(turns.kind).toBe('turn');
    // Turns still waiting for their next state travel in the manifest, not as METHOD §8 lines.
    expect(turns.records).toHaveLength(fixtures.reduce((n, f) => n + f.turns.length - 1, 0));
    for (const line of lines(files['turns.jsonl'])) {
      expect(Object.keys(line)).toEqual(['session_id', 'turn', 'timestamp', 'messages', 'prompt_text', 'response_text', 'tool_calls', 'next_state']);
    }
    const samples = parseRecordsJsonl(files['samples.jsonl']);
    expect(samples.records).toHaveLength(fixtures.reduce((n, f) => n + f.samples.length, 0));
    const judges = lines(files['judge.jsonl']);
    expect(judges).toHaveLength(fixtures.reduce((n, f) => n + f.judges.length, 0));
    for (const j of judges) expect(validateRecord(recordKindOf(j)!, j)).toBeNull();
    const manifest = JSON.parse(files['manifest.json']);
    expect(manifest.format).toBe('nextstate-export');
    expect(manifest.sessions.map((s: { id: string }) => s.id).sort()).toEqual(['e1', 'e2']);
  });

  it('exports only the sessions asked for, and refuses unknown ones', async () => {
    const { store } = await storeWith([fixtureSession(111, 'keep', 3), fixtureSession(112, 'skip', 3)]);
    const { files } = await store.exportSessions(['keep']);
    for (const name of ['turns.jsonl', 'judge.jsonl', 'samples.jsonl'] as const) {
      expect(lines(files[name]).every((r) => r.session_id === 'keep')).toBe(true);
    }
    expect(lines(files['turns.jsonl']).length).toBe(2);
    await expect(store.exportSessions(['nope'])).rejects.toThrow(/unknown session/);
  });

  it('never writes a secret-named field, wherever one was stored', async () => {
    const f = fixtureSession(121, 'sec', 3);
    const secret = 'sk-live-THIS-MUST-NOT-LEAK';
    const { store } = await storeWith([]);
    await store.putSession({ ...f.session, apiKey: secret } as typeof f.session);
    const leaky = f.turns.map((t) => ({
      ...t, token: secret,
      messages: t.messages.map((m) => ({ ...m, key: secret })),
      tool_calls: t.tool_calls.map((c) => ({ ...c, api_key: secret })),
      next_state: t.next_state && { ...t.next_state, authorization: secret },
    }));
    for (const t of leaky) await store.putTurn(t);
    for (const j of f.judges) await store.putJudge({ ...j, password: secret } as unknown as typeof j);
    for (const s of f.samples) await store.putSample({ ...s, accessToken: secret } as typeof s);
    const { files } = await store.exportSessions();
    for (const [name, text] of Object.entries(files)) {
      expect(text, name).not.toContain(secret);
      expect(text, name).not.toMatch(/"(apiKey|api_key|key|token|accessToken|password|authorization)"/);
    }
    // And the export still imports cleanly.
    const fresh = await MemoryStore.open();
    await fresh.importSessions(files, fixtureLimits());
    expect((await fresh.listTurns()).length).toBe(3);
  });
});

describe('importSessions', () => {
  it('export → import into a fresh store gives the same sessions, turns, judges and samples', async () => {
    for (const seed of [201, 202, 203]) {
      const fixtures = [fixtureSession(seed, `a${seed}`, 6), fixtureSession(seed + 50, `b${seed}`, 1), fixtureSession(seed + 70, `c${seed}`, 0)];
      const { store } = await storeWith(fixtures);
      await store.updateTurn(`a${seed}`, 1, { error: 'judge timed out', trained_in_update: 3, status: 'trained' });
      const { files } = await store.exportSessions();
      const fresh = await MemoryStore.open();
      const result = await fresh.importSessions(files, fixtureLimits());
      expect(result.renamed).toEqual({});
      expect(result.counts.turns).toBe(7);
      // Pending samples arrive foreign (their version numbers are the exporting browser's); all else as it was.
      const original = await contents(store);
      const foreign = original.samples.map((x) => (x.status === 'pending' ? { ...x, status: 'foreign' } : x));
      expect(foreign.some((x) => x.status === 'foreign')).toBe(true);
      expect(await contents(fresh)).toEqual({ ...original, samples: foreign });
    }
  });

  it('gives new ids to sessions and samples whose ids are taken, and leaves the existing ones alone', async () => {
    const f = fixtureSession(301, 'dup', 5);
    const { store } = await storeWith([f]);
    const before = await contents(store);
    const { files } = await store.exportSessions();
    const result = await store.importSessions(files, fixtureLimits());
    const newId = result.renamed.dup;
    expect(newId).toMatch(/^dup-[0-9a-f]{8}$/);
    expect(result.sessions.map((s) => s.id)).toEqual([newId]);
    const after = await contents(store);
    expect(after.turns.filter((t) => t.session_id === 'dup')).toEqual(before.turns);
    expect(after.turns.filter((t) => t.session_id === newId).map((t) => ({ ...t, session_id: 'dup' }))).toEqual(before.turns);
    expect(after.samples).toHaveLength(2 * before.samples.length);
    expect(new Set(after.samples.map((s) => s.id)).size).toBe(after.samples.length);
    expect(after.samples.filter((s) => s.session_id === newId).length).toBe(f.samples.length);
  });

  describe('refuses a corrupt or foreign export with the file, line and field, and touches nothing', () => {
    let good: SessionExport['files'];
    const edit = (name: keyof SessionExport['files'], change: (text: string) => string) => ({ ...good, [name]: change(good[name]) });
    const editLine = (name: 'turns.jsonl' | 'judge.jsonl' | 'samples.jsonl', index: number, change: (r: Record<string, any>) => unknown) =>
      edit(name, (text) => text.split('\n').map((l, i) => (i === index ? JSON.stringify(change(JSON.parse(l))) : l)).join('\n'));
    const editManifest = (change: (m: Record<string, any>) => unknown) => edit('manifest.json', (t) => JSON.stringify(change(JSON.parse(t))));

    const cases: [string, () => Partial<Record<string, string>>, RegExp][] = [
      ['a bad role on line 2', () => editLine('turns.jsonl', 1, (r) => ({ ...r, next_state: { role: 'robot', content: 'x' } })), /turns\.jsonl line 2: turn\.next_state\.role must be one of/],
      ['a missing field', () => editLine('turns.jsonl', 2, ({ prompt_text: _p, ...r }) => r), /turns\.jsonl line 3: turn\.prompt_text must be a string/],
      ['a line that is not JSON', () => edit('judge.jsonl', (t) => t.replace(/\n(?=.)/, '\n{"session_id": oops\n')), /judge\.jsonl line 2: not JSON/],
      ['a bad sample, only in the last line', () => edit('samples.jsonl', (t) => {
        const all = t.trimEnd().split('\n');
        const last = JSON.parse(all[all.length - 1]);
        all[all.length - 1] = JSON.stringify({ ...last, response_logprobs: last.response_logprobs.slice(1) });
        return all.join('\n') + '\n';
      }), /samples\.jsonl line \d+: response_logprobs has \d+ entries/],
      ['a truncated file', () => edit('turns.jsonl', (t) => t.trimEnd().split('\n').slice(0, -1).join('\n')), /the files hold \d+ turns, manifest\.json says \d+/],
      ['a foreign manifest', () => ({ ...good, 'manifest.json': JSON.stringify({ name: 'my-app', version: '1.0.0' }) }), /not a NextState export/],
      ['a newer record schema', () => editManifest((m) => ({ ...m, record_schema_version: 99 })), /record_schema_version 99 is not supported/],
      ['a judge for a turn not exported', () => editLine('judge.jsonl', 0, (r) => ({ ...r, turn: 77 })), /judge\.jsonl record 1: turn 77 .* not in the export/],
      ['a session not in the manifest', () => editManifest((m) => ({ ...m, sessions: m.sessions.slice(1) })), /is not among the manifest's sessions/],
      ['a foreign JSONL file', () => ({ ...good, 'turns.jsonl': '{"id": 1, "text": "hello"}\n' }), /turns\.jsonl line 1: turn has an unknown field "id"/],
      ['a missing file', () => { const { 'samples.jsonl': _s, ...rest } = good; return rest; }, /missing file\(s\): samples\.jsonl/],
      ['a bad status in the manifest', () => editManifest((m) => ({ ...m, turn_state: m.turn_state.map((s: object, i: number) => (i === 1 ? { ...s, status: 'done' } : s)) })), /turn_state\[1\]\.status must be one of/],
    ];

    it.each(cases)('%s', async (_name, corrupt, message) => {
      const { store: source } = await storeWith([fixtureSession(401, 'x', 4), fixtureSession(402, 'y', 3)]);
      good = (await source.exportSessions()).files;
      const { backend, store } = await storeWith([fixtureSession(403, 'mine', 3)]);
      const before = await dump(backend);
      const refused = store.importSessions(corrupt(), fixtureLimits());
      await expect(refused).rejects.toBeInstanceOf(ImportRefusedError);
      await expect(refused).rejects.toThrow(message);
      expect(await dump(backend)).toEqual(before);
      // The untouched export itself imports.
      await store.importSessions(good, fixtureLimits());
      expect((await store.listSessions()).length).toBe(3);
    });
  });
});

/**
 * The on-disk store (LevelDB): its byte order is the store's key order on random keys, and a LevelStore
 * holds exactly what a MemoryStore holds after the same writes, also after closing and reopening the folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareKeys, type KeyPart } from '../../src/store/keys.ts';
import { decodeKey, encodeKey, LevelBackend } from '../../src/store/level-backend.ts';
import { LevelStore } from '../../src/store/level-store.ts';
import { MemoryStore } from '../../src/store/index.ts';
import { createRng, randomInt, type Rng } from '../../src/model/rng.ts';
import { fixtureCheckpoint, fixtureSession, writeFixture } from '../browser/pages/store-fixtures.ts';

const folders: string[] = [];
const folder = () => {
  const path = mkdtempSync(join(tmpdir(), 'nextstate-level-'));
  folders.push(path);
  return path;
};
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

const CHARS = ['', 'a', 'b', '\u0000', '\u0001', 'é', 'ab', 'a\u0000b', 'z', 'turn', 'sample', '-', '/'];
function randomPart(rng: Rng): KeyPart {
  if (rng() < 0.4) {
    const choices = [0, -0.5, 0.5, 1, 2, 10, -3, 1e9, -1e9, 3.25, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    return rng() < 0.5 ? choices[randomInt(rng, choices.length)] : (rng() - 0.5) * 10 ** randomInt(rng, 8);
  }
  return Array.from({ length: 1 + randomInt(rng, 3) }, () => CHARS[randomInt(rng, CHARS.length)]).join('');
}

describe('LevelBackend key encoding', () => {
  it('sorts random array keys exactly as compareKeys (IndexedDB order) and decodes them back', () => {
    const rng = createRng(Date.now() % 100_000);
    const keys = Array.from({ length: 400 }, () => Array.from({ length: 1 + randomInt(rng, 4) }, () => randomPart(rng)));
    for (const key of keys) expect(decodeKey(encodeKey(key))).toEqual(key);
    const byBytes = [...keys].sort((a, b) => Buffer.compare(encodeKey(a), encodeKey(b)));
    const byStore = [...keys].sort(compareKeys);
    expect(byBytes.map((k) => JSON.stringify(k))).toEqual(byStore.map((k) => JSON.stringify(k)));
  });
});

describe('LevelStore', () => {
  it('holds what a MemoryStore holds after the same writes, deletes by exact prefix, and keeps it all across a reopen', async () => {
    const path = folder();
    const level = await LevelStore.open(path);
    const memory = await MemoryStore.open();
    const sessions = [fixtureSession(21, 'one', 4), fixtureSession(22, 'two', 3), fixtureSession(23, 'one-x', 2)];
    for (const store of [level, memory]) {
      for (const f of sessions) await writeFixture(store, f);
      const { bytes, manifest } = fixtureCheckpoint(5);
      await store.putCheckpoint(0, bytes, manifest);
      await store.deleteSession('one');
    }
    const snapshot = async (store: LevelStore | MemoryStore) => ({
      sessions: await store.listSessions(),
      turns: await store.listTurns(),
      judges: await store.listJudges(),
      samples: await store.listSamples(),
      checkpoint: await store.getCheckpoint(0),
      versions: await store.listCheckpointVersions(),
    });
    const expected = await snapshot(memory);
    expect(expected.turns.map((t) => t.session_id)).toEqual(['one-x', 'one-x', 'two', 'two', 'two']);
    expect(await snapshot(level)).toEqual(expected);
    await level.close();
    const reopened = await LevelStore.open(path);
    expect(await snapshot(reopened)).toEqual(expected);
    await reopened.close();
  });

  it('a write transaction that throws writes nothing; its reads see its own writes', async () => {
    const backend = await LevelBackend.open(folder());
    await backend.write(async (tx) => tx.put(['a', 1], { n: 1 }));
    await expect(
      backend.write(async (tx) => {
        tx.put(['a', 2], { n: 2 });
        tx.delete(['a', 1]);
        expect((await tx.entries(['a'])).map(([k]) => k)).toEqual([['a', 2]]);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await backend.read((tx) => tx.entries(['a']))).toEqual([[['a', 1], { n: 1 }]]);
    const bytes = new Uint8Array([1, 2, 3]);
    await backend.write(async (tx) => tx.put(['b'], { bytes, logprobs: new Float32Array([0.5]) }));
    const back = await backend.read((tx) => tx.get<{ bytes: Uint8Array; logprobs: Float32Array }>(['b']));
    expect(back?.bytes).toEqual(bytes);
    expect(back?.logprobs).toBeInstanceOf(Float32Array);
    expect(await backend.read((tx) => tx.get(['missing']))).toBeUndefined();
    await backend.close();
  });
});

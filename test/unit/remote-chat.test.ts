/**
 * The page's remote-policy queue (connector/remote-chat.ts) against the real policy server in another
 * process, started to answer 503 for a while after each update as the reference does while weights sync:
 * a wrong key stops the queue with a clear message and loses nothing; then every message waits out the
 * 503s and is answered exactly once, in order, on both sides (the page's store and the server's records).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnListening, type ListeningChild } from '../../server/spawn-listening.ts';
import { RemoteChat } from '../../src/connector/remote-chat.ts';
import type { RemotePolicyError } from '../../src/connector/remote-policy.ts';
import { MemoryStore } from '../../src/store/index.ts';
import { LevelStore } from '../../src/store/level-store.ts';
import { recordLimits } from '../../src/rl/record-validate.ts';

const data = mkdtempSync(join(tmpdir(), 'nextstate-remote-chat-'));
const token = randomBytes(12).toString('hex');
let server: ListeningChild | null = null;
afterAll(async () => {
  await server?.stop();
  rmSync(data, { recursive: true, force: true });
});

describe('RemoteChat against a policy server that pauses for weight sync', () => {
  it('waits through 503s and 401s without losing a message; each is answered once, in order', { timeout: 300_000 }, async () => {
    server = await spawnListening('server/policy-main.ts', ['--port', '0', '--data', data, '--batch', '1', '--max-tokens', '16', '--rate-limit', '0', '--pause-after-update-ms', '1500'], {
      env: { ...process.env, NEXTSTATE_POLICY_TOKEN: token },
      startTimeoutMs: 60_000,
    });
    const url = server.url;
    const version = async () => ((await (await fetch(`${url}/healthz`)).json()) as { policy_version: number }).policy_version;
    const store = await MemoryStore.open();
    await store.putSession({ id: 'chat-1', title: 'remote', createdAt: Date.now(), updatedAt: Date.now(), kind: 'chat' });
    let apiKey = 'wrong-key';
    const waits: string[] = [];
    const stops: RemotePolicyError[] = [];
    const answered: string[] = [];
    const chat = new RemoteChat(store, () => ({ baseUrl: `${url}/v1`, model: 'nextstate-tiny', apiKey }), {
      waiting: (_m, reason) => waits.push(reason),
      stopped: (_m, error) => stops.push(error),
      answered: (m) => answered.push(m.content),
    }, { backoff: { baseDelayMs: 100, maxDelayMs: 800 } });

    // A wrong key: the queue stops with a clear message; the message stays queued.
    await chat.enqueue('chat-1', 'What is the capital of Peru?');
    await chat.drain();
    expect(stops.map((e) => e.message)).toEqual([expect.stringContaining('refused the key (401')]);
    expect(stops[0].message).not.toContain('wrong-key');
    expect((await store.listOutgoing()).map((m) => m.content)).toEqual(['What is the capital of Peru?']);

    apiKey = token;
    const sent = ['What is the capital of Peru?', 'way too long, one short sentence please', 'why is it in capitals? use lowercase', 'no, that is wrong', 'thanks! what is 7 times 8?'];
    await chat.drain();
    for (const text of sent.slice(1)) {
      // Right after the server's version rises, it refuses submissions for 1.5 s.
      const before = await version();
      await chat.enqueue('chat-1', text);
      await chat.drain();
      if (text !== sent.at(-1)) {
        const until = Date.now() + 60_000;
        while ((await version()) <= before && Date.now() < until) await new Promise((r) => setTimeout(r, 30));
      }
    }
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((w) => w.includes('503'))).toBe(true);
    expect(answered).toEqual(sent);
    expect(await store.listOutgoing()).toEqual([]);
    const local = await store.listTurns('chat-1');
    expect(local.map((t) => t.turn)).toEqual([1, 2, 3, 4, 5]);
    expect(local.map((t) => t.next_state?.content ?? null)).toEqual([...sent.slice(1), null]);
    expect(local.every((t) => t.status === 'no_sample' && t.response_tokens?.join('') === t.response_text)).toBe(true);

    // Remote turns export and import like any others.
    const exported = await store.exportSessions(['chat-1']);
    const copy = await MemoryStore.open();
    await copy.importSessions(exported.files, recordLimits());
    expect((await copy.listTurns('chat-1')).map((t) => t.next_state?.content ?? null)).toEqual([...sent.slice(1), null]);

    await server.stop();
    const remote = await LevelStore.open(data);
    const served = await remote.listTurns('chat-1');
    await remote.close();
    // The server saw each message once: one turn per message, the same replies, the same next states.
    expect(served.map((t) => t.response_text)).toEqual(local.map((t) => t.response_text));
    expect(served.map((t) => t.next_state?.content ?? null)).toEqual([...sent.slice(1), null]);
    expect(Math.max(...served.map((t) => t.policy_version))).toBeGreaterThanOrEqual(2);
  });
});

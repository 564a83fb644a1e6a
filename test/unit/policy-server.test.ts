/**
 * The policy server as a separate process on 127.0.0.1, driven by the official `openai` client: whole and
 * streamed completions with the wire headers and log-probs, side turns never recorded, B main turns with
 * corrections raise `policy_version`, and a `kill -9` right after a next state arrived loses nothing: the
 * records are on disk and the restarted server goes on training from them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnListening, type ListeningChild } from '../../server/spawn-listening.ts';
import { LevelStore } from '../../src/store/level-store.ts';

const data = mkdtempSync(join(tmpdir(), 'nextstate-policy-server-'));
const token = randomBytes(12).toString('hex');
const children: ListeningChild[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  rmSync(data, { recursive: true, force: true });
});

async function startServer(): Promise<ListeningChild> {
  const child = await spawnListening('server/policy-main.ts', ['--port', '0', '--data', data, '--batch', '2', '--max-tokens', '32', '--rate-limit', '0'], {
    env: { ...process.env, NEXTSTATE_POLICY_TOKEN: token },
    startTimeoutMs: 60_000,
  });
  children.push(child);
  return child;
}

const client = (server: ListeningChild, apiKey = token) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0, timeout: 60_000 });
const main = (sessionId: string, done = false) => ({ headers: { 'X-Session-Id': sessionId, 'X-Turn-Type': 'main', ...(done ? { 'X-Session-Done': 'yes' } : {}) } });
const health = async (server: ListeningChild) => (await (await fetch(`${server.url}/healthz`)).json()) as { ok: boolean; policy_version: number };

async function waitForVersion(server: ListeningChild, atLeast: number, timeoutMs = 120_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { policy_version } = await health(server);
    if (policy_version >= atLeast) return policy_version;
    if (Date.now() > until) throw new Error(`policy_version stayed ${policy_version} (< ${atLeast}):\n${server.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// A user who asks, then corrects: each correction is the next state of the reply before it.
const corrections = ['way too long, one short sentence please', 'why is it in capitals? use lowercase', 'no, that is wrong', 'too long, just one sentence please'];

describe('policy server (openai client, separate process)', () => {
  it('answers whole and streamed completions with log-probs; main turns train, side turns are never recorded; a kill -9 loses nothing', { timeout: 400_000 }, async () => {
    let server = await startServer();
    const openai = client(server);
    expect((await openai.models.list()).data.map((m) => m.id)).toEqual(['nextstate-tiny']);
    await expect(client(server, 'wrong').chat.completions.create({ model: 'nextstate-tiny', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401 });

    // Whole reply, with log-probs: the tokens spell the reply, each top list is sorted and holds the sampled token's neighbours.
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the capital of Peru?' }];
    const first = await openai.chat.completions.create({ model: 'nextstate-tiny', messages, logprobs: true, top_logprobs: 3 }, main('agent-1'));
    const reply = first.choices[0].message.content ?? '';
    expect(reply.length).toBeGreaterThan(0);
    const tokens = first.choices[0].logprobs?.content ?? [];
    expect(tokens.map((t) => t.token).join('')).toBe(reply);
    for (const t of tokens) {
      expect(t.logprob).toBeLessThanOrEqual(0);
      expect(t.top_logprobs).toHaveLength(3);
      const tops = t.top_logprobs.map((a) => a.logprob);
      expect([...tops].sort((a, b) => b - a)).toEqual(tops);
      expect(t.logprob).toBeLessThanOrEqual(tops[0] + 1e-9);
    }
    expect((first as unknown as { session_id: string }).session_id).toBe('agent-1');
    messages.push({ role: 'assistant', content: reply });

    // Streamed: the text arrives token by token; the stream ends with a finish reason.
    const sent: string[] = [];
    const replies: string[] = [reply];
    for (const correction of corrections.slice(0, 2)) {
      messages.push({ role: 'user', content: correction });
      sent.push(correction);
      const stream = await openai.chat.completions.create({ model: 'nextstate-tiny', messages, stream: true, logprobs: true }, main('agent-1'));
      let text = '';
      let pieces = 0;
      let finish: string | null = null;
      let logprobTokens = '';
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (choice?.delta.content) (text += choice.delta.content), pieces++;
        for (const t of choice?.logprobs?.content ?? []) logprobTokens += t.token;
        if (choice?.finish_reason) finish = choice.finish_reason;
      }
      expect(pieces).toBeGreaterThan(1);
      expect(logprobTokens).toBe(text);
      expect(['stop', 'length']).toContain(finish);
      replies.push(text);
      messages.push({ role: 'assistant', content: text });
    }
    // A side turn (a title) answers but is never recorded.
    const side = await openai.chat.completions.create({ model: 'nextstate-tiny', messages: [{ role: 'user', content: 'Title for this chat?' }] }, { headers: { 'X-Session-Id': 'agent-1', 'X-Turn-Type': 'side' } });
    expect(side.choices[0].message.content?.length).toBeGreaterThan(0);
    // Two corrections with B = 2: one update.
    expect(await waitForVersion(server, 1)).toBeGreaterThanOrEqual(1);

    // One more correction, then kill -9 as soon as its reply is back: its next state must already be on disk.
    messages.push({ role: 'user', content: corrections[2] });
    sent.push(corrections[2]);
    const before = await openai.chat.completions.create({ model: 'nextstate-tiny', messages }, main('agent-1'));
    replies.push(before.choices[0].message.content ?? '');
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));

    const store = await LevelStore.open(data);
    const turns = await store.listTurns('agent-1');
    await store.close();
    expect(turns.map((t) => t.response_text)).toEqual(replies);
    expect(turns.map((t) => t.next_state?.content ?? null)).toEqual([...sent, null]);
    expect(turns.every((t) => t.session_id === 'agent-1')).toBe(true);
    const versionBefore = Math.max(...turns.map((t) => t.policy_version));

    // Restarted on the same records: it serves the latest version and trains the correction that waited.
    server = await startServer();
    expect((await health(server)).policy_version).toBeGreaterThanOrEqual(versionBefore);
    messages.push({ role: 'assistant', content: replies.at(-1)! }, { role: 'user', content: corrections[3] });
    const after = await client(server).chat.completions.create({ model: 'nextstate-tiny', messages }, main('agent-1', true));
    expect(after.choices[0].message.content?.length).toBeGreaterThan(0);
    expect(await waitForVersion(server, 2)).toBeGreaterThanOrEqual(2);
    await server.stop();
    const reopened = await LevelStore.open(data);
    const final = await reopened.listTurns('agent-1');
    await reopened.close();
    expect(final.map((t) => t.next_state?.content ?? null)).toEqual([...sent, corrections[3], null]);
    // The session ended with the last request (X-Session-Done): its last turn can never train.
    expect(final.at(-1)?.status).toBe('no_sample');
    expect(final.slice(0, 4).every((t) => t.status === 'trained' || t.status === 'no_sample' || t.status === 'stale')).toBe(true);
  });
});

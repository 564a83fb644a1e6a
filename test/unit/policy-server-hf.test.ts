/**
 * `npm run policy-server -- --model <Hugging Face folder>` as a separate process, driven by the official `openai`
 * client: it serves the folder's model (its own tokenizer and chat template) whole and streamed, says on
 * /healthz and in its startup line that training is on (a LoRA adapter on the frozen base, issue 13), records,
 * judges and trains on every next state (the adapter's version rises; a restart serves it again); with
 * `--finetune full` it says training is off and why; and its data folder is refused to a server of another model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyHfCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';
import { spawnListening, type ListeningChild } from '../../server/spawn-listening.ts';
import { LevelStore } from '../../src/store/level-store.ts';
import { HfChatTokenizer } from '../../src/model/hf/hf-tokenizer.ts';
import { readHfModelInfo } from '../../src/model/hf/load.ts';
import { folderFiles } from '../../scripts/lib/model-folder.ts';

const root = mkdtempSync(join(tmpdir(), 'nextstate-policy-server-hf-'));
const data = join(root, 'data');
let modelDir: string;
let tokenizer: HfChatTokenizer;
const children: ListeningChild[] = [];

beforeAll(async () => {
  modelDir = writeTinyHfCheckpoint(join(root, 'tiny-llama'), { family: 'llama', dtype: 'bf16', seed: 23 }).dir;
  tokenizer = (await readHfModelInfo(folderFiles(modelDir))).tokenizer;
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  rmSync(root, { recursive: true, force: true });
});

const main = (sessionId: string) => ({ headers: { 'X-Session-Id': sessionId, 'X-Turn-Type': 'main' } });

describe('policy server on a Hugging Face folder', () => {
  it('serves the folder with its own tokenizer, trains its adapter from judged next states, versions rise and survive a restart', { timeout: 300_000 }, async () => {
    const server = await spawnListening('server/policy-main.ts', ['--port', '0', '--data', data, '--model', modelDir, '--batch', '1', '--max-tokens', '12', '--rate-limit', '0'], {
      startTimeoutMs: 120_000,
    });
    children.push(server);
    expect(server.output()).toMatch(/model tiny-llama \(llama from .*tiny-llama\), version 0, training: on, B 1/);
    const health = async () => (await (await fetch(`${server.url}/healthz`)).json()) as { policy_version: number; training: string; model: string };
    expect(await health()).toMatchObject({ policy_version: 0, training: 'on', model: 'tiny-llama' });

    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 120_000 });
    expect((await openai.models.list()).data.map((m) => m.id)).toEqual(['tiny-llama']);
    await expect(openai.chat.completions.create({ model: 'nextstate-tiny', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 404 });

    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the capital of Peru?' }];
    const whole = await openai.chat.completions.create({ model: 'tiny-llama', messages, logprobs: true }, main('hf-1'));
    const first = whole.choices[0].message.content ?? '';
    expect(whole.usage?.completion_tokens).toBeGreaterThan(0);
    messages.push({ role: 'assistant', content: first });
    const corrections = ['No, that is wrong. The capital of Peru is Lima.', 'Still wrong, say Lima.'];
    const replies = [first];
    for (const correction of corrections) {
      messages.push({ role: 'user', content: correction });
      const stream = await openai.chat.completions.create({ model: 'tiny-llama', messages, stream: true }, main('hf-1'));
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      replies.push(text);
      messages.push({ role: 'assistant', content: text });
    }

    // Judged in the background: both next states reach a final status, and their samples train the adapter (B = 1).
    // The records are read with the server stopped (LevelDB has one owner); a restart resumes what was cut short.
    let running = server;
    let turns: Awaited<ReturnType<LevelStore['listTurns']>> = [];
    for (let attempt = 0; ; attempt++) {
      await new Promise((r) => setTimeout(r, 3000));
      await running.stop();
      const store = await LevelStore.open(data);
      turns = await store.listTurns('hf-1');
      const samples = await store.listSamples();
      await store.close();
      const judged = turns.slice(0, 2).every((t) => ['sampled', 'no_sample', 'trained'].includes(t.status));
      if (judged && samples.length > 0 && samples.every((s) => s.status === 'trained')) break;
      if (attempt === 20) throw new Error(`next states not judged: ${turns.map((t) => t.status).join(', ')}`);
      running = await spawnListening('server/policy-main.ts', ['--port', '0', '--data', data, '--model', modelDir, '--batch', '1', '--rate-limit', '0'], { startTimeoutMs: 120_000 });
      children.push(running);
    }
    // The records hold the folder's own chat template and token ids, and the replies as sent.
    expect(turns.map((t) => t.response_text)).toEqual(replies);
    expect(turns[0].prompt_text).toBe('<|im_start|>user\nWhat is the capital of Peru?<|im_end|>\n<|im_start|>assistant\n');
    expect(turns[0].prompt_ids).toEqual(tokenizer.encodePrompt([{ role: 'user', content: 'What is the capital of Peru?' }]));
    expect(turns.map((t) => t.next_state?.content ?? null)).toEqual([...corrections, null]);
    expect(turns.every((t) => t.policy_version === 0)).toBe(true);
    // The trained adapter serves after the restart: a version above 0 on /healthz, and a reply recorded under it.
    const again = await spawnListening('server/policy-main.ts', ['--port', '0', '--data', data, '--model', modelDir, '--batch', '1', '--max-tokens', '4', '--rate-limit', '0'], { startTimeoutMs: 120_000 });
    children.push(again);
    const version = (await (await fetch(`${again.url}/healthz`)).json()).policy_version as number;
    expect(version).toBeGreaterThan(0);
    const later = new OpenAI({ baseURL: `${again.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 120_000 });
    await later.chat.completions.create({ model: 'tiny-llama', messages: [{ role: 'user', content: 'hello' }] }, main('hf-2'));
    await again.stop();
    const store = await LevelStore.open(data);
    const served = await store.listTurns('hf-2');
    await store.close();
    expect(served.map((t) => t.policy_version)).toEqual([version]);
  });

  it('with --finetune full says training is off and why', { timeout: 120_000 }, async () => {
    const server = await spawnListening('server/policy-main.ts', ['--port', '0', '--data', join(root, 'data-full'), '--model', modelDir, '--finetune', 'full', '--rate-limit', '0'], {
      startTimeoutMs: 120_000,
    });
    children.push(server);
    expect(server.output()).toMatch(/training: off \(Full fine-tuning does not fit a loaded model/);
    expect(((await (await fetch(`${server.url}/healthz`)).json()) as { training: string }).training).toMatch(/^off \(Full fine-tuning/);
    await server.stop();
  });

  it('refuses the data folder to a server of another model, and says which', { timeout: 120_000 }, async () => {
    await expect(spawnListening('server/policy-main.ts', ['--port', '0', '--data', data, '--model', 'builtin'], { startTimeoutMs: 60_000 })).rejects.toThrow(
      /holds records of a llama model from .*tiny-llama, not of the built-in model: use another --data/,
    );
    const other = writeTinyHfCheckpoint(join(root, 'other-llama'), { family: 'llama', dtype: 'bf16', seed: 24 }).dir;
    await expect(spawnListening('server/policy-main.ts', ['--port', '0', '--data', data, '--model', other], { startTimeoutMs: 60_000 })).rejects.toThrow(/holds records of a llama model/);
  });
});

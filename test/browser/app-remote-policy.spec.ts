/**
 * Issue 16 in the page: Settings → Policy points the playground at a real policy server (another process
 * on 127.0.0.1) started to answer 503 for a while after each update, as the reference does while weights
 * sync. Messages sent then are kept, shown as waiting for the server, and arrive once each, in order; the
 * key never reaches the URL or IndexedDB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { test, expect, type Page } from '@playwright/test';
import { testModel } from './app-fixtures.ts';
import { spawnListening, type ListeningChild } from '../../server/spawn-listening.ts';
import { LevelStore } from '../../src/store/level-store.ts';

const data = mkdtempSync(join(tmpdir(), 'nextstate-page-remote-'));
const token = randomBytes(12).toString('hex');
let server: ListeningChild;
let base: string;

test.beforeAll(async () => {
  base = (await testModel()).base;
  const port = process.env.NEXTSTATE_TEST_PORT;
  server = await spawnListening(
    'server/policy-main.ts',
    ['--port', '0', '--data', data, '--batch', '1', '--max-tokens', '16', '--rate-limit', '0', '--pause-after-update-ms', '4000', '--cors-origin', `http://localhost:${port},http://127.0.0.1:${port}`],
    { env: { ...process.env, NEXTSTATE_POLICY_TOKEN: token }, startTimeoutMs: 60_000 },
  );
});

test.afterAll(async () => {
  await server?.stop();
  rmSync(data, { recursive: true, force: true });
});

const version = async () => ((await (await fetch(`${server.url}/healthz`)).json()) as { policy_version: number }).policy_version;

async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue('');
}

/** Every value in the page's IndexedDB database, as JSON text. */
function indexedDbText(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('nextstate');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('records').objectStore('records').getAll();
          all.onsuccess = () => resolve(JSON.stringify(all.result, (_k, v) => (ArrayBuffer.isView(v) ? undefined : v)));
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

test('remote policy: messages wait through weight sync, then arrive once each, in order', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`/?model=${encodeURIComponent(base)}`);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: 'A remote server' }).check();
  await page.getByTestId('policy-base-url').fill(`${server.url}/v1`);
  await page.getByTestId('policy-model').fill('nextstate-tiny');
  await page.getByLabel('Bearer key (optional)').fill(token);
  await page.getByTestId('policy-apply').click();
  await expect(page.getByTestId('policy-in-use')).toContainText(`nextstate-tiny at ${server.url}/v1 (with key)`);

  const sent = ['What is the capital of Peru?', 'way too long, one short sentence please', 'why is it in capitals? use lowercase', 'thanks! what is 7 times 8?'];
  await send(page, sent[0]);
  await expect(page.getByTestId('user-text')).toHaveText([sent[0]]);
  await expect(page.getByTestId('assistant-text')).toHaveCount(1, { timeout: 60_000 });
  // The second message is turn 1's next state: with B = 1 it leads to an update, then 4 s of 503s.
  const before = await version();
  await send(page, sent[1]);
  await expect(page.getByTestId('assistant-text')).toHaveCount(2, { timeout: 60_000 });
  await expect.poll(version, { timeout: 120_000, intervals: [50] }).toBeGreaterThan(before);
  await send(page, sent[2]);
  await send(page, sent[3]);
  await expect(page.getByTestId('outgoing-state').first()).toContainText('waiting for the server', { timeout: 10_000 });
  await expect(page.getByTestId('outgoing-state').first()).toContainText('503');

  await expect(page.getByTestId('assistant-text')).toHaveCount(4, { timeout: 120_000 });
  await expect(page.getByTestId('user-text')).toHaveText(sent);
  await expect(page.getByTestId('outgoing-state')).toHaveCount(0);
  // The inspector shades the newest reply's tokens by the log-probs the server returned.
  await page.getByRole('tab', { name: 'Token inspector' }).click();
  const strip = page.getByTestId('remote-token-strip');
  await expect(strip).toBeVisible();
  expect((await strip.textContent())?.replace(/␣/g, ' ').replace(/↵/g, '\n')).toBe(await page.getByTestId('assistant-text').last().textContent());
  expect(page.url()).not.toContain(token);
  expect(await indexedDbText(page)).not.toContain(token);

  await server.stop();
  const store = await LevelStore.open(data);
  const sessions = await store.listSessions();
  const turns = await store.listTurns(sessions[0]?.id);
  await store.close();
  expect(sessions).toHaveLength(1);
  // Once each, in order: one server turn per message, each next state the message after it.
  expect(turns.map((t) => t.next_state?.content ?? null)).toEqual([...sent.slice(1), null]);
});

/**
 * Imports against the real page (issue 18): a stored session the page cannot show never blocks boot (a turn
 * written with `messages: 42` and `response_text: {…}`, what a crafted import could store before imports were
 * checked, in the session updated last, is reported with its record and field; the page opens a new session and
 * chats); and re-importing one's own export keeps learning once the visitor asks to train on the copy.
 */
import { test, expect } from '@playwright/test';
import { testModel } from './app-fixtures.ts';

test('a session that fails to open is reported and the page boots into a new one', async ({ page }) => {
  test.setTimeout(240_000);
  const { base } = await testModel();
  await page.goto(`/?model=${encodeURIComponent(base)}&maxTokens=4`);
  const box = page.getByRole('textbox', { name: 'Message' });
  await expect(box).toBeVisible({ timeout: 120_000 });

  // Written straight into the page's IndexedDB through the store, as an unchecked import once could.
  await page.evaluate(async () => {
    const { IndexedDbStore } = await import('/src/store/index.ts' as string);
    const store = await IndexedDbStore.open();
    const future = Date.now() + 10 * 365 * 24 * 3600 * 1000;
    await store.putSession({ id: 'crafted', title: 'Crafted import', createdAt: future, updatedAt: future, kind: 'chat' });
    await store.putTurn({
      session_id: 'crafted', turn: 1, timestamp: future, messages: 42, prompt_text: '', response_text: { html: '<img src=x onerror=alert(1)>' },
      tool_calls: [], next_state: null, policy_version: 0, prompt_ids: [1], response_ids: [2], response_logprobs: [-1], status: 'awaiting_next_state',
    });
  });

  await page.reload();
  await expect(box).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('complementary', { name: 'Notices' })).toContainText(
    'Session "crafted" cannot be opened: turn 1: turn.messages must be an array, got 42.', { timeout: 60_000 });
  await box.fill('hello after a broken session');
  await box.press('Enter');
  await expect(page.getByTestId('assistant-text')).toHaveCount(1, { timeout: 60_000 });

  // Both sessions are listed; opening the broken one says why, and the chat stays on the working one.
  await page.getByRole('tab', { name: 'Sessions' }).click();
  await expect(page.getByTestId('session-row')).toHaveCount(2);
  await page.getByRole('button', { name: 'Crafted import', exact: true }).click();
  await expect(page.getByRole('tabpanel').getByRole('alert')).toContainText('cannot be opened: turn 1: turn.messages must be an array');
  await expect(page.locator('.log .message.user .text')).toHaveText(['hello after a broken session']);
});

test('re-importing its own export: the copy waits as imported until the visitor asks, then an update trains it (issue 18 items 1, 6)', async ({ page }) => {
  test.setTimeout(240_000);
  const { base } = await testModel();
  await page.goto(`/?model=${encodeURIComponent(base)}&maxTokens=4&batchSize=2`);
  const box = page.getByRole('textbox', { name: 'Message' });
  await expect(box).toBeVisible({ timeout: 120_000 });
  const texts = ['What is the capital of Peru?', 'way too long, one short sentence please'];
  for (const [i, text] of texts.entries()) {
    await box.fill(text);
    await box.press('Enter');
    await expect(page.getByTestId('assistant-text')).toHaveCount(i + 1, { timeout: 60_000 });
  }
  const samples = () => page.evaluate(async () => {
    const { IndexedDbStore } = await import('/src/store/index.ts' as string);
    const list: { id: string; status: string; trained_in_update?: number }[] = await (await IndexedDbStore.open()).listSamples();
    return list.map((s) => [s.id, s.status, s.trained_in_update ?? null]);
  });
  await expect.poll(samples, { timeout: 60_000 }).toHaveLength(1);
  const [[ownId]] = await samples();

  // Export and import the same files in this browser, as the Sessions panel does.
  await page.evaluate(async () => {
    const { IndexedDbStore } = await import('/src/store/index.ts' as string);
    const { recordLimits } = await import('/src/rl/record-validate.ts' as string);
    const store = await IndexedDbStore.open();
    await store.importSessions((await store.exportSessions()).files, recordLimits(104));
  });
  await page.reload();
  await expect(box).toBeVisible({ timeout: 120_000 });
  const all = await samples();
  expect(all.map(([, status]) => status).sort()).toEqual(['foreign', 'pending']);
  const copyId = all.find(([, status]) => status === 'foreign')![0];
  expect(copyId).not.toBe(ownId);

  await page.getByRole('tab', { name: 'Sessions' }).click();
  await expect(page.getByTestId('held-samples')).toContainText('1 imported sample(s) are not trained');
  await page.getByRole('button', { name: 'Train on imported samples' }).click();
  await expect(page.getByTestId('held-samples')).toHaveCount(0);
  await expect.poll(samples, { timeout: 90_000 }).toEqual(expect.arrayContaining([[ownId, 'trained', 1], [copyId, 'trained', 1]]));
  await expect(page.getByRole('complementary', { name: 'Notices' })).toHaveCount(0);
});

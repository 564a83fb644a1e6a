/**
 * A stored session the page cannot show never blocks boot (issue 18 item 3): a turn written with `messages: 42`
 * and `response_text: {…}` (what a crafted import could store before imports were checked), in the session
 * updated last, is reported with its record and field; the page opens a new session and chats.
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

/** Sessions (issue 6): list, open, rename and delete, all from the keyboard; the chat follows the open session. */
import { test, expect } from '@playwright/test';
import { testModel } from './app-fixtures.ts';

test('sessions: new, rename, open and delete from the keyboard', async ({ page }) => {
  test.setTimeout(120_000);
  const { base } = await testModel();
  await page.goto(`/?model=${encodeURIComponent(base)}&maxTokens=4`);
  const box = page.getByRole('textbox', { name: 'Message' });
  await expect(box).toBeVisible({ timeout: 120_000 });
  await box.fill('first conversation');
  await box.press('Enter');
  await expect(page.getByTestId('assistant-text')).toHaveCount(1, { timeout: 60_000 });

  await page.getByRole('tab', { name: 'Sessions' }).click();
  const rows = page.getByTestId('session-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('first conversation');
  await page.getByRole('tabpanel').getByRole('button', { name: 'New session' }).press('Enter');
  await expect(rows).toHaveCount(2);
  await expect(page.locator('.log .message')).toHaveCount(0);

  // Rename the first conversation: Enter on "Rename", type, Enter saves.
  await page.getByRole('button', { name: 'Rename first conversation' }).press('Enter');
  const title = page.getByRole('textbox', { name: 'New title for first conversation' });
  await expect(title).toBeFocused();
  await title.fill('  arithmetic  ');
  await title.press('Enter');
  await expect(rows.filter({ hasText: 'arithmetic' })).toHaveCount(1);
  // An empty title is refused.
  await page.getByRole('button', { name: 'Rename arithmetic' }).press('Enter');
  await page.getByRole('textbox', { name: 'New title for arithmetic' }).fill('   ');
  await page.getByRole('textbox', { name: 'New title for arithmetic' }).press('Enter');
  await expect(page.getByRole('tabpanel').getByRole('alert')).toHaveText('A session needs a title.');
  await page.getByRole('textbox', { name: 'New title for arithmetic' }).press('Escape');

  // Open it again: the chat shows its messages.
  await page.getByRole('button', { name: 'arithmetic', exact: true }).press('Enter');
  await expect(page.locator('.log .message.user .text')).toHaveText(['first conversation']);
  await expect(page.getByRole('heading', { level: 2, name: 'arithmetic' })).toBeVisible();

  // Delete asks for a confirmation; keeping it changes nothing.
  await page.getByRole('button', { name: 'Delete arithmetic' }).press('Enter');
  await page.getByRole('button', { name: 'Keep' }).press('Enter');
  await expect(rows).toHaveCount(2);
  await page.getByRole('button', { name: 'Delete arithmetic' }).press('Enter');
  await page.getByRole('button', { name: 'Confirm deleting arithmetic' }).press('Enter');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).not.toContainText('arithmetic');
  await expect(page.locator('.log .message')).toHaveCount(0);
});

/**
 * The page says how many samples are kept stale and why (METHOD §7, issue 19): samples a closed tab left
 * `stale` in IndexedDB are counted on the Training panel with the bound of the settings in force.
 */
import { test, expect, type Page } from '@playwright/test';
import { testModel } from './app-fixtures.ts';

let base: string;

test.beforeAll(async () => {
  base = (await testModel()).base;
});

async function ready(page: Page): Promise<void> {
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
}

/** Writes `count` stale samples straight into the store (key ['sample', id], as src/store/keys.ts lays them out). */
function writeStaleSamples(page: Page, count: number): Promise<void> {
  return page.evaluate(
    (count) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('nextstate');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('records', 'readwrite');
          for (let turn = 1; turn <= count; turn++) {
            tx.objectStore('records').put({
              id: `old/${turn}`, session_id: 'old', turn, status: 'stale', policy_version: 0, case: 'grpo',
              prompt_ids: [1], response_ids: [2], response_logprobs: [-1], loss_mask: [1], reward: { score: -1 }, hint: null, hints: [],
              support_ids: [[]], old_logprobs_at_support: [[]], teacher_logprobs_at_support: [[]],
            }, ['sample', `old/${turn}`]);
          }
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
    count,
  );
}

test('the Training panel counts the stale samples and says why, with the bound in force', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`/?model=${encodeURIComponent(base)}`);
  await ready(page);
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByTestId('queue-stale')).toHaveText('0');

  await writeStaleSamples(page, 3);
  await page.reload();
  await ready(page);
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByTestId('queue-stale')).toHaveText(/^3 — more than 4 versions behind the policy being trained, or from a version a rollback left behind/);

  await page.goto(`/?model=${encodeURIComponent(base)}&maxStaleness=1`);
  await ready(page);
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByTestId('queue-stale')).toHaveText(/^3 — more than one version behind the policy being trained/);
});

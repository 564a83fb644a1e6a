/**
 * Issue 13's whole loop in the page, on a tiny Hugging Face-layout model generated here (random weights: this
 * proves the wiring, not learning): real workers, IndexedDB, Chromium with WebGPU on SwiftShader. Chat →
 * correction → judged → hint → update → adapter version 1 → reload → v1 served → export as PEFT files (names,
 * shapes and config checked field by field) → a refused import and then the import into a fresh profile.
 */
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeTinyHfCheckpoint } from '../../scripts/gen-hf-checkpoint.ts';

const root = resolve(import.meta.dirname, '../..');
const URL_PATH = '/.cache/hf-learn/tiny';

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await expect(box).toBeEnabled({ timeout: 60_000 });
  await box.fill(text);
  await box.press('Enter');
}

const turn = (page: Page, n: number) => page.locator(`[data-testid="turn-signals"][data-turn="${n}"]`);

/** The JSON header of a safetensors file: name → dtype and shape (and __metadata__). */
function safetensorsHeader(bytes: Buffer): Record<string, { dtype: string; shape: number[] } | Record<string, string>> {
  const length = Number(bytes.readBigUInt64LE(0));
  return JSON.parse(bytes.subarray(8, 8 + length).toString('utf8'));
}

test('a loaded model learns through its LoRA adapter: update → v1 → reload serves v1 → PEFT export → import in a fresh profile', async ({ page, browser }, testInfo) => {
  test.setTimeout(240_000);
  const dir = resolve(root, `.${URL_PATH}`);
  rmSync(dir, { recursive: true, force: true });
  // hidden 48, 6 heads of 8 (2 kv heads), MLP 80, 2 layers: as small as the loader allows, so an update takes seconds
  writeTinyHfCheckpoint(dir, { family: 'llama', dtype: 'f32', seed: 7 });
  const link = `/?hf=${encodeURIComponent(`${URL_PATH}/`)}&batchSize=1&maxTokens=12`;

  await page.goto(link);
  await page.getByRole('button', { name: 'Download and load' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  // Before the first update the page states what one will need (shapes, r, targets, checkpointing) and the cap.
  await expect(page.getByTestId('model-training')).toContainText(
    /Learning: a LoRA adapter \(r 8, alpha 16, on q, k, v, o\) trains on the frozen base;\s+each version saves the adapter only\. Memory: one update of 1 sample\(s\) × 140 tokens needs about [\d.]+ MB: base [\d.]+ MB \(f32\), adapter with gradient and Adam [\d.]+ MB, activations [\d.]+ MB \(every layer kept, no checkpointing\), logits [\d.]+ MB; the cap is 1536 MB\./,
  );
  await expect(page.getByTestId('serving-version')).toContainText('v0');

  // Chat, then a correction: turn 1 is judged, a hint selected, its sample trains version 1.
  await send(page, 'what is 2 plus 3?');
  await expect(turn(page, 1).getByTestId('turn-version')).toHaveText('v0', { timeout: 60_000 });
  await send(page, 'too long, one sentence please');
  await expect(turn(page, 1).getByTestId('judge-score')).toHaveText('−1', { timeout: 120_000 });
  await expect(turn(page, 1).getByTestId('hint-candidates').locator('li.selected')).toHaveCount(1);
  await expect(page.getByTestId('serving-version')).toContainText('v1', { timeout: 180_000 });
  await expect(turn(page, 1).getByTestId('turn-training')).toHaveText('Trained in the update that made v1.', { timeout: 30_000 });

  // Reload: the cached base and the saved adapter v1, which writes the next reply.
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('serving-version')).toContainText('v1');
  await send(page, 'and what is the capital of Peru?');
  await expect(turn(page, 3).getByTestId('turn-version')).toHaveText('v1', { timeout: 60_000 });

  // Export the served adapter in PEFT's files.
  await page.getByRole('tab', { name: 'Sessions' }).click();
  // (turn 3's message was turn 2's next state: its sample may have trained v2 meanwhile)
  await page.getByRole('button', { name: /^Export the served adapter as PEFT files \(v\d+\)$/ }).click();
  const links = page.getByTestId('checkpoint-links').getByRole('link');
  await expect(links).toHaveText(['adapter_model.safetensors', 'adapter_config.json']);
  const saved: string[] = [];
  for (let i = 0; i < 2; i++) {
    const [download] = await Promise.all([page.waitForEvent('download'), links.nth(i).click()]);
    const path = testInfo.outputPath(download.suggestedFilename());
    await download.saveAs(path);
    saved.push(path);
  }
  const config = JSON.parse(readFileSync(saved[1], 'utf8')) as Record<string, unknown>;
  expect(config.peft_type).toBe('LORA');
  expect(config.task_type).toBe('CAUSAL_LM');
  expect(config.r).toBe(8);
  expect(config.lora_alpha).toBe(16);
  expect(config.lora_dropout).toBe(0);
  expect(config.target_modules).toEqual(['q_proj', 'k_proj', 'v_proj', 'o_proj']);
  expect(config.bias).toBe('none');
  expect(config.base_model_name_or_path).toBe('tiny'); // the folder's name, not the origin serving it
  const header = safetensorsHeader(readFileSync(saved[0]));
  const { __metadata__: metadata, ...tensors } = header;
  expect((metadata as Record<string, string>).base_model_sha256).toMatch(/^[0-9a-f]{64}$/);
  // [r, in] for lora_A and [out, r] for lora_B; q and o are 6 heads × 8 = 48 wide, k and v 2 heads × 8 = 16
  const out = { q_proj: 48, k_proj: 16, v_proj: 16, o_proj: 48 };
  const expected: Record<string, { dtype: string; shape: number[] }> = {};
  for (let i = 0; i < 2; i++) {
    for (const [module, width] of Object.entries(out)) {
      const name = `base_model.model.model.layers.${i}.self_attn.${module}`;
      expected[`${name}.lora_A.weight`] = { dtype: 'F32', shape: [8, 48] };
      expected[`${name}.lora_B.weight`] = { dtype: 'F32', shape: [width, 8] };
    }
  }
  expect(Object.fromEntries(Object.entries(tensors).map(([n, t]) => [n, { dtype: (t as { dtype: string }).dtype, shape: (t as { shape: number[] }).shape }]))).toEqual(expected);

  // A fresh profile: the same model, version 0; a wrong adapter is refused with nothing changed, the right one served.
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport: { width: 1280, height: 800 } });
  const fresh = await context.newPage();
  await fresh.goto(link);
  await fresh.getByRole('button', { name: 'Download and load' }).click();
  await expect(fresh.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  await expect(fresh.getByTestId('serving-version')).toContainText('v0');
  await fresh.getByRole('tab', { name: 'Sessions' }).click();
  const wrong = testInfo.outputPath('wrong/adapter_config.json');
  rmSync(resolve(wrong, '..'), { recursive: true, force: true });
  mkdirSync(resolve(wrong, '..'), { recursive: true });
  writeFileSync(wrong, JSON.stringify({ ...config, r: 4 }));
  await fresh.getByLabel(/Or a LoRA adapter for this model in PEFT's files/).setInputFiles([saved[0], wrong]);
  await expect(fresh.getByTestId('import-problems')).toContainText(/this base needs \[4,48\]/);
  await expect(fresh.getByTestId('serving-version')).toContainText('v0');
  await fresh.getByLabel(/Or a LoRA adapter for this model in PEFT's files/).setInputFiles(saved);
  await expect(fresh.getByTestId('import-result')).toHaveText('Imported the adapter as version 1, now served.', { timeout: 60_000 });
  await expect(fresh.getByTestId('serving-version')).toContainText('v1');
  await send(fresh, 'what is 2 plus 3?');
  await expect(turn(fresh, 1).getByTestId('turn-version')).toHaveText('v1', { timeout: 60_000 });
  await context.close();
});

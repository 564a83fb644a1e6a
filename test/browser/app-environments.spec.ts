/**
 * Agents that act (issue 15), in real Chromium with the real workers and the shipped policy: with the
 * Environment set to Tool use (from the link), "New task" draws a checked task; the agent's tool call is run
 * by the page, the call and the tool's output appear as their own bubbles with the step's judge signals,
 * the agent answers, the checker's outcome is shown, and the inspector opens on the tool-call turn. In the
 * terminal, every command gets the sandbox's output and the episode ends checked or capped.
 */
import { test, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { testModel } from './app-fixtures.ts';
import { TOOLS_SYSTEM_PROMPT } from '../../src/world/tools.ts';
import { MAX_ACTIONS, TERMINAL_SYSTEM_PROMPT, parseCommand } from '../../src/world/environments/index.ts';

test('tool use: a task runs its tool call, shows call and result with the step judge, checks the answer', async ({ page }) => {
  test.setTimeout(300_000);
  const model = await testModel();
  // A random policy never calls a tool: this test is about the shipped one, which must be there.
  expect(model.shipped, 'the shipped policy is in public/models/').toBe(true);
  await page.goto(`/?environment=tool-use&batchSize=64&maxTokens=80`);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  await page.getByRole('button', { name: 'New task' }).click();

  await expect(page.getByTestId('system-text')).toHaveText([TOOLS_SYSTEM_PROMPT], { timeout: 60_000 });
  const calls = page.getByTestId('assistant-text');
  await expect(calls.first()).toHaveText(/^call (calculator|lookup): /, { timeout: 60_000 });
  await expect(page.getByTestId('tool-text').first()).toHaveText(/^(result|error): /);
  await expect(page.getByTestId('episode-outcome')).toHaveText(/Task (solved|not solved)/, { timeout: 120_000 });
  expect(await calls.count()).toBeGreaterThanOrEqual(2);

  // The tool-call turn is judged by the step judge from the task and the tool's output: a result of a call on the
  // task's own numbers (or its country) +1; an error, or a call on a number the task never gave, −1.
  const step1 = page.locator('[data-testid="turn-signals"][data-turn="1"]');
  const result = await page.getByTestId('tool-text').first().textContent();
  const task = (await page.getByTestId('user-text').first().textContent()) ?? '';
  const call = (await calls.first().textContent()) ?? '';
  const worked = !!result?.startsWith('result:') && (call.match(/\d+/g) ?? []).every((n) => (task.match(/\d+/g) ?? ([] as string[])).includes(n));
  await expect(step1.getByTestId('judge-score')).toHaveText(worked ? '+1' : '−1', { timeout: 120_000 });
  await expect(step1).toContainText(/Next state\s*tool/);
  // Its step reward is the mean of its votes (the outcome is added only to the answer's step): ±1 here.
  await expect(step1.getByTestId('step-reward')).toHaveText(worked ? '1.00' : '-1.00');
  const outcome = (await page.getByTestId('episode-outcome').textContent())?.includes('Task solved') ? 1 : -1;
  const answer = page.locator('[data-testid="turn-signals"][data-turn="2"]');
  const answerScore = (await answer.getByTestId('judge-score').textContent({ timeout: 120_000 }))?.replace('−', '-').replace('+', '');
  if (outcome + Number(answerScore) !== 0 && (await page.getByTestId('tool-text').count()) === 1) {
    await expect(answer.getByTestId('step-reward')).toHaveText((outcome + Number(answerScore)).toFixed(2));
  }

  // The inspector works on the tool-call turn.
  await step1.getByRole('button', { name: 'Inspect tokens of reply 1' }).click();
  await expect(page.getByTestId('token-heatmap').getByRole('option').first()).toBeVisible();
  expect(page.url()).toContain('environment=tool-use');
  const shots = resolve(import.meta.dirname, 'screenshots');
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: resolve(shots, 'environment-tool-use-1280.png') });
});

test('terminal: a task opens with the commands announced, each command\'s output is its own bubble, the episode ends checked', async ({ page }) => {
  test.setTimeout(240_000);
  const model = await testModel();
  await page.goto(`/?model=${encodeURIComponent(model.base)}&environment=terminal&batchSize=64&maxTokens=80`);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 120_000 });
  await page.getByRole('button', { name: 'New task' }).click();
  await expect(page.getByTestId('system-text')).toHaveText([TERMINAL_SYSTEM_PROMPT], { timeout: 60_000 });
  // Whatever the policy does (commands or prose), the episode ends: checked, or stopped at the cap of actions.
  await expect(page.getByTestId('episode-outcome')).toHaveText(/Task (solved|not solved)/, { timeout: 180_000 });
  const replies = await page.getByTestId('assistant-text').allTextContents();
  const outputs = await page.getByTestId('tool-text').allTextContents();
  // Each `run:` reply got the sandbox's output (`exit N` first) as its next state; the last reply is the answer unless capped.
  const commands = replies.filter((r) => parseCommand(r) !== null);
  expect(outputs).toHaveLength(commands.length);
  for (const out of outputs) expect(out).toMatch(/^exit \d+/);
  const capped = (await page.getByTestId('episode-outcome').textContent())?.includes('past the limit');
  expect(outputs.length).toBe(capped ? MAX_ACTIONS : replies.length - 1);
});

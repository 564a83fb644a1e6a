/**
 * The online loop in real Chromium: real module workers, real IndexedDB, the real loop (issue 5 tests).
 */
import { test, expect, type Page } from '@playwright/test';

type Harness = {
  start(o: object): Promise<{ backend: string; reason: string }[]>;
  newSession(): Promise<string>;
  sessions(): Promise<string[]>;
  send(id: string, text: string): Promise<{ turn: number; version: number; text: string; times: number[] }>;
  idle(): Promise<void>;
  version(): number;
  updating(): boolean;
  errors(): string[];
  fallbacks(): { engine: string; backend: string; reason: string }[];
  destroyPolicyGpuDevice(): Promise<boolean>;
  dump(id: string): Promise<{
    turns: { path: string | null; turn: number; status: string; version: number; next: string | null; trainedIn: number | null }[];
    judges: { turn: number; kind: string; score: number | null }[];
    samples: { turn: number; status: string; case: string }[];
    serving: number | undefined;
    checkpoints: number[];
  }>;
};

async function open(page: Page, options: object) {
  await page.goto('/test/browser/pages/loop.html');
  await expect(page.locator('#status')).toHaveText('idle');
  return page.evaluate((o) => (window as unknown as { harness: Harness }).harness.start(o), options);
}

function h<T>(page: Page, fn: (harness: Harness, arg: any) => Promise<T> | T, arg?: unknown): Promise<T> {
  return page.evaluate(
    ([source, a]) => {
      const f = new Function(`return (${source})`)() as (x: Harness, y: unknown) => unknown;
      return f((window as unknown as { harness: Harness }).harness, a) as T;
    },
    [fn.toString(), arg] as const,
  ) as Promise<T>;
}

const settings = { batchSize: 2, maxTokens: 12, lr: 1e-3 };

test('chat → correction → judged → update lands → reload restores history, signals and version', async ({ page }) => {
  const choices = await open(page, { backend: 'wasm', settings });
  expect(choices.map((c) => c.backend)).toEqual(['wasm', 'wasm', 'wasm']);
  const id = await h(page, (x) => x.newSession());
  const first = await h(page, (x, id) => x.send(id, 'What is the capital of Peru?'), id);
  expect(first.version).toBe(0);
  expect(first.times.length).toBeGreaterThan(0);
  await h(page, (x, id) => x.send(id, 'too long, give me one short sentence'), id);
  await h(page, (x, id) => x.send(id, 'why is it in capitals? lowercase please'), id);
  await h(page, (x) => x.idle());
  expect(await h(page, (x) => x.errors())).toEqual([]);
  const before = await h(page, (x, id) => x.dump(id), id);
  expect(before.judges.filter((j) => j.kind === 'evaluative' && j.turn <= 2).map((j) => j.score)).toEqual([-1, -1]);
  expect(before.serving).toBe(1);
  expect(before.turns.slice(0, 2).map((t) => t.trainedIn)).toEqual([1, 1]);

  await page.reload();
  await open(page, { backend: 'wasm', settings });
  expect(await h(page, (x) => x.version())).toBe(1);
  const after = await h(page, (x, id) => x.dump(id), id);
  expect(after.turns).toEqual(before.turns);
  expect(after.judges).toEqual(before.judges);
  expect(await h(page, (x) => x.sessions())).toEqual([id]);
  const next = await h(page, (x, id) => x.send(id, 'thanks'), id);
  expect(next.version).toBe(1);
});

test('closing the page in the middle of an update loses nothing; the update is redone or was completed', async ({ page, context }) => {
  await open(page, { backend: 'wasm', settings: { ...settings, batchSize: 1, epochsPerBatch: 8 } });
  const id = await h(page, (x) => x.newSession());
  await h(page, (x, id) => x.send(id, 'What is 5 plus 6?'), id);
  await h(page, (x, id) => x.send(id, 'no, that is wrong, try again'), id);
  await expect.poll(() => h(page, (x) => x.updating()), { timeout: 60_000, intervals: [5] }).toBe(true);
  await page.close();

  const again = await context.newPage();
  await open(again, { backend: 'wasm', settings: { ...settings, batchSize: 1 } });
  await h(again, (x) => x.idle());
  const state = await h(again, (x, id) => x.dump(id), id);
  // Both turns are there, turn 1 with its next state; its sample was trained exactly once.
  expect(state.turns.map((t) => t.turn)).toEqual([1, 2]);
  expect(state.turns[0].next).toBe('no, that is wrong, try again');
  expect(state.samples.filter((s) => s.turn === 1)).toEqual([{ turn: 1, status: 'trained', case: expect.any(String) }]);
  expect(state.serving).toBe(1);
  expect(state.checkpoints).toEqual([0, 1]);
});

test('the whole loop on the webgpu backend (SwiftShader): reply, judge, teacher, update', async ({ page }) => {
  test.setTimeout(600_000);
  const choices = await open(page, { backend: 'webgpu', settings: { batchSize: 1, maxTokens: 6 } });
  expect(choices.map((c) => c.backend)).toEqual(['webgpu', 'webgpu', 'webgpu']);
  const id = await h(page, (x) => x.newSession());
  await h(page, (x, id) => x.send(id, 'What is 2 plus 2?'), id);
  await h(page, (x, id) => x.send(id, 'that is too long, one sentence please'), id);
  await h(page, (x) => x.idle());
  expect(await h(page, (x) => x.errors())).toEqual([]);
  const state = await h(page, (x, id) => x.dump(id), id);
  expect(state.samples[0]).toMatchObject({ turn: 1, status: 'trained' });
  expect(state.turns[0].path).toBe('kernels');
  expect(state.serving).toBe(1);
});

test('on webgpu the kernels give the directive signal the reference gives', async ({ page }) => {
  await page.goto('/test/browser/pages/loop.html');
  await expect(page.locator('#status')).toHaveText('idle');
  for (const seed of [1, 2]) {
    const r = await page.evaluate((s) => (window as any).harness.signalParity(s), seed);
    expect(r).toMatchObject({ path: 'kernels', idsEqual: true, overlapEqual: true, perPositionEqual: true });
    expect(r.logprobDiff).toBeLessThan(1e-4);
    expect(r.advantageDiff).toBeLessThan(1e-4);
  }
});

test('a lost GPU device: the policy moves to wasm with its weights, says why, and the reply is not refused', async ({ page }) => {
  await open(page, { backend: 'webgpu', settings: { batchSize: 8, maxTokens: 4 } });
  const id = await h(page, (x) => x.newSession());
  const first = await h(page, (x, id) => x.send(id, 'What is 2 plus 2?'), id);
  expect(first.text.length).toBeGreaterThan(0);
  expect(await h(page, (x) => x.destroyPolicyGpuDevice())).toBe(true);
  const second = await h(page, (x, id) => x.send(id, 'and 3 plus 3?'), id);
  expect(second.times.length).toBeGreaterThan(0);
  const fallbacks = await h(page, (x) => x.fallbacks());
  expect(fallbacks).toEqual([{ engine: 'policy', backend: 'wasm', reason: expect.stringMatching(/GPU failed.*wasm/) }]);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from './chromium.ts';
import type { StoreTestApi } from './pages/store-page.ts';

const PAGE = '/test/browser/pages/store.html';

async function openPage(context: BrowserContext, baseURL?: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(baseURL ? new URL(PAGE, baseURL).href : PAGE);
  await expect(page.locator('#status')).toHaveText('ready');
  return page;
}

/** Calls `window.storeTest[name](...args)` in the page. */
function call<K extends keyof StoreTestApi>(page: Page, name: K, ...args: Parameters<StoreTestApi[K]>): Promise<Awaited<ReturnType<StoreTestApi[K]>>> {
  return page.evaluate(([n, a]) => (window as unknown as { storeTest: Record<string, (...x: unknown[]) => unknown> }).storeTest[n](...a),
    [name, args] as [string, unknown[]]) as Promise<Awaited<ReturnType<StoreTestApi[K]>>>;
}

type Contents = Awaited<ReturnType<StoreTestApi['contents']>>;
const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));

test('IndexedDbStore: written records, checkpoint and settings read back the same after a reload', async ({ page }) => {
  await page.goto(PAGE);
  await expect(page.locator('#status')).toHaveText('ready');
  const seeds = [3, 1, 2];
  await call(page, 'writeFixtures', 'reload', seeds, 5, 1_000_000);
  await page.reload();
  await expect(page.locator('#status')).toHaveText('ready');
  const got = await call(page, 'contents', 'reload');
  const { fixtures, checkpoint0 } = await call(page, 'expected', seeds, 5, 1_000_000);
  const sorted = [...fixtures].sort((a, b) => (a.session.id < b.session.id ? -1 : 1));
  expect(got.sessions).toEqual(sorted.map((f) => ({ ...f.session, updatedAt: f.turns[f.turns.length - 1].timestamp })));
  expect(got.turns).toEqual(sorted.flatMap((f) => f.turns));
  expect(got.judges).toHaveLength(sorted.reduce((n, f) => n + f.judges.length, 0));
  expect(got.judges).toEqual(expect.arrayContaining(sorted.flatMap((f) => f.judges)));
  expect(got.samples).toEqual(byId(sorted.flatMap((f) => f.samples)));
  expect(got.checkpoints).toEqual([checkpoint0]);
  expect(got.serving).toBe(0);
  expect(got.settings).toEqual({ k: 4, batchSize: 2 });
});

test('IndexedDbStore: keys sort as IndexedDB sorts them, and a v0 layout migrates on open', async ({ page }) => {
  await page.goto(PAGE);
  await expect(page.locator('#status')).toHaveText('ready');
  expect(await call(page, 'keyOrderDisagreements', 3000, 77)).toEqual([]);
  const v0 = await call(page, 'writeV0', 'legacy');
  expect(await call(page, 'open', 'legacy')).toBe('ok');
  const got = await call(page, 'contents', 'legacy');
  expect(got.sessions).toEqual([v0.session]);
  expect(got.turns.map((t) => [t.turn, t.status, t.policy_version])).toEqual([
    [1, 'pending_signals', v0.turns[0].policy_version],
    [2, 'awaiting_next_state', v0.turns[1].policy_version],
  ]);
  expect(got.serving).toBe(3);
  expect(got.versions).toEqual([3]);
  const raw = (await call(page, 'rawDump', 'legacy')) as [unknown, unknown][];
  expect(raw.every(([key]) => Array.isArray(key))).toBe(true);
});

/**
 * What a store must look like after an interrupted commitUpdate: entirely before it, or entirely after it.
 * Returns which, or throws with what is inconsistent.
 */
function oldOrNew(got: Contents, ids: string[], expectedCheckpoint: unknown): 'old' | 'new' {
  const trained = got.samples.filter((s) => s.status === 'trained');
  const trainedTurns = got.turns.filter((t) => t.status === 'trained');
  if (got.serving === 0) {
    expect(got.versions, 'old state: only version 0').toEqual([0]);
    expect(got.metrics).toEqual([]);
    expect(trained).toEqual([]);
    expect(trainedTurns).toEqual([]);
    return 'old';
  }
  expect(got.serving, 'new state: version 1 served').toBe(1);
  expect(got.versions).toEqual([0, 1]);
  expect(got.checkpoints[1]).toEqual(expectedCheckpoint);
  expect(got.metrics).toEqual([{ version: 1, loss: 0.25, samples: ids.length }]);
  expect(trained.map((s) => s.id).sort()).toEqual([...ids].sort());
  expect(trained.every((s) => s.trained_in_update === 1)).toBe(true);
  expect(trainedTurns.map((t) => `${t.session_id}#${t.turn}`).sort()).toEqual([...ids].sort());
  return 'new';
}

test('IndexedDbStore: commitUpdate interrupted by closing the page or the browser leaves the old or the new state', async ({ baseURL }) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), 'nextstate-store-'));
  const launch = () => chromium.launchPersistentContext(dir, { ...chromiumLaunchOptions(), baseURL });
  const outcomes: string[] = [];
  try {
    let context = await launch();
    const delays = [0, 0, 0, 0, 5, 10, 20, 40, 150, 1000];
    for (const [i, delay] of delays.entries()) {
      const db = `atomic-${i}`;
      const closeBrowser = i % 2 === 1;
      const page = await openPage(context, baseURL);
      await call(page, 'writeFixtures', db, [900 + i], 6, 1000);
      const before = await call(page, 'contents', db);
      const { ids, expected } = await call(page, 'startCommit', db, 16_000_000);
      expect(ids.length).toBeGreaterThan(0);
      // With no delay the page goes at once; otherwise ask first whether the commit has already settled.
      if (delay > 0) await page.waitForTimeout(delay);
      const settled = delay > 0 ? await call(page, 'commitState') : 'unasked';
      if (closeBrowser) {
        await context.close();
        context = await launch();
      } else {
        await page.close({ runBeforeUnload: false });
      }
      const reopened = await openPage(context, baseURL);
      const after = await call(reopened, 'contents', db);
      const outcome = oldOrNew(after, ids, expected);
      if (outcome === 'old') expect(after).toEqual(before);
      expect(settled === 'done' ? outcome : 'new').toBe('new');
      outcomes.push(`${closeBrowser ? 'browser' : 'page'}+${delay}ms:${settled}->${outcome}`);
      await reopened.close();
    }
    await context.close();
  } finally {
    console.log(`commitUpdate interruptions: ${outcomes.join(', ')}`);
    rmSync(dir, { recursive: true, force: true });
  }
  // Interrupting right after the start must have caught some commits before they landed.
  expect(outcomes.some((o) => o.endsWith('old')), outcomes.join(', ')).toBe(true);
});

test('IndexedDbStore: export, then import into a fresh browser profile gives the same sessions', async ({ page, browser }) => {
  await page.goto(PAGE);
  await expect(page.locator('#status')).toHaveText('ready');
  await call(page, 'writeFixtures', 'exporter', [11, 12, 13], 5);
  const files = await call(page, 'exportAll', 'exporter');
  const source = await call(page, 'contents', 'exporter');

  const fresh = await browser.newContext();
  try {
    const other = await openPage(fresh);
    expect((await call(other, 'contents', 'exporter')).sessions).toEqual([]);
    const result = await call(other, 'importFiles', 'exporter', files);
    expect(result.ok?.renamed).toEqual({});
    const imported = await call(other, 'contents', 'exporter');
    for (const part of ['sessions', 'turns', 'judges'] as const) expect(imported[part]).toEqual(source[part]);
    // Pending samples arrive foreign: their version numbers are the exporting browser's (METHOD §7).
    expect(imported.samples).toEqual(source.samples.map((x: { status: string }) => (x.status === 'pending' ? { ...x, status: 'foreign' } : x)));
    // Checkpoints, settings and the serving version are not part of a sessions export.
    expect(imported.versions).toEqual([]);
  } finally {
    await fresh.close();
  }
});

test('IndexedDbStore: a corrupt or foreign import is refused with where and what, and nothing is touched', async ({ page }) => {
  await page.goto(PAGE);
  await expect(page.locator('#status')).toHaveText('ready');
  await call(page, 'writeFixtures', 'source', [21, 22], 4);
  const good = await call(page, 'exportAll', 'source');
  await call(page, 'writeFixtures', 'target', [31], 3);
  const before = await call(page, 'rawDump', 'target');

  const turnLines = good['turns.jsonl'].trimEnd().split('\n');
  const line3 = JSON.parse(turnLines[2]);
  turnLines[2] = JSON.stringify({ ...line3, messages: [{ role: 'user', content: 42 }] });
  const corrupt = { ...good, 'turns.jsonl': turnLines.join('\n') + '\n' };
  const refused = await call(page, 'importFiles', 'target', corrupt);
  expect(refused.error?.name).toBe('ImportRefusedError');
  expect(refused.error?.message).toContain('turns.jsonl line 3: turn.messages[0].content must be a string');

  const foreign = { ...good, 'manifest.json': JSON.stringify({ name: 'nextstate', version: '0.1.0', private: true }) };
  const foreignRefused = await call(page, 'importFiles', 'target', foreign);
  expect(foreignRefused.error?.message).toMatch(/manifest\.json: not a NextState export/);

  expect(await call(page, 'rawDump', 'target')).toEqual(before);
  expect((await call(page, 'importFiles', 'target', good)).ok?.sessions).toHaveLength(2);
});

test('IndexedDbStore: a real quota refusal becomes StorageQuotaError and loses nothing recorded before', async ({ page, baseURL }) => {
  await page.goto(PAGE);
  await expect(page.locator('#status')).toHaveText('ready');
  // Chromium applies an overridden quota to IndexedDB only if it is set before the origin first stores anything.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL!).origin, quotaSize: 2_000_000 });
  try {
    await call(page, 'writeFixtures', 'quota', [41], 4);
    const before = await call(page, 'rawDump', 'quota');
    const refused = await call(page, 'putBigCheckpoint', 'quota', 5, 8_000_000);
    expect(refused.error?.name).toBe('StorageQuotaError');
    expect(refused.error?.message).toMatch(/Storage is full: the browser refused to save checkpoint version 5/);
    expect(refused.error?.cause).toMatch(/QuotaExceededError/);
    expect(await call(page, 'rawDump', 'quota')).toEqual(before);
    expect(await call(page, 'putBigCheckpoint', 'quota', 6, 10_000)).toEqual({ ok: true });
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL!).origin });
  }
});

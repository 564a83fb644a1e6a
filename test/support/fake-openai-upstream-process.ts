/** Runs fake-openai-upstream.ts in its own process and steers it over its control endpoints. */
import { spawnListening } from '../../server/spawn-listening.ts';
import type { UpstreamStats, UpstreamStep } from './fake-openai-upstream.ts';

export interface FakeOpenAIUpstream {
  /** The API root to give a judge: `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  port: number;
  setPlan(plan: UpstreamStep[]): Promise<void>;
  stats(): Promise<UpstreamStats>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFakeOpenAIUpstream(): Promise<FakeOpenAIUpstream> {
  const running = await spawnListening(new URL('./fake-openai-upstream.ts', import.meta.url).pathname);
  const post = async (path: string, body: unknown) => {
    const r = await fetch(running.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`fake upstream ${path}: HTTP ${r.status}`);
  };
  return {
    baseUrl: `${running.url}/v1`,
    port: running.port,
    setPlan: (plan) => post('/control/plan', { plan }),
    resetStats: () => post('/control/reset-stats', {}),
    stats: async () => (await (await fetch(`${running.url}/control/stats`)).json()) as UpstreamStats,
    stop: running.stop,
  };
}

/**
 * `npm run policy-server`: the policy server (issue 16). Parses flags and environment (policy-flags.ts),
 * opens the record store on disk, starts the engines in worker threads and the online loop over them, and
 * listens; all HTTP behaviour lives in policy-server.ts.
 */
import { mkdirSync } from 'node:fs';
import { LevelStore } from '../src/store/level-store.ts';
import { OnlineLoop } from '../src/workers/online-loop.ts';
import { createThreadEngines } from './engine-threads.ts';
import { FlagError, parsePolicyServerFlags, POLICY_USAGE } from './policy-flags.ts';
import { loadServedModel, type ServedModelSource } from './policy-model.ts';
import { claimDataFolder, modelMark } from './data-folder-model.ts';
import { createPolicyServer, type PolicyServer } from './policy-server.ts';
import { listenAnnounced } from './guarded-server.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(POLICY_USAGE);
  process.exit(0);
}

let settings;
let served: ServedModelSource;
try {
  settings = parsePolicyServerFlags(process.argv.slice(2), process.env);
  served = await loadServedModel(settings.model);
} catch (error) {
  if (!(error instanceof FlagError)) throw error;
  console.error(`${error.message}\n\n${POLICY_USAGE}`);
  process.exit(2);
}

mkdirSync(settings.dataDir, { recursive: true });
const store = await LevelStore.open(settings.dataDir).catch((error: Error) => {
  const locked = /lock/i.test(`${error.message} ${(error.cause as Error | undefined)?.message ?? ''}`);
  console.error(locked ? `the data folder ${settings.dataDir} is in use by another policy server` : `cannot open the records in ${settings.dataDir}: ${error.message}`);
  process.exit(1);
});
try {
  claimDataFolder(settings.dataDir, modelMark(served), !!(await store.getCheckpoint(0)));
} catch (error) {
  console.error((error as Error).message);
  await store.close();
  process.exit(1);
}
const engines = await createThreadEngines();
const log = (line: string) => console.log(line);
let policyServer: PolicyServer | null = null;
// The loop has no "update began" event (its queue event reads the store each time): the trainer call says it.
const train = engines.trainer.update;
engines.trainer.update = async (samples, loopSettings, version) => {
  policyServer?.updateStarted();
  const result = await train(samples, loopSettings, version);
  policyServer?.weightsMade();
  return result;
};
const loop = new OnlineLoop(engines, store, settings.loop, {
  // the new version serves from here; its `update` event comes later, once the drift metric is measured
  published: () => policyServer?.updated(),
  update: (metrics) => {
    log(`${new Date().toISOString()} update version=${metrics.version} samples=${metrics.samples} loss=${metrics.loss.toFixed(4)} ` +
      `train=${Math.round(metrics.trainMs ?? 0)}ms commit=${Math.round(metrics.commitMs ?? 0)}ms publish=${Math.round(metrics.publishMs ?? 0)}ms`);
  },
  stale: (ids) => log(`${new Date().toISOString()} stale samples=${ids.length}`),
  error: (where, error) => {
    if (where === 'update') policyServer?.updateFailed();
    log(`${new Date().toISOString()} ${where} error: ${error.name}: ${error.message}`);
  },
});
// The loop starts its background work with `void`; a failure there (e.g. two concurrent maybeUpdate calls
// marking the same samples stale) must be reported, not end the process that serves every agent.
process.on('unhandledRejection', (error) => log(`${new Date().toISOString()} background error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`));
try {
  await loop.start(served.kind === 'builtin' ? served.checkpoint : { hf: served.location });
} catch (error) {
  console.error(`cannot serve --model ${settings.model}: ${(error as Error).message}`);
  await engines.terminate();
  await store.close();
  process.exit(1);
}
policyServer = createPolicyServer({
  loop,
  store,
  policy: engines.policy,
  modelName: settings.modelName,
  sampling: { temperature: settings.loop.temperature, topP: settings.loop.topP, maxTokens: settings.loop.maxTokens },
  untagged: settings.untagged,
  token: settings.token,
  corsOrigins: settings.corsOrigins,
  bodyLimitBytes: settings.bodyLimitBytes,
  rateLimit: settings.rateLimit,
  log,
  logBodies: settings.logBodies,
  pauseAfterUpdateMs: settings.pauseAfterUpdateMs,
});
const { server } = policyServer;

listenAnnounced(server, settings, 'policy server', 'NEXTSTATE_POLICY_TOKEN: anyone who can reach it can train this policy', () =>
  `model ${settings.modelName} (${served.kind === 'builtin' ? 'built-in' : `${served.family} from ${served.location.name}`}), version ${loop.version}, ` +
    `training: ${loop.trainingOff ? `off (${loop.trainingOff})` : `on, B ${settings.loop.batchSize}`}, ` +
    `untagged turns ${settings.untagged}, token ${settings.token ? 'required' : 'off'}, data ${settings.dataDir}`,
);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await engines.terminate();
  await store.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
// Started by a parent with an IPC channel (tests, benchmarks): leave when the parent goes.
if (process.send) process.on('disconnect', () => void shutdown());

/**
 * `npm run judge-server`: the remote judge server for a workshop or lab (issue 7). Parses flags and
 * environment (flags.ts), picks the backend, listens; all behaviour lives in judge-server.ts.
 */
import { FlagError, parseJudgeServerFlags, USAGE } from './flags.ts';
import { judgeBackendFor, upstreamSecrets } from './judge-backend.ts';
import { createJudgeServer } from './judge-server.ts';
import { listenAnnounced } from './guarded-server.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}

let settings;
try {
  settings = parseJudgeServerFlags(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof FlagError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}

const backend = judgeBackendFor(settings);
const server = createJudgeServer({
  backend,
  token: settings.token,
  corsOrigins: settings.corsOrigins,
  bodyLimitBytes: settings.bodyLimitBytes,
  rateLimit: settings.rateLimit,
  defaultM: settings.defaultM,
  maxM: settings.maxM,
  logBodies: settings.logBodies,
  requestTimeoutMs: settings.timeoutMs,
  secrets: upstreamSecrets(settings.upstream),
});

listenAnnounced(server, settings, 'judge server', 'NEXTSTATE_JUDGE_TOKEN: anyone who can reach it can spend its judge', () =>
  `backend ${backend.name}, token ${settings.token ? 'required' : 'off'}, CORS ${settings.corsOrigins.join(' ') || 'none'}`,
);

function shutdown(): void {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Started by a parent with an IPC channel (tests, benchmarks): leave when the parent goes.
if (process.send) process.on('disconnect', shutdown);

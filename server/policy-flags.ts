/**
 * `npm run policy-server -- [flags]`: command-line flags and environment of the policy server (issue 16).
 * The client token comes from the environment only: flags show in `ps`.
 */
import { basename, resolve } from 'node:path';
import { validateSettings, type Settings } from '../src/rl/settings.ts';
import type { TurnType } from '../src/rl/turns.ts';
import { FlagError, integer, parseServerFlags, splitList, type GuardSettings } from './guard-flags.ts';
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_CORS_ORIGINS, DEFAULT_RATE_LIMIT } from './judge-server.ts';

export { FlagError };

export const BUILTIN_MODEL = 'nextstate-tiny';

export interface PolicyServerSettings extends GuardSettings {
  /** `builtin` (the shipped checkpoint) or a folder (a Hugging Face model, issue 12). */
  model: string;
  /** The model name clients send and /v1/models lists (the folder's name for a Hugging Face folder). */
  modelName: string;
  /** Folder of the on-disk record store (LevelDB). */
  dataDir: string;
  /** The loop's settings: B, reply length, temperature (METHOD §6–7). */
  loop: Settings;
  untagged: TurnType;
  pauseAfterUpdateMs: number;
  token?: string;
}

export const POLICY_USAGE = `usage: npm run policy-server -- [flags]
  --model builtin|FOLDER  the policy: the shipped ${BUILTIN_MODEL} (default) or a Hugging Face folder
                          (its LoRA adapter trains on the frozen base, issue 13)
  --finetune auto|lora|full  what trains (default auto: the built-in model every weight, a folder's model a LoRA
                          adapter; full on a folder's model records samples but trains nothing)
  --model-name NAME       the model name clients send (default ${BUILTIN_MODEL}, or the folder's name)
  --data DIR              where records and checkpoints are kept (LevelDB; default .nextstate/policy-server)
  --batch N               main-turn samples per update, B (default ${validateSettings({}).batchSize})
  --max-tokens N          longest reply (default ${validateSettings({}).maxTokens})
  --untagged side|main    how a request without X-Turn-Type counts (default side, as the reference; main as MetaClaw)
  --pause-after-update-ms MS  answer 503 "submission paused for weight update" this long after each update,
                          as the reference does while weights sync (default 0: never; for clients' tests)
  --host HOST             address to listen on (default 127.0.0.1)
  --port PORT             port (default 8790; 0 picks a free one)
  --cors-origin ORIGIN    browser origin allowed to call (repeatable or comma-separated; '*' for any;
                          default the local dev/preview origins; env NEXTSTATE_POLICY_CORS_ORIGINS)
  --body-limit BYTES      largest request body (default ${DEFAULT_BODY_LIMIT_BYTES})
  --rate-limit N          requests per minute per client address (default ${DEFAULT_RATE_LIMIT.perMinute}; 0 turns it off)
  --rate-burst N          burst size of the rate limit (default ${DEFAULT_RATE_LIMIT.burst})
  --log-bodies            also log request bodies (off by default)
environment:
  NEXTSTATE_POLICY_TOKEN  bearer token clients must send (optional)`;

export function parsePolicyServerFlags(argv: readonly string[], env: NodeJS.ProcessEnv): PolicyServerSettings {
  const settings: PolicyServerSettings = {
    host: '127.0.0.1',
    port: 8790,
    corsOrigins: env.NEXTSTATE_POLICY_CORS_ORIGINS ? splitList(env.NEXTSTATE_POLICY_CORS_ORIGINS) : [...DEFAULT_CORS_ORIGINS],
    bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
    rateLimit: { ...DEFAULT_RATE_LIMIT },
    logBodies: false,
    model: 'builtin',
    modelName: BUILTIN_MODEL,
    dataDir: '.nextstate/policy-server',
    loop: validateSettings({}),
    untagged: 'side',
    pauseAfterUpdateMs: 0,
  };
  const loop: Record<string, number | string> = {};
  let modelName: string | null = null;
  parseServerFlags(argv, settings, DEFAULT_RATE_LIMIT.burst, (flag, value) => {
    switch (flag) {
      case '--model': settings.model = value(); break;
      case '--model-name': modelName = value(); break;
      case '--data': settings.dataDir = value(); break;
      case '--batch': loop.batchSize = integer(flag, value(), 1); break;
      case '--max-tokens': loop.maxTokens = integer(flag, value(), 1); break;
      case '--finetune': loop.finetune = value(); break;
      case '--pause-after-update-ms': settings.pauseAfterUpdateMs = integer(flag, value(), 0); break;
      case '--untagged': {
        const v = value();
        if (v !== 'side' && v !== 'main') throw new FlagError(`--untagged wants side or main, got ${v}`);
        settings.untagged = v;
        break;
      }
      default:
        throw new FlagError(`unknown flag ${flag}`);
    }
  });
  const builtin = settings.model === 'builtin' || settings.model === BUILTIN_MODEL;
  settings.modelName = modelName ?? (builtin ? BUILTIN_MODEL : basename(resolve(settings.model)));
  try {
    settings.loop = validateSettings({ ...loop, backend: 'wasm' });
  } catch (error) {
    throw new FlagError((error as Error).message);
  }
  if (env.NEXTSTATE_POLICY_TOKEN) settings.token = env.NEXTSTATE_POLICY_TOKEN;
  return settings;
}

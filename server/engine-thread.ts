/**
 * Comlink glue in a Node worker thread: one engine (policy, signal or trainer) on its own tfjs wasm
 * backend, as the page runs each in its own web worker, so an update never stalls serving.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { PolicyEngine } from '../src/workers/policy-engine.ts';
import { SignalEngine } from '../src/workers/signal-engine.ts';
import { TrainerEngine } from '../src/workers/trainer-engine.ts';
import { builtinJudgeBackend } from '../src/rl/judge/builtin/index.ts';
import type { ReplyRequest, ReplyResult, StreamedToken } from '../src/workers/protocol.ts';

export type EngineName = 'policy' | 'signal' | 'trainer';

/**
 * A reply resolves only after every streamed token was delivered: the tokens travel on the callback's own
 * port, the result on the thread's, and messages on two ports may arrive in either order.
 */
class ThreadPolicyEngine extends PolicyEngine {
  override async reply(request: ReplyRequest, onToken?: (piece: string, token: StreamedToken) => void): Promise<ReplyResult> {
    const delivered: unknown[] = [];
    const result = await super.reply(request, onToken && ((piece, token) => void delivered.push(onToken(piece, token))));
    await Promise.all(delivered);
    return result;
  }
}

const name = (workerData as { engine: EngineName }).engine;
// Serving never waits (METHOD §7): judging and training yield the CPU to the policy thread. On Linux the
// nice value is per thread, and pid 0 names the calling thread; elsewhere this may lower the whole process,
// so it is only done on Linux.
if (name !== 'policy' && process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    // Not allowed here: the engines share the CPU evenly.
  }
}
const engine = name === 'policy' ? new ThreadPolicyEngine() : name === 'signal' ? new SignalEngine(builtinJudgeBackend) : new TrainerEngine();
Comlink.expose(engine, nodeEndpoint(parentPort!));

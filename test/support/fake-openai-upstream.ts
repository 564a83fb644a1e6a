/**
 * A small real OpenAI-compatible chat-completions server for tests, run as its own process
 * (`node --import tsx test/support/fake-openai-upstream.ts`); it prints `listening <port>` when ready.
 *
 * By default it is an oracle: a `<<score:X>>` marker in the prompt is answered with reasoning and
 * `\boxed{X}`, and for the hint prompt a `<<hint:TEXT>>` marker with `\boxed{1}` and that hint (no marker:
 * `\boxed{-1}`). `POST /control/plan` sets a plan of behaviours that successive calls take in turn:
 * answer a fixed text, be slow, answer an HTTP status, answer malformed JSON, stream a huge answer, echo
 * what the call carried (its authorization and the address it was sent to) inside a completion.
 * `GET /control/stats` tells what the calls carried (authorization headers, temperatures, models) and how
 * many answers the caller stopped reading before their end.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type UpstreamStep =
  | { kind: 'oracle' }
  | { kind: 'text'; text: string }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'status'; status: number; retryAfterS?: number }
  | { kind: 'malformed' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'echo' };

export interface UpstreamStats {
  calls: number;
  authorizations: string[];
  temperatures: number[];
  models: string[];
  /** Answers whose connection closed before all their bytes were written. */
  unfinished: number;
}

interface ChatBody {
  model?: string;
  temperature?: number;
  messages?: { role: string; content: string }[];
}

let plan: UpstreamStep[] = [];
let next = 0;
const stats: UpstreamStats = { calls: 0, authorizations: [], temperatures: [], models: [], unfinished: 0 };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function oracleText(body: ChatBody): string {
  const prompt = (body.messages ?? []).map((m) => m.content).join('\n');
  const asksForHint = (body.messages ?? []).some((m) => m.role === 'system' && m.content.includes('[HINT_START]'));
  if (asksForHint) {
    const hint = /<<hint:([^>]*)>>/.exec(prompt)?.[1];
    return hint ? `The user revealed a preference. \\boxed{1}\n[HINT_START]${hint}[HINT_END]` : 'Nothing to learn here. \\boxed{-1}';
  }
  const score = /<<score:(-?\d)>>/.exec(prompt)?.[1] ?? '0';
  return `Looking at the next state, the verdict is \\boxed{${score}}`;
}

function completion(res: ServerResponse, body: ChatBody, text: string): void {
  json(res, 200, {
    id: `chatcmpl-${stats.calls}`,
    object: 'chat.completion',
    model: body.model ?? 'fake',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  });
}

async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = JSON.parse(await readBody(req)) as ChatBody;
  stats.calls++;
  stats.authorizations.push(req.headers.authorization ?? '');
  stats.temperatures.push(body.temperature ?? NaN);
  stats.models.push(body.model ?? '');
  const step: UpstreamStep = plan.length ? plan[next++ % plan.length] : { kind: 'oracle' };
  switch (step.kind) {
    case 'oracle':
      return completion(res, body, oracleText(body));
    case 'text':
      return completion(res, body, step.text);
    case 'slow':
      await new Promise((r) => setTimeout(r, step.delayMs));
      if (!res.destroyed) completion(res, body, oracleText(body));
      return;
    case 'status':
      // Echo the caller's authorization like careless real APIs do, so tests can check it is scrubbed.
      return json(res, step.status, { error: { message: `failure ${step.status} for ${req.headers.authorization ?? 'anonymous'}` } },
        step.retryAfterS !== undefined ? { 'retry-after': String(step.retryAfterS) } : {});
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [ this is not json');
      return;
    case 'huge':
      return streamHuge(res, step.bytes);
    case 'echo':
      return completion(res, body, `Called with ${req.headers.authorization ?? 'anonymous'} at http://${req.headers.host}${req.url}. \\boxed{1}`);
  }
}

/** A valid chat completion whose content is `bytes` long, written in 64 KiB pieces as the reader takes them. */
function streamHuge(res: ServerResponse, bytes: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const piece = 'x'.repeat(64 << 10);
  let left = bytes;
  let finished = false;
  res.on('close', () => {
    if (!finished) stats.unfinished++;
  });
  res.write('{"choices": [{"index": 0, "message": {"role": "assistant", "content": "');
  const more = () => {
    while (left > 0 && !res.destroyed) {
      const n = Math.min(left, piece.length);
      left -= n;
      if (!res.write(piece.slice(0, n))) return void res.once('drain', more);
    }
    if (res.destroyed) return;
    finished = true;
    res.end(' \\\\boxed{1}"}, "finish_reason": "stop"}]}');
  };
  more();
}

const server = createServer((req, res) => {
  const path = (req.url ?? '').split('?')[0];
  const handle = async () => {
    if (req.method === 'POST' && path.endsWith('/chat/completions')) return chat(req, res);
    if (req.method === 'GET' && path.endsWith('/models')) {
      stats.authorizations.push(req.headers.authorization ?? '');
      return json(res, 200, { object: 'list', data: [{ id: 'fake-judge', object: 'model' }] });
    }
    if (req.method === 'POST' && path === '/control/plan') {
      plan = (JSON.parse(await readBody(req)) as { plan: UpstreamStep[] }).plan;
      next = 0;
      return json(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/control/reset-stats') {
      Object.assign(stats, { calls: 0, authorizations: [], temperatures: [], models: [], unfinished: 0 });
      return json(res, 200, { ok: true });
    }
    if (req.method === 'GET' && path === '/control/stats') return json(res, 200, stats);
    json(res, 404, { error: { message: 'not found' } });
  };
  handle().catch((error: unknown) => json(res, 500, { error: { message: String(error) } }));
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
// The parent owns this process (IPC channel): leave when it goes.
process.on('disconnect', () => process.exit(0));

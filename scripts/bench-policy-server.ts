/**
 * `npm run bench:policy-server -- [--json] [--agents 8] [--rounds 12] [--batch 4] [--max-tokens 48]`
 * The policy server in a child process on 127.0.0.1, driven by simulated agents over loopback (issue 16).
 * Phase 1 (idle): each agent opens fresh sessions, so no next state arrives and nothing trains. Phase 2
 * (training): each agent converses with corrections, so judges and updates run while it is served. It
 * reports time to first token and per-token latency, p50/p95, of phase-2 replies that streamed while an
 * update ran against phase-2 replies that streamed while none ran (same traffic, same machine load: the ratio),
 * and phase 1 for reference; requests refused (anything but 200); and next state → new version: from the
 * last next state sent before an update began to the moment /healthz serves the version it made. A reply's
 * per-token latency is its time per output token, (last piece − first piece) / (pieces − 1): gaps between
 * single pieces are no measure, as several pieces often arrive in one read (a gap of ~0) and the p50 of such
 * gaps jumps between the two modes from run to run. A reply counts as streamed during an update by its first
 * piece (for TTFT) or by the middle of its stream (per-token latency).
 *
 * A reply's latency grows with its context, and updates run mostly in the later rounds, so a conversation
 * sent whole would compare long contexts (while updating) with short ones (the first rounds, before any
 * update): each phase-2 request carries the session's last exchange only (question or previous reply, and the
 * correction), so every round asks the same of the policy. The server pairs next states by session, so this
 * trains as a whole conversation would. Round 0 (a question alone, no next state yet) is left out of the split:
 * it can only be idle, and its prompt is the shortest. The 1-minute load average before and after each phase is printed:
 * the machine may be shared.
 *
 * That split is confounded: an update starts right after a burst of next states, while the queue of replies is
 * longest, so "during an update" also means "in a burst". The `training_on_vs_off` ratios compare the same
 * phase-2 traffic sent to this server (training) and then to a fresh control server whose B is never reached
 * (every next state judged, nothing trained): the two runs differ only in whether updates run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnListening } from '../server/spawn-listening.ts';
import { percentile } from './browser-session.ts';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? Number(argv[at + 1]) : fallback;
};
const agents = option('agents', 8);
const rounds = option('rounds', 12);
const batch = option('batch', 4);
const maxTokens = option('max-tokens', 48);

const QUESTIONS = ['What is the capital of Peru?', 'What is 7 times 8?', 'Describe a cat.', 'How many minutes are in 2 hours?', 'What is 12 plus 9?', 'How many grams are in 3 kilograms?'];
const CORRECTIONS = ['too long, just one sentence please', 'why is it in capitals? lowercase please', 'no, that is wrong', 'can you put that as a bulleted list?', 'perfect, thank you'];

interface Reply {
  round: number;
  sentAt: number;
  /** Arrival time of each text piece. */
  times: number[];
  text: string;
  ok: boolean;
}

async function streamReply(url: string, sessionId: string, messages: { role: string; content: string }[], round: number): Promise<Reply> {
  const sentAt = performance.now();
  const times: number[] = [];
  let text = '';
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-session-id': sessionId, 'x-turn-type': 'main' },
    body: JSON.stringify({ model: 'nextstate-tiny', messages, stream: true }),
  });
  if (res.status !== 200 || !res.body) return { round, sentAt, times, text, ok: false };
  const decoder = new TextDecoder();
  let buffered = '';
  const reader = res.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, end).replace(/^data: /, '');
      buffered = buffered.slice(end + 2);
      if (event === '[DONE]') continue;
      const piece = JSON.parse(event).choices?.[0]?.delta?.content;
      if (piece) {
        times.push(performance.now());
        text += piece;
      }
    }
  }
  return { round, sentAt, times, text, ok: true };
}

const data = mkdtempSync(join(tmpdir(), 'nextstate-bench-policy-'));
const server = await spawnListening('server/policy-main.ts', ['--port', '0', '--data', data, '--batch', String(batch), '--max-tokens', String(maxTokens), '--rate-limit', '0'], { startTimeoutMs: 60_000 });
let exit = 0;
try {
  // /healthz every 25 ms: when updates start and end, and when each version begins to serve.
  const updateSpans: { start: number; end: number; version: number }[] = [];
  let polling = true;
  const poller = (async () => {
    let open: number | null = null;
    while (polling) {
      const h = (await (await fetch(`${server.url}/healthz`)).json()) as { updating: boolean; policy_version: number };
      const now = performance.now();
      if (h.updating && open === null) open = now;
      if (!h.updating && open !== null) (updateSpans.push({ start: open, end: now, version: h.policy_version }), (open = null));
      await new Promise((r) => setTimeout(r, 25));
    }
  })();

  const nextStatesSent: number[] = [];
  let refused = 0;
  const phase = async (training: boolean, url = server.url) => {
    const replies: Reply[] = [];
    await Promise.all(
      Array.from({ length: agents }, async (_, a) => {
        let messages: { role: string; content: string }[] = [];
        for (let r = 0; r < rounds; r++) {
          const session = training ? `agent-${a}` : `idle-${a}-${r}`;
          const question = QUESTIONS[(a + r) % QUESTIONS.length];
          if (!training || r === 0) messages = [{ role: 'user', content: question }];
          else {
            messages.push({ role: 'user', content: CORRECTIONS[(a + r) % CORRECTIONS.length] });
            if (url === server.url) nextStatesSent.push(performance.now());
          }
          // The last exchange only: the same context size every round (see above).
          const reply = await streamReply(url, session, messages.slice(-3), r);
          if (!reply.ok) refused++;
          replies.push(reply);
          messages.push({ role: 'assistant', content: reply.text });
        }
      }),
    );
    return replies;
  };

  const loads = [loadavg()[0]];
  const idle = await phase(false);
  loads.push(loadavg()[0]);
  const trainingStart = performance.now();
  const training = await phase(true);
  loads.push(loadavg()[0]);
  // Let the last updates land, then stop polling.
  const settleUntil = performance.now() + 60_000;
  while (performance.now() < settleUntil) {
    const h = (await (await fetch(`${server.url}/healthz`)).json()) as { updating: boolean };
    if (!h.updating) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  polling = false;
  await poller;

  // Control: the same phase-2 traffic to a fresh server whose B is never reached (judged, never trained), so the
  // two runs differ only in whether updates run; the split inside one run compares bursts with lulls (an update
  // starts right after a burst of next states, when the queue is long), this comparison does not.
  const controlData = mkdtempSync(join(tmpdir(), 'nextstate-bench-policy-control-'));
  const control = await spawnListening('server/policy-main.ts', ['--port', '0', '--data', controlData, '--batch', '256', '--max-tokens', String(maxTokens), '--rate-limit', '0'], { startTimeoutMs: 60_000 });
  let untrained: Reply[];
  let controlStart = 0;
  try {
    controlStart = performance.now();
    untrained = await phase(true, control.url);
  } finally {
    await control.stop();
    rmSync(controlData, { recursive: true, force: true });
  }
  loads.push(loadavg()[0]);

  const during = (t: number) => updateSpans.some((s) => t >= s.start && t <= s.end);
  // The control run split at the training run's update times (same offsets from the phase's start): no update runs
  // there, so whatever ratio it gives is the traffic's own (bursts against lulls).
  const duringShifted = (t: number) => during(t - controlStart + trainingStart);
  const perToken = (replies: Reply[], keep: (t: number) => boolean) =>
    replies.filter((r) => r.times.length > 1 && keep((r.times[0] + r.times.at(-1)!) / 2)).map((r) => (r.times.at(-1)! - r.times[0]) / (r.times.length - 1));
  const ttfts = (replies: Reply[], keep: (t: number) => boolean) => replies.filter((r) => r.times.length > 0 && keep(r.times[0])).map((r) => r.times[0] - r.sentAt);
  const measured = training.filter((r) => r.round > 0);
  const idleToken = perToken(measured, (t) => !during(t));
  const updateToken = perToken(measured, during);
  const idleTtft = ttfts(measured, (t) => !during(t));
  const updateTtft = ttfts(measured, during);
  const controlMeasured = untrained.filter((r) => r.round > 0);
  const withTraining = ttfts(measured, () => true);
  const withoutTraining = ttfts(controlMeasured, () => true);
  const tokenWith = perToken(measured, () => true);
  const tokenWithout = perToken(controlMeasured, () => true);
  const quietToken = perToken(idle, () => true);
  const quietTtft = ttfts(idle, () => true);
  const toVersion = updateSpans
    .map((s) => {
      const last = nextStatesSent.filter((t) => t <= s.start).at(-1);
      return last === undefined ? NaN : s.end - last;
    })
    .filter(Number.isFinite);
  const round = (x: number) => Math.round(x * 100) / 100;
  const ratio = (a: number[], b: number[], p: number) => round(percentile(a, p) / percentile(b, p));
  const result = {
    agents,
    rounds_per_phase: rounds,
    batch_size: batch,
    max_tokens: maxTokens,
    ttft_ms_p50_idle: round(percentile(idleTtft, 50)),
    ttft_ms_p95_idle: round(percentile(idleTtft, 95)),
    ttft_ms_p50_updating: round(percentile(updateTtft, 50)),
    ttft_ms_p95_updating: round(percentile(updateTtft, 95)),
    token_ms_p50_idle: round(percentile(idleToken, 50)),
    token_ms_p95_idle: round(percentile(idleToken, 95)),
    token_ms_p50_updating: round(percentile(updateToken, 50)),
    token_ms_p95_updating: round(percentile(updateToken, 95)),
    token_p50_ratio_updating_vs_idle: ratio(updateToken, idleToken, 50),
    token_p95_ratio_updating_vs_idle: ratio(updateToken, idleToken, 95),
    ttft_p50_ratio_updating_vs_idle: ratio(updateTtft, idleTtft, 50),
    ttft_p95_ratio_updating_vs_idle: ratio(updateTtft, idleTtft, 95),
    // The same phase-2 traffic with training on (this run) and off (a control server that never reaches B).
    ttft_ms_p50_training_on: round(percentile(withTraining, 50)),
    ttft_ms_p50_training_off: round(percentile(withoutTraining, 50)),
    ttft_p50_ratio_training_on_vs_off: ratio(withTraining, withoutTraining, 50),
    ttft_p95_ratio_training_on_vs_off: ratio(withTraining, withoutTraining, 95),
    token_p50_ratio_training_on_vs_off: ratio(tokenWith, tokenWithout, 50),
    token_p95_ratio_training_on_vs_off: ratio(tokenWith, tokenWithout, 95),
    ttft_p50_ratio_split_applied_to_control: ratio(ttfts(controlMeasured, duringShifted), ttfts(controlMeasured, (t) => !duringShifted(t)), 50),
    // Phase 1: no next states, so nothing is judged or trained.
    ttft_ms_p50_phase1: round(percentile(quietTtft, 50)),
    token_ms_p50_phase1: round(percentile(quietToken, 50)),
    token_ms_p95_phase1: round(percentile(quietToken, 95)),
    replies_measured_idle: idleTtft.length,
    replies_measured_updating: updateTtft.length,
    requests: idle.length + training.length + untrained.length,
    requests_refused: refused,
    updates: updateSpans.length,
    next_state_to_new_version_ms_p50: round(percentile(toVersion, 50)),
    load_1m_start_phase1_phase2_control_end: loads.map(round),
  };
  if (argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else console.table(result);
} catch (e) {
  console.error(e);
  console.error(server.output().slice(-3000));
  exit = 1;
} finally {
  await server.stop();
  rmSync(data, { recursive: true, force: true });
}
process.exit(exit);

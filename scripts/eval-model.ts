/**
 * `npm run eval:model -- --json [--checkpoint public/models/nextstate-tiny] [--n 200] [--temperature 0.6]`
 *
 * What the pretrained policy does in its world, on held-out questions, sampling at the serving temperature:
 * heldout_loss (reply tokens of held-out conversations); per style dimension the base_rate (no hint; target
 * 0.05..0.6) and the hint_follow_rate (the dimension's hint appended as METHOD §3's hint line; target >= 0.8);
 * well_formed_rate (the reply ends with <|end|> and no role marker leaks; target >= 0.95); answer accuracy.
 * `visitor` (issue 14): the hand-written visitor set (src/world/visitors/), one reply each: casual_accuracy
 * (target >= 0.9), offtopic_no_invented_fact (target >= 0.9) and offtopic_states_scope; the off-topic messages again
 * with a style's hint line (offtopic_hinted_follow_rate, offtopic_hinted_no_invented_fact). `--visitor-only`
 * prints that section alone.
 * `actions` (issue 15): the teacher in the environments (`--actions N` episodes each, default 100; `--actions-only`
 * prints that section alone). On the near tasks bench:env draws, the policy acts once; when the step judge reads
 * that action as -1 with a hint, the policy acts again in the teacher's context (METHOD §3: the hint appended to
 * the task). Per environment: first_action_wrong (hinted / episodes), teacher_acts (the teacher's reply is an
 * action, not prose), teacher_follows_written (equals the action the hint writes out, where it writes one),
 * teacher_right (the judge reads the teacher's action as +1).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadPolicy } from '../src/model/checkpoint.ts';
import { Tokenizer } from '../src/model/tokenizer.ts';
import { padBatch, replyLoss } from '../src/model/reply-loss.ts';
import { createRng, pick } from '../src/model/rng.ts';
import type { Message } from '../src/model/chat.ts';
import type { Policy } from '../src/model/policy.ts';
import { STYLE_DIMENSIONS, conversations, sampleQuestion, hintedPrompt, withHint } from '../src/world/index.ts';
import { VISITOR_IN_WORLD, VISITOR_OFF_TOPIC } from '../src/world/visitors/messages.ts';
import { answersFact, inventedFacts, statesScope } from '../src/world/visitors/checks.ts';
import { TERMINAL, TOOL_USE } from '../src/world/environments/index.ts';
import { readNextState } from '../src/rl/judge/builtin/judge.ts';
import { writtenAction } from '../src/rl/judge/builtin/action-reading.ts';
import { teacherMessages } from '../src/rl/teacher.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    checkpoint: { type: 'string', default: 'public/models/nextstate-tiny' },
    n: { type: 'string', default: '200' },
    temperature: { type: 'string', default: '0.6' },
    seed: { type: 'string', default: '2026' },
    'visitor-only': { type: 'boolean', default: false },
    actions: { type: 'string', default: '100' },
    'actions-only': { type: 'boolean', default: false },
    // the world's longest reply is ~175 tokens: a lower cap would count long replies as malformed
    'max-tokens': { type: 'string', default: '200' },
  },
});

const n = Number(args.n);
const temperature = Number(args.temperature);
const maxTokens = Number(args['max-tokens']);
const base = args.checkpoint!.replace(/\.(safetensors|json)$/, '');
const started = performance.now();

await tf.setBackend('wasm');
await tf.ready();
const { policy, manifest } = await loadPolicy(new Uint8Array(readFileSync(`${base}.safetensors`)), JSON.parse(readFileSync(`${base}.json`, 'utf8')));
const tokenizer = Tokenizer.fromJSON(manifest.tokenizer);
const log = (line: string) => { if (!args.json) console.log(line); };

function heldoutLoss(p: Policy, count: number): number {
  const rows: { ids: number[]; lossMask: number[] }[] = [];
  for (const messages of conversations(Number(args.seed), 'heldout')) {
    rows.push(tokenizer.encodeConversation(messages));
    if (rows.length >= count) break;
  }
  rows.sort((a, b) => a.ids.length - b.ids.length);
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < rows.length; i += 16) {
    const batch = padBatch(rows.slice(i, i + 16), tokenizer.ids.pad);
    const w = batch.lossMask.reduce((s, r) => s + r.slice(1).reduce((a, x) => a + x, 0), 0);
    const loss = replyLoss(p, batch);
    sum += loss.dataSync()[0] * w;
    weight += w;
    loss.dispose();
  }
  return sum / weight;
}

interface Reply {
  text: string;
  wellFormed: boolean;
  ended: boolean;
  leaked: boolean;
}

let replySeed = 0;
async function reply(messages: Message[]): Promise<Reply> {
  const prompt = tokenizer.encodePrompt(messages);
  const out = await policy.generate(prompt, { maxTokens, temperature, seed: replySeed++, stopIds: [tokenizer.ids.end] });
  const content = out.stopped === 'end' ? out.ids.slice(0, -1) : out.ids;
  const leaks = content.some((id) => tokenizer.isSpecial(id));
  const ended = out.stopped === 'end';
  return { text: tokenizer.decode(content, { skipSpecial: true }), wellFormed: ended && !leaks, ended, leaked: leaks };
}

const rate = (xs: boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : 0);
const round = (x: number) => Math.round(x * 1000) / 1000;

/** The visitor section: one reply to each message of the visitor set, checked by the world's checkers. */
async function visitorSection() {
  // Seeds of its own, so the figures are the same with --visitor-only and in the full run, whatever --n is.
  replySeed = 1_000_000;
  const inWorld: boolean[] = [];
  const byTopic: Record<string, boolean[]> = {};
  const misses: { message: string; reply: string }[] = [];
  for (const m of VISITOR_IN_WORLD) {
    const r = await reply([{ role: 'user', content: m.text }]);
    inWorld.push(answersFact(m.fact, r.text));
    (byTopic[m.fact.split(':')[0]] ??= []).push(inWorld.at(-1)!);
    if (!inWorld.at(-1) && misses.length < 5) misses.push({ message: m.text, reply: r.text });
  }
  const honest: boolean[] = [];
  const scope: boolean[] = [];
  const byKind: Record<string, boolean[]> = {};
  const offTopicExamples: Record<string, { message: string; reply: string; invented: string[] }> = {};
  for (const m of VISITOR_OFF_TOPIC) {
    const r = await reply([{ role: 'user', content: m.text }]);
    const invented = inventedFacts(r.text, m.text);
    honest.push(invented.length === 0);
    scope.push(statesScope(r.text));
    (byKind[m.kind] ??= []).push(invented.length === 0);
    offTopicExamples[m.kind] ??= { message: m.text, reply: r.text, invented };
  }
  // Hints keep working off the world too: each off-topic message again with one style's hint line (the styles in
  // turn, a random phrasing of each), the reply checked by that style's checker and for invented facts.
  const hintRng = createRng(1_000_003);
  const hintedFollow: boolean[] = [];
  const hintedHonest: boolean[] = [];
  const hintedByStyle: Record<string, boolean[]> = {};
  for (const [i, m] of VISITOR_OFF_TOPIC.entries()) {
    const d = STYLE_DIMENSIONS[i % STYLE_DIMENSIONS.length];
    const r = await reply(withHint([{ role: 'user', content: m.text }], pick(hintRng, d.hints)));
    hintedFollow.push(d.check(r.text));
    hintedHonest.push(inventedFacts(r.text, m.text).length === 0);
    (hintedByStyle[d.id] ??= []).push(hintedFollow.at(-1)!);
  }
  return {
    n_casual: inWorld.length,
    n_offtopic: honest.length,
    casual_accuracy: round(rate(inWorld)),
    casual_accuracy_by_topic: Object.fromEntries(Object.entries(byTopic).map(([k, xs]) => [k, round(rate(xs))])),
    offtopic_no_invented_fact: round(rate(honest)),
    offtopic_states_scope: round(rate(scope)),
    offtopic_no_invented_fact_by_kind: Object.fromEntries(Object.entries(byKind).map(([k, xs]) => [k, round(rate(xs))])),
    offtopic_hinted_follow_rate: round(rate(hintedFollow)),
    offtopic_hinted_follow_by_style: Object.fromEntries(Object.entries(hintedByStyle).map(([k, xs]) => [k, round(rate(xs))])),
    offtopic_hinted_no_invented_fact: round(rate(hintedHonest)),
    targets: { casual_accuracy: '>= 0.9', offtopic_no_invented_fact: '>= 0.9' },
    casual_misses: misses,
    offtopic_examples: offTopicExamples,
  };
}

if (args['visitor-only']) {
  const visitor = await visitorSection();
const actions = await actionsSection();
  if (args.json) console.log(JSON.stringify({ checkpoint: base, corpus_version: manifest.corpusVersion, temperature, visitor }, null, 2));
  else console.log(JSON.stringify(visitor, null, 2));
  policy.dispose();
  process.exit(0);
}

/** The actions section (see the file comment): how the teacher acts under the step judge's hints on near tasks. */
async function actionsSection() {
  const episodes = Number(args.actions);
  const section: Record<string, Record<string, number | string>> = {};
  for (const env of [TOOL_USE, TERMINAL]) {
    const rng = createRng(Number(args.seed) + 15);
    const acts: boolean[] = [];
    const follows: boolean[] = [];
    const right: boolean[] = [];
    let example = '';
    for (let i = 0; i < episodes; i++) {
      const task = env.sampleTask(rng, 'near');
      const context: Message[] = [{ role: 'system', content: env.systemPrompt }, { role: 'user', content: task.prompt }];
      const first = (await reply(context)).text;
      const step = env.start(task).step(first);
      if (!step) continue;
      const reading = readNextState(first, { role: 'tool', content: step.nextState }, env.sessionKind, context);
      if (reading.score !== -1 || !reading.hint) continue;
      const taught = (await reply(teacherMessages(context, reading.hint))).text;
      const taughtStep = env.start(task).step(taught);
      acts.push(taughtStep !== null);
      right.push(taughtStep !== null && readNextState(taught, { role: 'tool', content: taughtStep.nextState }, env.sessionKind, context).score === 1);
      const written = writtenAction(reading.hint);
      if (written !== null) follows.push(taught.trim() === written);
      if (!example) example = `${task.prompt} | ${first} | hint: ${reading.hint} | teacher: ${taught}`;
    }
    section[env.id] = { episodes, first_action_wrong: acts.length, teacher_acts: round(rate(acts)), teacher_follows_written: round(rate(follows)),
      written_hints: follows.length, teacher_right: round(rate(right)), example };
    log(`${env.id}: ${acts.length}/${episodes} first actions wrong; teacher acts ${rate(acts).toFixed(3)}, follows the written action ${rate(follows).toFixed(3)} (${follows.length}), right ${rate(right).toFixed(3)}`);
  }
  return section;
}

if (args['actions-only']) {
  const actions = await actionsSection();
  console.log(JSON.stringify({ checkpoint: base, corpus_version: manifest.corpusVersion, temperature, actions }, null, 2));
  policy.dispose();
  process.exit(0);
}

const heldout_loss = heldoutLoss(policy, Math.min(n, 200));
log(`heldout_loss ${heldout_loss.toFixed(4)}`);

const rng = createRng(Number(args.seed));
const wellFormed: boolean[] = [];
const notEnded: boolean[] = [];
const leaked: boolean[] = [];
const correctNoHint: boolean[] = [];
const correctWithHint: boolean[] = [];
const baseHits: Record<string, boolean[]> = Object.fromEntries(STYLE_DIMENSIONS.map((d) => [d.id, []]));
const followHits: Record<string, boolean[]> = Object.fromEntries(STYLE_DIMENSIONS.map((d) => [d.id, []]));
const examples: Record<string, { prompt: string; reply: string }> = {};

// One set of un-hinted replies gives every dimension's base rate.
for (let i = 0; i < n; i++) {
  const q = sampleQuestion(rng, 'heldout');
  const r = await reply(hintedPrompt(q, STYLE_DIMENSIONS[0].id).withoutHint);
  wellFormed.push(r.wellFormed);
  notEnded.push(!r.ended);
  leaked.push(r.leaked);
  correctNoHint.push(q.check(r.text));
  for (const d of STYLE_DIMENSIONS) baseHits[d.id].push(d.check(r.text));
  if (i === 0) examples.no_hint = { prompt: q.text, reply: r.text };
}
log(`no hint: well-formed ${rate(wellFormed).toFixed(3)}, correct ${rate(correctNoHint).toFixed(3)}`);

for (const d of STYLE_DIMENSIONS) {
  for (let i = 0; i < n; i++) {
    const q = sampleQuestion(rng, 'heldout');
    const { withHint, hint } = hintedPrompt(q, d.id, pick(rng, d.hints));
    const r = await reply(withHint);
    wellFormed.push(r.wellFormed);
    notEnded.push(!r.ended);
    leaked.push(r.leaked);
    correctWithHint.push(q.check(r.text));
    followHits[d.id].push(d.check(r.text));
    if (i === 0) examples[d.id] = { prompt: `${q.text} [hint: ${hint}]`, reply: r.text };
  }
  log(`${d.id}: base_rate ${rate(baseHits[d.id]).toFixed(3)}, hint_follow_rate ${rate(followHits[d.id]).toFixed(3)}`);
}

const visitor = await visitorSection();
const actions = await actionsSection();
log(`visitor: casual_accuracy ${visitor.casual_accuracy}, offtopic_no_invented_fact ${visitor.offtopic_no_invented_fact}, offtopic_states_scope ${visitor.offtopic_states_scope}`);

const styles = Object.fromEntries(
  STYLE_DIMENSIONS.map((d) => [d.id, { hint_follow_rate: round(rate(followHits[d.id])), base_rate: round(rate(baseHits[d.id])) }]),
);
const result = {
  checkpoint: base,
  preset: manifest.preset,
  params: policy.parameterCount,
  corpus_version: manifest.corpusVersion,
  tokens_seen: manifest.tokensSeen,
  n,
  temperature,
  heldout_loss: round(heldout_loss),
  well_formed_rate: round(rate(wellFormed)),
  not_ended_rate: round(rate(notEnded)),
  marker_leak_rate: round(rate(leaked)),
  max_tokens: maxTokens,
  answer_accuracy: round(rate(correctNoHint)),
  answer_accuracy_with_hint: round(rate(correctWithHint)),
  styles,
  targets: { hint_follow_rate: '>= 0.8', base_rate: '0.05..0.6', well_formed_rate: '>= 0.95' },
  meets_targets:
    rate(wellFormed) >= 0.95 &&
    Object.values(styles).every((s) => s.hint_follow_rate >= 0.8 && s.base_rate >= 0.05 && s.base_rate <= 0.6),
  examples,
  visitor,
  actions,
  seconds: Math.round((performance.now() - started) / 1000),
};
if (args.json) console.log(JSON.stringify(result, null, 2));
else console.log(JSON.stringify(result.examples, null, 2));
policy.dispose();

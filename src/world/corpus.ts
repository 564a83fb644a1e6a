/**
 * The pretraining corpus: an endless, seeded stream of conversations in the world.
 *
 * Kinds (shares in KIND_SHARES):
 * - `plain`: one question, one reply; each style dimension on with p = 0.3.
 * - `moving-on`: a reply, then the user thanks / moves on to the next question, and so on (2-3 turns).
 * - `hinted`: the last user message carries a hint line (METHOD §3: HINT_PREFIX + hint) asking for one or
 *   two styles (drawn by HINT_DIMENSION_WEIGHTS); the reply shows them, other dimensions random. Sometimes after an earlier turn.
 * - `correction`: a reply that misses a style, the user's correction (stating the preference, only
 *   complaining, or just asking again), the corrected reply; sometimes a next question whose reply keeps
 *   the corrected style.
 * - `tool`: a system message announcing the tools, a tool call, its result, then the reply (tools.ts); a share
 *   LARGE_PRODUCT_SHARE asks the tool-use environment's products (one factor 13–20), whose results must be copied.
 * - `terminal`: a terminal episode as the environment runs it (agent-conversations.ts, environments/README.md):
 *   system prompt, task, `run:` commands with the sandbox's real `exit N` outputs, the answer; some recover
 *   from a mistaken first command.
 * - `hinted-action` (world-7): an environment episode whose task carries the step judge's hint about a wrong action,
 *   then the right action (hinted-actions.ts): the teacher's context in tool use and the terminal. Up to
 *   MAX_HINTED_ACTION_TOKENS, since its hint line is already there. world-8: half the renamed terminal tasks' names
 *   are siblings of familiar names (`renamedStem`: apku.log beside app.log), copied from the hint against habit.
 * In every kind, a user turn is a remark (small talk or a message outside the world, remarks.ts) with probability
 * REMARK_SHARE (half that in `tool`, none in `terminal`), else a world question; either is typed the way visitors type (casual.ts) with
 * probability CASUAL_SHARE. Replies to remarks are rendered in the styles like any other.
 * Every conversation encodes to at most MAX_CONVERSATION_TOKENS tokens, and none has a user message that is a message of
 * the visitor set (visitors/messages.ts, the evaluation's held-out messages; case, spaces and punctuation ignored);
 * one that would break either rule is drawn again.
 */
import { HINT_PREFIX, type Message } from '../model/chat.ts';
import { pick, pickWeighted, randomInt, createRng, type Rng } from '../model/rng.ts';
import { defaultTokenizer } from '../model/tokenizer.ts';
import { ASK_AGAIN_OPENERS, CORRECTIONS, MOVE_ON_OPENERS } from './corrections.ts';
import { HINT_PHRASINGS, JUDGE_HINTS } from './hints.ts';
import { rephrase, sampleQuestion, type Question, type Split } from './questions.ts';
import { casualQuestionText, casualText } from './casual.ts';
import { sampleRemark, type Remark } from './remarks.ts';
import { randomStyles, renderReply } from './replies.ts';
import { STYLE_IDS, type StyleId } from './styles.ts';
import { formatToolCall, runTool, TOOLS_SYSTEM_PROMPT } from './tools.ts';
import { largeProductQuestion, terminalConversation } from './agent-conversations.ts';
import { hintedActionConversation } from './hinted-actions.ts';
import { VISITOR_IN_WORLD, VISITOR_OFF_TOPIC } from './visitors/messages.ts';

/** Changes whenever the corpus a seed produces changes. */
export const CORPUS_VERSION = 'world-8';

/** The policy's context is 384 tokens; conversations leave room for a hint line at evaluation. */
export const MAX_CONVERSATION_TOKENS = 320;

/** Share of hint lines that use the built-in judge's canonical wording, so the teacher follows it reliably. */
export const CANONICAL_HINT_SHARE = 0.25;

/** The policy's whole context (the tiny preset's maxLen): a hinted-action conversation holds its hint line already. */
export const MAX_HINTED_ACTION_TOKENS = 384;

/**
 * Share of user turns that are small talk or outside the world (remarks.ts) rather than a world question.
 * world-5 (0.22) reached off-topic replies with no invented fact 0.64 after 2.2M tokens; world-6 gives them
 * more weight for a run of 200M+ tokens (issue 14: ≥ 0.9).
 */
export const REMARK_SHARE = 0.3;

/** Share of world questions, and of remarks, typed the way visitors type (casual.ts); world-5: 0.45 (casual accuracy 0.53). */
export const CASUAL_SHARE = 0.55;

/** Share of `tool` conversations asking a product with one factor in 13–20 (the tool-use environment's task). */
export const LARGE_PRODUCT_SHARE = 0.4;

/** Chance that a style dimension is on when nothing asks for it. */
export const STYLE_BASE_RATE = 0.3;

export type ConversationKind = 'plain' | 'moving-on' | 'hinted' | 'correction' | 'tool' | 'terminal' | 'hinted-action';

/**
 * world-5: plain .22, moving-on .1, hinted .43, correction .15, tool .1 (hint-follow ≥ .93 on every style).
 * world-6: plain .22, moving-on .11, hinted .36, correction .13, tool .1, terminal .08; world-7 keeps those
 * proportions in 0.8 and gives hinted-action 0.2.
 */
export const KIND_SHARES: Readonly<Record<ConversationKind, number>> = {
  plain: 0.176,
  'moving-on': 0.088,
  hinted: 0.288,
  correction: 0.104,
  tool: 0.08,
  terminal: 0.064,
  'hinted-action': 0.2,
};

/**
 * How often each dimension is the one a hinted conversation asks for (relative weights). The styles decided
 * late in a reply or by its whole shape (stop after one sentence, a formal register throughout, a closing
 * question) were learned from a hint far more slowly than the ones visible from the first tokens (world-2,
 * uniform weights, 9.8M tokens: hint-follow brief 0.38, formal 0.60, followup 0.66 against lowercase 0.99,
 * list 0.92, emoji 0.89). The two that close a reply, followup and emoji, are also the ones a character-level
 * policy confuses ("End the reply by asking …" answered with a smiley), so both get extra weight.
 */
export const HINT_DIMENSION_WEIGHTS: Readonly<Record<StyleId, number>> = {
  lowercase: 1, emoji: 2, brief: 3, formal: 2, list: 1, followup: 4,
};

function pickHintDimension(rng: Rng, exclude?: StyleId): StyleId {
  return pickWeighted(rng, STYLE_IDS.filter((d) => d !== exclude), (d) => HINT_DIMENSION_WEIGHTS[d]);
}

export interface LabelledConversation {
  kind: ConversationKind;
  messages: Message[];
}

/** The hint line METHOD §3 appends to the last user message. */
export function hintLine(hint: string): string {
  return HINT_PREFIX + hint;
}

/**
 * The messages with `hint` appended to the last user message (METHOD §3: the last message when there is no
 * user message; a single user message when there are no messages).
 */
export function withHint(messages: readonly Message[], hint: string): Message[] {
  if (messages.length === 0) return [{ role: 'user', content: hint }];
  let last = -1;
  messages.forEach((m, i) => { if (m.role === 'user') last = i; });
  const at = last >= 0 ? last : messages.length - 1;
  return messages.map((m, i) => (i === at ? { ...m, content: m.content + hintLine(hint) } : { ...m }));
}

/**
 * The prompt for asking `q`, with and without a hint asking for the dimension(s): by default the built-in
 * judge's canonical hints, joined by a space.
 */
export function hintedPrompt(q: Question, dims: StyleId | readonly StyleId[], hint?: string):
  { withHint: Message[]; withoutHint: Message[]; hint: string } {
  const ids = typeof dims === 'string' ? [dims] : dims;
  const h = hint ?? ids.map((d) => JUDGE_HINTS[d]).join(' ');
  const withoutHint: Message[] = [{ role: 'user', content: q.text }];
  return { withHint: withHint(withoutHint, h), withoutHint, hint: h };
}

export function tokenCount(messages: readonly Message[]): number {
  return defaultTokenizer().encodeConversation(messages).ids.length;
}

function fits(messages: readonly Message[]): boolean {
  return tokenCount(messages) <= MAX_CONVERSATION_TOKENS;
}

/** The most tokens a conversation of the kind may have: a hinted action holds its hint line already. */
export function maxTokensOf(kind: ConversationKind): number {
  return kind === 'hinted-action' ? MAX_HINTED_ACTION_TOKENS : MAX_CONVERSATION_TOKENS;
}

/** A message as the visitor-set exclusion compares it: lowercase letters, digits and the operators + * / = - only. */
export function visitorKey(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9+*/=-]/g, '');
}

let visitorKeys: Set<string> | undefined;

/** True when a user message of the conversation (its hint line aside) is a message of the visitor set. */
function hasVisitorMessage(messages: readonly Message[]): boolean {
  visitorKeys ??= new Set([...VISITOR_IN_WORLD, ...VISITOR_OFF_TOPIC].map((m) => visitorKey(m.text)));
  return messages.some((m) => m.role === 'user' && visitorKeys!.has(visitorKey(m.content.split(HINT_PREFIX)[0])));
}

function pickKind(rng: Rng, shares: Readonly<Record<ConversationKind, number>>): ConversationKind {
  return pickWeighted(rng, Object.keys(shares) as ConversationKind[], (kind) => shares[kind]);
}

/** What a user turn asks: a world question or a remark, each with the text the user types. */
type Ask = Question | Remark;

function isQuestion(a: Ask): a is Question {
  return 'topic' in a;
}

/** A user turn of the split: a remark with probability `remarkShare`, else a world question; either typed casually at times. */
function userTurn(rng: Rng, split: Split, remarkShare = REMARK_SHARE): Ask {
  if (rng() < remarkShare) {
    const r = sampleRemark(rng, split);
    return rng() < CASUAL_SHARE ? { ...r, text: casualText(r.text, rng) } : r;
  }
  const q = sampleQuestion(rng, split);
  return rng() < CASUAL_SHARE ? { ...q, text: casualQuestionText(q, rng) } : q;
}

function reply(q: Ask, rng: Rng, fixed: Partial<Record<StyleId, boolean>> = {}): Message {
  return { role: 'assistant', content: renderReply(q, randomStyles(rng, STYLE_BASE_RATE, fixed), rng) };
}

function moveOn(q: Ask, rng: Rng): Message {
  return { role: 'user', content: pick(rng, MOVE_ON_OPENERS) + q.text };
}

/** Appends next-question turns while they fit, up to `turns` more. */
function addNextQuestions(messages: Message[], turns: number, split: Split, rng: Rng,
  fixed: Partial<Record<StyleId, boolean>> = {}): Message[] {
  for (let t = 0; t < turns; t++) {
    const q = userTurn(rng, split);
    const next = [...messages, moveOn(q, rng), reply(q, rng, fixed)];
    if (!fits(next)) break;
    messages = next;
  }
  return messages;
}

function plain(split: Split, rng: Rng): Message[] {
  const q = userTurn(rng, split);
  return [{ role: 'user', content: q.text }, reply(q, rng)];
}

function movingOn(split: Split, rng: Rng): Message[] {
  return addNextQuestions(plain(split, rng), 1 + randomInt(rng, 2), split, rng);
}

function hinted(split: Split, rng: Rng): Message[] {
  const before = rng() < 0.3 ? plain(split, rng) : [];
  const q = userTurn(rng, split);
  const first = pickHintDimension(rng);
  const dims = rng() < 0.25 ? [first, pickHintDimension(rng, first)] : [first];
  const hint = dims.map((d) => (rng() < CANONICAL_HINT_SHARE ? JUDGE_HINTS[d] : pick(rng, HINT_PHRASINGS[d]))).join(' ');
  const fixed = Object.fromEntries(dims.map((d) => [d, true]));
  const ask: Message = { role: 'user', content: (before.length > 0 ? pick(rng, MOVE_ON_OPENERS) : '') + q.text };
  const withBefore = [...before, ...withHint([ask], hint), reply(q, rng, fixed)];
  return fits(withBefore) || before.length === 0 ? withBefore : withBefore.slice(before.length);
}

function correction(split: Split, rng: Rng): Message[] {
  const q = userTurn(rng, split);
  const dim = pick(rng, STYLE_IDS);
  const wanted = rng() < 0.8;
  const missed = randomStyles(rng, STYLE_BASE_RATE, { [dim]: !wanted });
  const complaint = rng() < 0.15
    ? pick(rng, ASK_AGAIN_OPENERS) + (isQuestion(q) ? rephrase(q, rng).text : q.text)
    : pick(rng, wanted ? CORRECTIONS[dim].on : CORRECTIONS[dim].off);
  const messages: Message[] = [
    { role: 'user', content: q.text },
    { role: 'assistant', content: renderReply(q, missed, rng) },
    { role: 'user', content: complaint },
    { role: 'assistant', content: renderReply(q, { ...missed, [dim]: wanted }, rng) },
  ];
  return rng() < 0.4 ? addNextQuestions(messages, 1, split, rng, { [dim]: wanted }) : messages;
}

function toolUse(split: Split, rng: Rng): Message[] {
  let q: Ask;
  if (rng() < LARGE_PRODUCT_SHARE) {
    const p = largeProductQuestion(rng, split);
    q = rng() < CASUAL_SHARE ? { ...p, text: casualQuestionText(p, rng) } : p;
  } else {
    q = userTurn(rng, split, REMARK_SHARE / 2);
  }
  const messages: Message[] = [{ role: 'system', content: TOOLS_SYSTEM_PROMPT }, { role: 'user', content: q.text }];
  if (isQuestion(q) && q.toolCall) {
    messages.push({ role: 'assistant', content: formatToolCall(q.toolCall) }, { role: 'tool', content: runTool(q.toolCall) });
  }
  messages.push(reply(q, rng));
  return messages;
}

/** Terminal tasks have no split: their prompts are the environment's, their trees random. */
function terminal(_split: Split, rng: Rng): Message[] {
  return terminalConversation(rng, STYLE_BASE_RATE).messages;
}

function hintedAction(split: Split, rng: Rng): Message[] | null {
  return hintedActionConversation(rng, split, STYLE_BASE_RATE, maxTokensOf('hinted-action'));
}

/** Each kind's conversation; null when a draw is discarded (the stream draws again). */
const BUILDERS: Record<ConversationKind, (split: Split, rng: Rng) => Message[] | null> = {
  plain, 'moving-on': movingOn, hinted, correction, tool: toolUse, terminal, 'hinted-action': hintedAction,
};

/**
 * The corpus stream with each conversation's kind. Deterministic for a seed and split. `shares` reweights the kinds
 * (relative weights; default KIND_SHARES), e.g. a mix for continuing a checkpoint on one kind (`corpus:dump --shares`).
 */
export function* labelledConversations(seed: number, split: Split, shares: Readonly<Record<ConversationKind, number>> = KIND_SHARES): Generator<LabelledConversation> {
  const rng = createRng(seed);
  for (;;) {
    const kind = pickKind(rng, shares);
    const messages = BUILDERS[kind](split, rng);
    if (messages && tokenCount(messages) <= maxTokensOf(kind) && !hasVisitorMessage(messages)) yield { kind, messages };
  }
}

/** The corpus: an endless stream of conversations of the split, deterministic for a seed. */
export function* conversations(seed: number, split: Split, shares: Readonly<Record<ConversationKind, number>> = KIND_SHARES): Generator<Message[]> {
  for (const c of labelledConversations(seed, split, shares)) yield c.messages;
}

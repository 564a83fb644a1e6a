/**
 * The world's reply renderer: the answer to a question, worded in a chosen combination of the six styles.
 *
 * Shape: [list lead-in ending ':'] main statement [one sentence of explanation unless brief]
 * [closing follow-up question] [" 🙂"]; with `list` each statement is a line starting "- ", otherwise
 * the parts are joined into one line. `lowercase` lowercases the whole reply at the end. When `formal`
 * is off the register is casual (a contraction, slang opener or '!') or neutral (no polite marker).
 */
import { pick, type Rng } from '../model/rng.ts';
import type { AnswerForms } from './topics/topic.ts';
import { isCasual, STYLE_IDS, styleOf, type StyleId, type Styles } from './styles.ts';

export const EMOJI = '🙂';

/** Share of casual (vs neutral) wording when `formal` is off. */
const CASUAL_SHARE = 0.6;

const FORMAL_OPENERS = ['Certainly, ', 'Of course, ', 'I am glad to help: ', 'I am happy to help: ', 'With pleasure: '];
const CASUAL_OPENERS = ['Yep, ', 'Okay, ', 'Sure thing, ', 'Cool, ', 'Ok, so '];

const FORMAL_LEADS = ['Certainly, here is the answer:', 'Of course, here it is:', 'I am glad to help, here is the answer:'];
const NEUTRAL_LEADS = ['Here is the answer:', 'Here it is:'];
const CASUAL_LEADS = ['Okay, here you go:', 'Sure thing, here it is:', "Here's the answer:"];

const FORMAL_FOLLOWUPS = ['Would you like another one?', 'May I help you with anything else?',
  'Shall I give you another question?', 'Is there anything else I can do for you?'];
const NEUTRAL_FOLLOWUPS = ['Would you like another one?', 'Do you want to try another one?',
  'Shall I give you another question?', 'Would you like to know more?'];
const CASUAL_FOLLOWUPS = ['Want another one?', "What's next?", 'Need anything else?', 'Shall we do another?',
  'Another one?'];

/** First words that are lowercased after an opener ("Certainly, the answer is 12."); names keep their capital. */
const COMMON_FIRST_WORDS = new Set(['the', 'it', "it's", 'that', "that's", "that'd", 'a', 'an', 'here', "here's", 'one',
  'you', "you'd", 'in', 'working', 'there', 'each', 'hello', 'hi', 'hey', 'sorry', 'happy', 'glad', 'ask', 'no']);

/** What a reply is rendered from: a world question, or a remark (small talk, a message outside the world). */
export interface Answerable {
  forms: AnswerForms;
}

type Register = 'formal' | 'casual' | 'neutral';

function afterOpener(opener: string, sentence: string): string {
  const first = sentence.split(' ')[0].toLowerCase().replace(/[,;:]$/, '');
  return opener + (COMMON_FIRST_WORDS.has(first) ? sentence[0].toLowerCase() + sentence.slice(1) : sentence);
}

function exclaim(sentence: string): string {
  return sentence.replace(/\.$/, '!');
}

/** The main statement, in the register, optionally after an opener. */
function mainStatement(q: Answerable, register: Register, withOpener: boolean, rng: Rng): string {
  if (register === 'neutral') return pick(rng, q.forms.statements);
  if (register === 'formal') {
    const s = pick(rng, q.forms.statements);
    return withOpener ? afterOpener(pick(rng, FORMAL_OPENERS), s) : s;
  }
  let s = rng() < 0.5 ? pick(rng, q.forms.casualStatements) : pick(rng, q.forms.statements);
  if (withOpener && rng() < 0.4) s = afterOpener(pick(rng, CASUAL_OPENERS), s);
  if (rng() < 0.4 || !isCasual(s)) s = exclaim(s);
  return s;
}

function lead(register: Register, rng: Rng): string {
  return pick(rng, register === 'formal' ? FORMAL_LEADS : register === 'casual' ? CASUAL_LEADS : NEUTRAL_LEADS);
}

function followupQuestion(register: Register, rng: Rng): string {
  if (register === 'formal') return pick(rng, FORMAL_FOLLOWUPS);
  if (register === 'casual' && rng() < 0.6) return pick(rng, CASUAL_FOLLOWUPS);
  return pick(rng, NEUTRAL_FOLLOWUPS);
}

/** Every dimension set; missing ones are off. */
export function fullStyles(styles: Partial<Styles>): Styles {
  const out = {} as Styles;
  for (const id of STYLE_IDS) out[id] = styles[id] ?? false;
  return out;
}

/** Styles drawn independently, each on with probability p, except those forced by `fixed`. */
export function randomStyles(rng: Rng, p = 0.3, fixed: Partial<Styles> = {}): Styles {
  const out = {} as Styles;
  for (const id of STYLE_IDS) {
    const draw = rng() < p;
    out[id] = fixed[id] ?? draw;
  }
  return out;
}

/**
 * The reply to `q` in the given styles (missing dimensions are off). Every dimension's checker agrees with
 * the requested styles on the result; a disagreement is a bug of the world and throws.
 */
export function renderReply(q: Answerable, styles: Partial<Record<StyleId, boolean>>, rng: Rng): string {
  const s = fullStyles(styles);
  const register: Register = s.formal ? 'formal' : rng() < CASUAL_SHARE ? 'casual' : 'neutral';
  const withLead = s.list && (register === 'formal' ? rng() < 0.5 : rng() < 0.3);
  const statements = [mainStatement(q, register, !withLead, rng)];
  if (!s.brief) statements.push(pick(rng, q.forms.explanations));

  let reply = s.list
    ? [...(withLead ? [lead(register, rng)] : []), ...statements.map((x) => `- ${x}`)].join('\n')
    : statements.join(' ');
  if (s.followup) reply += (s.list ? '\n' : ' ') + followupQuestion(register, rng);
  if (s.emoji) reply += ` ${EMOJI}`;
  if (s.lowercase) reply = reply.toLowerCase();

  const shown = styleOf(reply);
  const wrong = STYLE_IDS.filter((id) => shown[id] !== s[id]);
  if (wrong.length > 0) throw new Error(`renderReply: ${wrong.join(', ')} disagree with the checkers on ${JSON.stringify(reply)}`);
  return reply;
}

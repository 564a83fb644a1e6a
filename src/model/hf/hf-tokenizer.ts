import { Tokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import type { Message } from '../chat.ts';
import type { ChatTokenizer, EncodedConversation } from '../chat-tokenizer.ts';
import { HfModelError } from './errors.ts';

/** A special token in tokenizer_config.json: a string or `{content: string}`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return undefined;
}

function idList(value: unknown): number[] {
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number' && Number.isInteger(v));
  return [];
}

/**
 * A Hugging Face tokenizer (`tokenizer.json` + `tokenizer_config.json`, through @huggingface/tokenizers) with its
 * chat template (through @huggingface/jinja). End-of-turn ids come from generation_config.json's
 * `eos_token_id` and tokenizer_config.json's `eos_token`. The prompt/reply split follows the reference framework:
 * the prompt is the template rendered with the generation prompt, the reply is what the full rendering adds.
 */
export class HfChatTokenizer implements ChatTokenizer {
  readonly vocabSize: number;
  readonly stopIds: readonly number[];
  private readonly tokenizer: Tokenizer;
  private readonly template?: Template;
  private readonly specialIds: Set<number>;
  private readonly templateTokens: Record<string, string>;

  constructor(tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown>, generationConfig: Record<string, unknown> = {}) {
    try {
      this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    } catch (e) {
      throw new HfModelError('tokenizer', `tokenizer.json could not be read (${(e as Error).message})`);
    }
    const added = this.tokenizer.get_added_tokens_decoder();
    this.specialIds = new Set([...added].filter(([, t]) => t.special).map(([id]) => id));
    let maxId = -1;
    for (const id of this.tokenizer.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.templateTokens = {};
    for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
      const text = tokenText(tokenizerConfig[key]);
      if (text !== undefined) this.templateTokens[key] = text;
    }
    const stop = new Set(idList(generationConfig.eos_token_id));
    const eos = this.templateTokens.eos_token && this.tokenizer.token_to_id(this.templateTokens.eos_token);
    if (typeof eos === 'number') stop.add(eos);
    if (stop.size === 0) throw new HfModelError('tokenizer', 'no end-of-turn token: generation_config.json has no eos_token_id and tokenizer_config.json no eos_token');
    this.stopIds = [...stop];
    const source = tokenizerConfig.chat_template;
    const text = Array.isArray(source)
      ? (source.find((t: { name?: string }) => t?.name === 'default') as { template?: string } | undefined)?.template
      : source;
    if (typeof text === 'string') {
      try {
        this.template = new Template(text);
      } catch (e) {
        throw new HfModelError('tokenizer', `tokenizer_config.json chat_template does not parse (${(e as Error).message})`);
      }
    }
  }

  get hasChatTemplate(): boolean {
    return this.template !== undefined;
  }

  encodeText(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[], options: { skipSpecial?: boolean } = {}): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: options.skipSpecial ?? false, clean_up_tokenization_spaces: false });
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  /** The chat template's text for the messages (the template adds any BOS itself). */
  render(messages: readonly Message[], addGenerationPrompt: boolean): string {
    if (!this.template) throw new HfModelError('tokenizer', 'tokenizer_config.json has no chat_template: this model cannot chat');
    return this.template.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: addGenerationPrompt,
      ...this.templateTokens,
    });
  }

  encodePrompt(messages: readonly Message[]): number[] {
    return this.encodeText(this.render(messages, true));
  }

  /**
   * Ids of the full rendering, with the mask 1 on assistant replies. A reply is what the rendering through it adds
   * to the rendering of the messages before it with the generation prompt (the reference framework's split), up to
   * and including its end-of-turn token (what sampling produces; template text after it is context). The
   * last reply is always split so; an earlier one is masked only where the template renders it the same way
   * inside the whole conversation (Qwen3's template rewrites earlier turns: they stay context).
   */
  encodeConversation(messages: readonly Message[]): EncodedConversation {
    const ids = this.encodeText(this.render(messages, false));
    const lossMask = new Array<number>(ids.length).fill(0);
    messages.forEach((m, i) => {
      if (m.role !== 'assistant') return;
      const prompt = this.encodeText(this.render(messages.slice(0, i), true));
      let through = this.encodeText(this.render(messages.slice(0, i + 1), false));
      const stop = through.findIndex((id, at) => at >= prompt.length && this.stopIds.includes(id));
      if (stop >= 0) through = through.slice(0, stop + 1); // a reply ends with its end-of-turn token, as sampling does
      if (isPrefix(prompt, through) && isPrefix(through, ids)) lossMask.fill(1, prompt.length, through.length);
      else if (i === messages.length - 1) {
        throw new HfModelError('tokenizer', 'the chat template does not render the last reply as a continuation of its prompt: no reply mask');
      }
    });
    return { ids, lossMask };
  }
}

function isPrefix(a: readonly number[], b: readonly number[]): boolean {
  return a.length <= b.length && a.every((id, i) => id === b[i]);
}

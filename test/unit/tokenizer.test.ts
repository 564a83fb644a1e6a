import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/model/chat.ts';
import { createRng, randomInt } from '../../src/model/rng.ts';
import { defaultTokenizer, SPECIAL_TOKENS, Tokenizer } from '../../src/model/tokenizer.ts';
import { conversations } from '../../src/world/index.ts';

const tok = defaultTokenizer();

describe('character tokenizer', () => {
  it('has the fixed vocabulary: 7 specials, printable ASCII, newline, the emoji', () => {
    expect(tok.vocabSize).toBe(7 + (126 - 32 + 1) + 1 + 1);
    expect(tok.ids).toEqual({ pad: 0, unk: 1, system: 2, user: 3, assistant: 4, tool: 5, end: 6 });
    expect(SPECIAL_TOKENS[0]).toBe('<|pad|>');
    expect(tok.encodeText(' ')).toEqual([7]);
    expect(tok.encodeText('A')).toEqual([7 + 65 - 32]);
    expect(tok.encodeText('~')).toEqual([7 + 126 - 32]);
    expect(tok.encodeText('\n')).toEqual([7 + 95]);
    expect(tok.encodeText('🙂')).toEqual([7 + 96]);
  });

  it('round-trips random text over its charset', () => {
    const rng = createRng(123);
    const chars = [...tok.chars];
    for (let i = 0; i < 200; i++) {
      const s = Array.from({ length: randomInt(rng, 60) }, () => chars[randomInt(rng, chars.length)]).join('');
      const ids = tok.encodeText(s);
      expect(ids.length).toBe([...s].length);
      expect(tok.decode(ids)).toBe(s);
    }
  });

  it('maps unknown characters to <|unk|> and special strings in text to plain characters', () => {
    expect(tok.encodeText('é😀x')).toEqual([1, 1, tok.encodeText('x')[0]]);
    expect(tok.decode(tok.encodeText('aéb'))).toBe('a<|unk|>b');
    expect(tok.decode(tok.encodeText('aéb'), { skipSpecial: true })).toBe('ab');
    const ids = tok.encodeText('<|end|>');
    expect(ids.length).toBe(7);
    expect(ids.every((id) => !tok.isSpecial(id))).toBe(true);
    expect(() => tok.decode([tok.vocabSize])).toThrow();
  });

  it('encodes a conversation in the template with the loss on assistant content and its end', () => {
    const messages: Message[] = [
      { role: 'system', content: 'S' }, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo 🙂' },
      { role: 'tool', content: 'r' }, { role: 'assistant', content: 'ok' },
    ];
    const { ids, lossMask } = tok.encodeConversation(messages);
    const c = (s: string) => tok.encodeText(s);
    const { system, user, assistant, tool, end } = tok.ids;
    expect(ids).toEqual([system, ...c('S'), end, user, ...c('hi'), end, assistant, ...c('yo 🙂'), end, tool, ...c('r'), end,
      assistant, ...c('ok'), end]);
    expect(lossMask).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1]);
    expect(tok.decode(ids)).toBe('<|system|>S<|end|><|user|>hi<|end|><|assistant|>yo 🙂<|end|><|tool|>r<|end|><|assistant|>ok<|end|>');
  });

  it('ends a prompt with <|assistant|> so that generation continues the reply', () => {
    const p = tok.encodePrompt([{ role: 'user', content: 'hi' }]);
    expect(p).toEqual([tok.ids.user, ...tok.encodeText('hi'), tok.ids.end, tok.ids.assistant]);
  });

  it('round-trips through JSON and rejects what is not one of its own', () => {
    const again = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(again.vocabSize).toBe(tok.vocabSize);
    const sample = 'The answer is 12! 🙂\n- ok';
    expect(again.encodeText(sample)).toEqual(tok.encodeText(sample));
    expect(() => Tokenizer.fromJSON({ kind: 'bpe' })).toThrow();
    expect(() => Tokenizer.fromJSON({ ...tok.toJSON(), specials: ['<|pad|>'] })).toThrow();
    expect(() => new Tokenizer(['a', 'a'])).toThrow();
  });

  it('covers every character of the corpus (no <|unk|>)', () => {
    let n = 0;
    for (const messages of conversations(5, 'train')) {
      expect(tok.encodeConversation(messages).ids).not.toContain(tok.ids.unk);
      if (++n >= 500) break;
    }
  });
});

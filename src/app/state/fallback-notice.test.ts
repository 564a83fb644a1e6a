import { describe, expect, it } from 'vitest';
import { fallbackNotice } from './fallback-notice.ts';

const choice = { backend: 'wasm' as const, reason: 'the GPU failed (device lost); running on wasm from the last weights' };

describe('fallbackNotice', () => {
  it('says a large model is slow on wasm and the chat goes on; a small one only gets the reason', () => {
    expect(fallbackNotice('trainer', choice, 134_515_008)).toBe(
      'Training lost the GPU: the GPU failed (device lost); running on wasm from the last weights. On wasm a 135M-parameter model is slow ' +
      '(seconds per reply, minutes per update); the chat keeps answering, and reloading the page tries the GPU again.',
    );
    expect(fallbackNotice('policy', choice, 2_000_000)).toBe('The chat lost the GPU: the GPU failed (device lost); running on wasm from the last weights.');
    expect(fallbackNotice('signal', choice, null)).toMatch(/^The judge and teacher lost the GPU/);
  });
});

/**
 * What the visitor is told when an engine's GPU failed and it moved to wasm (the engine already retried the work
 * there from its last weights): on a loaded model of ~100M parameters or more, that wasm is slow for it, and
 * that the chat keeps answering.
 */
import type { BackendChoice } from '../../workers/protocol.ts';

/** From this size on, wasm takes seconds per reply and minutes per update on a typical device (MEASURED: 135M). */
export const SLOW_ON_WASM_PARAMETERS = 1e8;

export function fallbackNotice(engine: 'policy' | 'signal' | 'trainer', choice: BackendChoice, parameters: number | null): string {
  const what = engine === 'policy' ? 'The chat' : engine === 'signal' ? 'The judge and teacher' : 'Training';
  const line = `${what} lost the GPU: ${choice.reason}.`;
  if (parameters === null || parameters < SLOW_ON_WASM_PARAMETERS) return line;
  return `${line} On wasm a ${Math.round(parameters / 1e6)}M-parameter model is slow (seconds per reply, minutes per update); ` +
    'the chat keeps answering, and reloading the page tries the GPU again.';
}

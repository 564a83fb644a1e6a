import type { NamedTensor } from './safetensors.ts';

/**
 * Checkpoints written before the graph served Hugging Face models held a fused `layers.i.wqkv` [d, 3d] and the
 * embedding as [V, d]. Read them as today's separate wq | wk | wv and [d, V] embedding (the Adam moments with
 * them), so a policy a visitor trained earlier still loads. Returns the tensors unchanged when none is fused.
 */
export function upgradeFusedCheckpoint(tensors: Map<string, NamedTensor>): Map<string, NamedTensor> {
  if (![...tensors.keys()].some((n) => /(^|\.)layers\.\d+\.wqkv$/.test(n))) return tensors;
  const out = new Map<string, NamedTensor>();
  for (const [name, t] of tensors) {
    if (/(^|\.)layers\.\d+\.wqkv$/.test(name)) {
      const [rows, cols] = t.shape;
      const d = cols / 3;
      (['wq', 'wk', 'wv'] as const).forEach((part, k) => {
        const data = new Float32Array(rows * d);
        for (let r = 0; r < rows; r++) data.set(t.data.subarray(r * cols + k * d, r * cols + (k + 1) * d), r * d);
        const partName = name.replace(/wqkv$/, part);
        out.set(partName, { name: partName, shape: [rows, d], data });
      });
    } else if (/(^|\.)embed$/.test(name)) {
      out.set(name, transposed(t));
    } else out.set(name, t);
  }
  return out;
}

function transposed(t: NamedTensor): NamedTensor {
  const [rows, cols] = t.shape;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = t.data[r * cols + c];
  return { name: t.name, shape: [cols, rows], data };
}

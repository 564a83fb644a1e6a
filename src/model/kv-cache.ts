import * as tf from '@tensorflow/tfjs';

/** Keys and values of one layer after rotation, [batch·heads, positions, headDim]. */
export interface LayerCache {
  k: tf.Tensor3D;
  v: tf.Tensor3D;
}

/** Per-layer keys and values of every position decoded so far (serving only; never differentiated). */
export class KvCache {
  layers: LayerCache[] = [];

  get length(): number {
    return this.layers.length ? this.layers[0].k.shape[1] : 0;
  }

  /** Replace the cache with new tensors (kept out of any tidy), disposing the old ones. */
  replace(next: LayerCache[]): void {
    const old = this.layers;
    this.layers = next.map(({ k, v }) => ({ k: tf.keep(k), v: tf.keep(v) }));
    for (const { k, v } of old) {
      k.dispose();
      v.dispose();
    }
  }

  dispose(): void {
    this.replace([]);
  }
}

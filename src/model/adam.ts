import * as tf from '@tensorflow/tfjs';
import { CheckpointError, decodeSafetensors, encodeSafetensors } from './safetensors.ts';

const ADAM_FORMAT = 'nextstate-adam';

/** The settings as one string, in a fixed key order. */
function settingsText(s: AdamSettings): string {
  return JSON.stringify({ beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon, weightDecay: s.weightDecay });
}

export interface AdamSettings {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay (AdamW), applied to matrices only. */
  weightDecay: number;
}

export const PRETRAIN_ADAM: AdamSettings = { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0 };

/**
 * Adam with bias correction over named variables. Written out (rather than tf.train.adam) so its moments can be
 * saved in the one checkpoint format and the learning rate can change every step.
 */
export class Adam {
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly variables: Map<string, tf.Variable>,
    readonly settings: AdamSettings = PRETRAIN_ADAM,
  ) {
    for (const [name, variable] of variables) {
      this.m.set(name, tf.variable(tf.zerosLike(variable), false));
      this.v.set(name, tf.variable(tf.zerosLike(variable), false));
    }
  }

  /** One update with learning rate `lr` from gradients keyed like the variables. */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    this.step++;
    const c1 = 1 - Math.pow(beta1, this.step);
    const c2 = 1 - Math.pow(beta2, this.step);
    tf.tidy(() => {
      for (const [name, variable] of this.variables) {
        const g = grads[name];
        if (!g) continue;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        let update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon));
        if (weightDecay > 0 && variable.rank > 1) update = tf.add(update, tf.mul(variable, weightDecay));
        variable.assign(tf.sub(variable, tf.mul(update, lr)));
      }
    });
  }

  /** Every moment with its saved name, `adam.m.<weight>` / `adam.v.<weight>`. */
  private named(): { name: string; moment: tf.Variable }[] {
    return (['m', 'v'] as const).flatMap((kind) => [...this[kind]].map(([weight, moment]) => ({ name: `adam.${kind}.${weight}`, moment })));
  }

  /** Moments as plain data, named `adam.m.<weight>` / `adam.v.<weight>`. */
  getState(): Record<string, Float32Array> {
    return Object.fromEntries(this.named().map(({ name, moment }) => [name, moment.dataSync() as Float32Array]));
  }

  setState(state: Record<string, Float32Array>, step: number): void {
    for (const { name, moment } of this.named()) {
      const data = state[name];
      if (!data || data.length !== moment.size) throw new Error(`optimizer state "${name}" missing or mis-sized`);
      const t = tf.tensor(data, moment.shape);
      moment.assign(t);
      t.dispose();
    }
    this.step = step;
  }

  /**
   * The optimizer state as safetensors bytes, so an online learner resumes it after a reload: the moments
   * (`adam.m.<weight>`, `adam.v.<weight>`, the weights' shapes) and, as metadata, the step and the settings.
   */
  encode(): Uint8Array {
    const tensors = this.named().map(({ name, moment }) => ({ name, shape: moment.shape.slice(), data: moment.dataSync() as Float32Array }));
    return encodeSafetensors(tensors, { format: ADAM_FORMAT, step: String(this.step), settings: settingsText(this.settings) });
  }

  /**
   * Restores what `encode` wrote. CheckpointError (nothing changed) when the bytes are not an Adam state, were
   * written with other settings, or do not fit these variables.
   */
  restore(bytes: Uint8Array): void {
    const { tensors, metadata } = decodeSafetensors(bytes);
    if (metadata.format !== ADAM_FORMAT) throw new CheckpointError('header', `not an optimizer state (format "${metadata.format}")`);
    if (metadata.settings !== settingsText(this.settings)) {
      throw new CheckpointError('mismatch', `optimizer state written with settings ${metadata.settings}, these are ${settingsText(this.settings)}`);
    }
    const step = Number(metadata.step);
    if (!Number.isInteger(step) || step < 0) throw new CheckpointError('header', `optimizer step "${metadata.step}" is not a count`);
    const state: Record<string, Float32Array> = {};
    for (const { name, moment } of this.named()) {
      const t = tensors.get(name);
      if (!t || t.shape.join() !== moment.shape.join()) {
        throw new CheckpointError('shape', `optimizer state "${name}" is ${t ? `[${t.shape}]` : 'missing'}, the weight is [${moment.shape}]`);
      }
      state[name] = t.data;
    }
    this.setState(state, step);
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/** Scale gradients so their global L2 norm is at most maxNorm; returns the norm before scaling. */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): number {
  const normTensor = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
  const norm = normTensor.dataSync()[0];
  normTensor.dispose();
  if (norm > maxNorm && Number.isFinite(norm)) {
    for (const name of Object.keys(grads)) {
      const old = grads[name];
      grads[name] = tf.mul(old, maxNorm / norm);
      old.dispose();
    }
  }
  return norm;
}

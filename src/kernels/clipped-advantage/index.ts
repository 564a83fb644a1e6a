/**
 * `clippedAdvantageFromOverlap`: the hint selection (METHOD §4) and the clipped advantages w, D, A
 * (METHOD §5) on the student's top-k support set, from the top-k overlap rows. On the GPU when the rows
 * are (the `webgpu` backend), with the TypeScript reference otherwise. Support set: `student` only.
 */
import * as tf from '@tensorflow/tfjs';
import { selectHint } from '../../rl/selection.ts';
import { activeWebGPUBackend, bufferOf, newTensorOnGpu } from '../gpu/tfjs-webgpu.ts';
import { pipelineFor } from '../gpu/pipelines.ts';
import { runDispatches } from '../gpu/run.ts';
import type { TopKOverlap } from '../top-k-overlap/layout.ts';
import type { KernelOptions, TopKOverlapOnGpu } from '../top-k-overlap/index.ts';
import { clippedAdvantageWgsl, MAX_HINTS, SELECTION_CODES } from './clipped-advantage.wgsl.ts';
import { advantageWords, decodeDirectiveAdvantages, type DirectiveAdvantages } from './layout.ts';
import { clippedAdvantageReference, type AdvantageOptions } from './reference.ts';

export type { DirectiveAdvantages } from './layout.ts';
export type { AdvantageOptions } from './reference.ts';

/** The packed top-k overlap rows on the GPU (from `topKOverlapOnGpu`, or uploaded by a test). */
export type TopKOverlapRows = Pick<TopKOverlapOnGpu, 'positions' | 'hints' | 'k' | 'studentRows' | 'teacherRows'>;

export interface DirectiveAdvantagesOnGpu {
  words: tf.Tensor;
  read(): Promise<DirectiveAdvantages>;
  dispose(): void;
}

/** The `random` selection's hint for the turn: `selectHint`'s own draw (it does not depend on the overlaps). */
function randomHint(hints: number, seed: number | undefined): number {
  return selectHint(Array.from({ length: hints }, () => new Int32Array(1)), 'random', { seed }).perPosition[0];
}

function selectionParams(rows: TopKOverlapRows, options: AdvantageOptions): Uint32Array {
  const words = new Uint32Array(8);
  const view = new DataView(words.buffer);
  const fixed = options.selection === 'random' ? randomHint(rows.hints, options.seed) : 0;
  const mode = options.selection === 'sequence' || options.selection === 'token' ? SELECTION_CODES[options.selection] : SELECTION_CODES.fixed;
  [rows.positions, rows.hints, mode, fixed].forEach((x, i) => view.setUint32(i * 4, x, true));
  view.setFloat32(16, options.clip, true);
  return words;
}

/** Runs the kernel; the result stays on the GPU until `read`. Requires the `webgpu` backend. */
export async function clippedAdvantageOnGpu(rows: TopKOverlapRows, options: AdvantageOptions, kernel: KernelOptions = {}): Promise<DirectiveAdvantagesOnGpu> {
  const backend = activeWebGPUBackend();
  if (!backend) throw new Error('clippedAdvantageOnGpu: the active tfjs backend is not webgpu');
  if (rows.hints < 1 || rows.hints > MAX_HINTS) throw new RangeError(`clippedAdvantageOnGpu: 1..${MAX_HINTS} hint candidates, got ${rows.hints}`);
  const pipeline = await pipelineFor(backend.device, clippedAdvantageWgsl(rows.k), 'clippedAdvantage');
  const { positions: T, hints: H, k } = rows;
  const out = newTensorOnGpu(backend, [advantageWords(T, H, k)], 'int32');
  runDispatches(
    backend,
    [{
      pipeline,
      params: selectionParams(rows, options),
      buffers: [{ buffer: bufferOf(backend, rows.studentRows) }, { buffer: bufferOf(backend, rows.teacherRows) }, { buffer: out.buffer }],
      workgroups: [1, 1, 1],
    }],
    kernel.poison ? [out.buffer] : [],
  );
  const words = out.tensor;
  return {
    words,
    read: async () => decodeDirectiveAdvantages((await words.data()) as Int32Array, T, H, k),
    dispose: () => words.dispose(),
  };
}

/** `clippedAdvantageFromOverlap(overlap, options)`: GPU rows → the kernel; plain arrays → the reference. */
export async function clippedAdvantageFromOverlap(
  overlap: TopKOverlap | TopKOverlapRows,
  options: AdvantageOptions,
  kernel: KernelOptions = {},
): Promise<DirectiveAdvantages> {
  if (!('studentRows' in overlap)) return clippedAdvantageReference(overlap, options);
  const onGpu = await clippedAdvantageOnGpu(overlap, options, kernel);
  try {
    return await onGpu.read();
  } finally {
    onGpu.dispose();
  }
}

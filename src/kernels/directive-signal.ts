/**
 * `directiveSignal`: the whole per-turn directive signal from logits — top-k overlap (METHOD §4), hint
 * selection and clipped advantages (METHOD §5) — with the logits never leaving the GPU on `webgpu`
 * (two kernels, then a read-back of small rows), and the TypeScript references on any other backend.
 */
import type * as tf from '@tensorflow/tfjs';
import { activeWebGPUBackend } from './gpu/tfjs-webgpu.ts';
import { topKOverlap, topKOverlapOnGpu, type KernelOptions, type TeacherLogits, type TopKOverlap } from './top-k-overlap/index.ts';
import { clippedAdvantageOnGpu, type AdvantageOptions, type DirectiveAdvantages } from './clipped-advantage/index.ts';
import { clippedAdvantageReference } from './clipped-advantage/reference.ts';

export interface DirectiveSignal {
  overlap: TopKOverlap;
  advantages: DirectiveAdvantages;
}

export async function directiveSignal(
  student: tf.Tensor2D,
  teachers: TeacherLogits,
  options: AdvantageOptions & { k: number },
  kernel: KernelOptions = {},
): Promise<DirectiveSignal> {
  if (!activeWebGPUBackend()) {
    const overlap = await topKOverlap(student, teachers, options.k);
    return { overlap, advantages: clippedAdvantageReference(overlap, options) };
  }
  const rows = await topKOverlapOnGpu(student, teachers, options.k, kernel);
  try {
    const advantages = await clippedAdvantageOnGpu(rows, options, kernel);
    try {
      const [overlap, result] = await Promise.all([rows.read(), advantages.read()]);
      return { overlap, advantages: result };
    } finally {
      advantages.dispose();
    }
  } finally {
    rows.dispose();
  }
}

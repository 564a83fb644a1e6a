/**
 * `topKOverlap`: per response position, the student's and each hint's teacher top-k, log-sum-exp,
 * overlap counts O[h,i] and the teacher log-probs at the student's top-k (METHOD §4), in one pass over
 * each logits matrix on the GPU. On a backend other than `webgpu` it computes the TypeScript reference.
 */
import * as tf from '@tensorflow/tfjs';
import { activeWebGPUBackend, bufferOf, newTensorOnGpu } from '../gpu/tfjs-webgpu.ts';
import { pipelineFor, workgroupGrid, type Dispatch } from '../gpu/pipelines.ts';
import { rowLayout, type KernelCapabilities } from '../gpu/capabilities.ts';
import { runDispatches } from '../gpu/run.ts';
import { topKOverlapWgsl } from './top-k-overlap.wgsl.ts';
import { decodeTopKOverlap, studentStride, teacherStride, type TopKOverlap } from './layout.ts';
import { topKOverlapReference } from './reference.ts';

export type { TopKOverlap } from './layout.ts';
export const MAX_K = 32;

/** Teacher logits: one `[T,V]` tensor per hint, or all hints in one `[H,T,V]` tensor (≤ 1 GiB on some adapters). */
export type TeacherLogits = tf.Tensor2D[] | tf.Tensor3D;

export interface KernelOptions extends Partial<KernelCapabilities> {
  /** Fill the outputs with a marker word before the run (tests: an unwritten word cannot pass). */
  poison?: boolean;
}

/** The kernel's packed rows, still on the GPU (layout.ts); `read` decodes them, `dispose` frees them. */
export interface TopKOverlapOnGpu {
  positions: number;
  hints: number;
  k: number;
  studentRows: tf.Tensor;
  teacherRows: tf.Tensor;
  read(): Promise<TopKOverlap>;
  dispose(): void;
}

interface Shapes { positions: number; vocab: number; hints: number; k: number }

function checkShapes(student: tf.Tensor, teachers: TeacherLogits, k: number): Shapes {
  if (student.rank !== 2 || student.dtype !== 'float32') throw new TypeError('topKOverlap: student must be a float32 [T,V] tensor');
  const [positions, vocab] = student.shape;
  const parts = Array.isArray(teachers) ? teachers : [teachers];
  for (const t of parts) {
    const tail = t.shape.slice(-2);
    if (t.dtype !== 'float32' || t.rank !== (Array.isArray(teachers) ? 2 : 3) || tail[0] !== positions || tail[1] !== vocab) {
      throw new TypeError(`topKOverlap: teachers must be float32 [T,V] tensors or one [H,T,V] tensor with T=${positions}, V=${vocab}`);
    }
  }
  const hints = Array.isArray(teachers) ? teachers.length : teachers.shape[0];
  if (positions < 1 || vocab < 1 || hints < 1) throw new RangeError('topKOverlap: empty student or no teachers');
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new RangeError(`topKOverlap: k must be 1..${MAX_K}, got ${k}`);
  return { positions, vocab, hints, k: Math.min(k, vocab) };
}

/** Runs the kernels; the rows stay on the GPU. Requires the `webgpu` backend. */
export async function topKOverlapOnGpu(student: tf.Tensor2D, teachers: TeacherLogits, k: number, options: KernelOptions = {}): Promise<TopKOverlapOnGpu> {
  const backend = activeWebGPUBackend();
  if (!backend) throw new Error('topKOverlapOnGpu: the active tfjs backend is not webgpu');
  const s = checkShapes(student, teachers, k);
  const device = backend.device;
  const shader = { k: s.k, vec4: s.vocab % 4 === 0, layout: rowLayout(device, options) };
  const [studentPipeline, teacherPipeline] = await Promise.all([
    pipelineFor(device, topKOverlapWgsl({ ...shader, teacher: false }), 'topKOverlap.student'),
    pipelineFor(device, topKOverlapWgsl({ ...shader, teacher: true }), 'topKOverlap.teacher'),
  ]);
  const { positions: T, vocab: V, hints: H } = s;
  const studentOut = newTensorOnGpu(backend, [T, studentStride(s.k)], 'int32');
  const teacherOut = newTensorOnGpu(backend, [H * T, teacherStride(s.k)], 'int32');
  const logits = (t: tf.Tensor, rows: number): GPUBufferBinding => {
    const size = rows * V * 4;
    if (size > device.limits.maxStorageBufferBindingSize) {
      throw new RangeError(`topKOverlapOnGpu: a ${size}-byte logits tensor exceeds this device's binding limit (${device.limits.maxStorageBufferBindingSize}); pass the teachers as separate [T,V] tensors`);
    }
    return { buffer: bufferOf(backend, t), size };
  };
  const params = (rows: number, offset: number) => new Uint32Array([rows, V, T, offset]);
  const dispatches: Dispatch[] = [
    { pipeline: studentPipeline, params: params(T, 0), buffers: [logits(student, T), { buffer: studentOut.buffer }], workgroups: workgroupGrid(device, T) },
  ];
  const sources = Array.isArray(teachers) ? teachers.map((t) => ({ t, rows: T })) : [{ t: teachers, rows: H * T }];
  let offset = 0;
  for (const { t, rows } of sources) {
    dispatches.push({
      pipeline: teacherPipeline,
      params: params(rows, offset),
      buffers: [logits(t, rows), { buffer: teacherOut.buffer }, { buffer: studentOut.buffer }],
      workgroups: workgroupGrid(device, rows),
    });
    offset += rows;
  }
  runDispatches(backend, dispatches, options.poison ? [studentOut.buffer, teacherOut.buffer] : []);
  const studentRows = studentOut.tensor;
  const teacherRows = teacherOut.tensor;
  return {
    positions: T, hints: H, k: s.k, studentRows, teacherRows,
    read: async () => decodeTopKOverlap((await studentRows.data()) as Int32Array, (await teacherRows.data()) as Int32Array, T, H, s.k),
    dispose: () => tf.dispose([studentRows, teacherRows]),
  };
}

/** `topKOverlap(student, teachers, k)`: on `webgpu` the kernels (only small arrays are read back), else the reference. */
export async function topKOverlap(student: tf.Tensor2D, teachers: TeacherLogits, k: number, options: KernelOptions = {}): Promise<TopKOverlap> {
  if (activeWebGPUBackend()) {
    const onGpu = await topKOverlapOnGpu(student, teachers, k, options);
    try {
      return await onGpu.read();
    } finally {
      onGpu.dispose();
    }
  }
  const s = checkShapes(student, teachers, k);
  const perHint = Array.isArray(teachers)
    ? await Promise.all(teachers.map(async (t) => (await t.data()) as Float32Array))
    : splitRows((await teachers.data()) as Float32Array, s.hints);
  return topKOverlapReference((await student.data()) as Float32Array, perHint, s.positions, s.vocab, s.k);
}

function splitRows(all: Float32Array, parts: number): Float32Array[] {
  const n = all.length / parts;
  return Array.from({ length: parts }, (_, h) => all.subarray(h * n, (h + 1) * n));
}

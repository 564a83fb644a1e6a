/**
 * Hand-written WGSL kernels of the directive signal (METHOD §4-5), run on the tensors tfjs's `webgpu`
 * backend already holds; every entry point falls back to its TypeScript reference on other backends.
 */
export { topKOverlap, topKOverlapOnGpu, MAX_K, type TeacherLogits, type KernelOptions, type TopKOverlapOnGpu } from './top-k-overlap/index.ts';
export { decodeTopKOverlap, encodeTopKOverlap, type TopKOverlap } from './top-k-overlap/layout.ts';
export { topKOverlapReference, logSumExp } from './top-k-overlap/reference.ts';
export {
  clippedAdvantageFromOverlap,
  clippedAdvantageOnGpu,
  type TopKOverlapRows,
  type DirectiveAdvantagesOnGpu,
} from './clipped-advantage/index.ts';
export { clippedAdvantageReference, type AdvantageOptions } from './clipped-advantage/reference.ts';
export type { DirectiveAdvantages } from './clipped-advantage/layout.ts';
export { directiveSignal, type DirectiveSignal } from './directive-signal.ts';
export { rowLayout, type KernelCapabilities, type RowLayout, type ReduceLayout } from './gpu/capabilities.ts';

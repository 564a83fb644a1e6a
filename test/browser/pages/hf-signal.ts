/**
 * The directive signal (teacher scoring under hints, top-k overlap, selection, clipped advantages) of a random
 * Qwen2-shaped policy with Qwen's real 151,936-token vocabulary, on the WGSL kernels vs the TypeScript reference,
 * in this page on the webgpu backend.
 */
import { Policy } from '../../../src/model/policy.ts';
import type { ModelConfig } from '../../../src/model/presets.ts';
import { createRng } from '../../../src/model/rng.ts';
import { initBackend } from '../../../src/workers/tfjs-backend.ts';
import { directiveOnGpu, logprobRows, overlapReport } from '../../../src/workers/directive-signal.ts';

const QWEN_VOCAB: ModelConfig = {
  vocabSize: 151936, dModel: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 8, dFF: 64, maxLen: 256, ropeBase: 1e6, rmsEps: 1e-6,
  qkvBias: true, tiedEmbedding: true,
};

function ids(seed: number, n: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.floor(rng() * QWEN_VOCAB.vocabSize));
}

async function signalParity(seed: number, selection: 'sequence' | 'token') {
  const choice = await initBackend('webgpu');
  const student = Policy.create(QWEN_VOCAB, seed);
  const teacher = Policy.create(QWEN_VOCAB, seed + 1);
  try {
    const prompt = ids(seed + 2, 20);
    const contexts = [ids(seed + 3, 28), ids(seed + 4, 33)];
    const response = ids(seed + 5, 16);
    const settings = { k: 4, selection, support: 'student' as const, seed: 0, C: 1, temperature: 0.6 };
    const gpu = await directiveOnGpu(student, teacher, prompt, contexts, response, settings);
    const studentRows = await logprobRows(student, prompt, response, 0.6);
    const teacherRows = await Promise.all(contexts.map((c) => logprobRows(teacher, c, response, 0.6)));
    const ref = overlapReport(studentRows, teacherRows, response.length, QWEN_VOCAB.vocabSize, settings, 's', 1);
    const flat = (x: number[][]) => x.flat();
    const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    return {
      backend: choice.backend,
      vocab: QWEN_VOCAB.vocabSize,
      idsEqual: JSON.stringify(gpu.report.studentTop.map((t) => t.ids)) === JSON.stringify(ref.studentTop.map((t) => t.ids)),
      overlapEqual: JSON.stringify(gpu.report.overlap) === JSON.stringify(ref.overlap),
      perPositionEqual: JSON.stringify(gpu.report.perPosition) === JSON.stringify(ref.perPosition),
      logprobDiff: maxDiff(flat(gpu.report.studentTop.map((t) => t.logprobs)), flat(ref.studentTop.map((t) => t.logprobs))),
      advantageDiff: maxDiff(flat(gpu.report.advantages), flat(ref.advantages)),
      distinctTopIds: new Set(flat(ref.studentTop.map((t) => t.ids))).size,
      path: gpu.report.path,
    };
  } finally {
    student.dispose();
    teacher.dispose();
  }
}

(window as unknown as { hfSignal: { signalParity: typeof signalParity } }).hfSignal = { signalParity };
document.getElementById('status')!.textContent = 'idle';

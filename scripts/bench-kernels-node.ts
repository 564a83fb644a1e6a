/**
 * `npm run bench:kernels:node -- [--json] [--out file.json] [--reps N] [--V 32768,151936] [--T 512] [--H 3] [--k 4] [--no-reference] [--no-subgroups]`
 * The kernel benchmark of bench:kernels without a browser: the same measurement (src/kernels/bench/measure.ts) on
 * tfjs's `webgpu` backend over Dawn for Node (lib/dawn.ts; set VK_ICD_FILENAMES to SwiftShader's ICD on a machine
 * without a GPU). Prints the same report, plus the adapter's datasheet limits when it is a known GPU and the fused
 * kernels' bandwidth as a fraction of the datasheet's. Progress lines go to stderr.
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { registerWebGPUBackend } from '../src/kernels/gpu/register-backend.ts';
import { benchConfigFrom, benchKernels } from '../src/kernels/bench/measure.ts';
import { installDawn, uninstallDawn } from './lib/dawn.ts';
import { datasheetLimits } from './lib/gpu-datasheet.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : undefined;
};

let exitCode = 0;
try {
  await installDawn();
  registerWebGPUBackend({ subgroups: !flag('no-subgroups') });
  if (!(await tf.setBackend('webgpu'))) throw new Error('bench:kernels:node: Dawn found no usable WebGPU adapter (is a Vulkan driver installed? VK_ICD_FILENAMES)');
  const config = benchConfigFrom((name) => (name === 'reference' ? (flag('no-reference') ? '0' : undefined) : option(name)), (line) => process.stderr.write(`[bench] ${line}\n`));
  const report = await benchKernels(config);
  const datasheet = datasheetLimits(report.adapter);
  const fractions = datasheet && report.rows.map((r) => ({
    V: r.V,
    fused_fraction_of_datasheet_bandwidth: (r.fused_gbps * 1e9) / datasheet.memory_bandwidth_bytes_per_s,
    copy_fraction_of_datasheet_bandwidth: (r.copy_gbps * 1e9) / datasheet.memory_bandwidth_bytes_per_s,
  }));
  const out = { runtime: `node ${process.version} + Dawn (npm webgpu)`, ...report, datasheet, datasheet_fractions: fractions };
  const file = option('out');
  if (file) writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  if (flag('json')) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    const a = report.adapter;
    console.log(`adapter: ${a.vendor} / ${a.architecture} ${a.description} (fallback ${a.isFallbackAdapter}), row layout ${report.layout.reduce} × ${report.layout.workgroupSize}`);
    if (datasheet) console.log(`datasheet: ${datasheet.name}, ${datasheet.memory_bandwidth_bytes_per_s / 1e12} TB/s (${datasheet.source})`);
    console.table(report.rows);
    if (fractions) console.table(fractions);
  }
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  tf.engine().reset();
  uninstallDawn();
}
process.exit(exitCode);

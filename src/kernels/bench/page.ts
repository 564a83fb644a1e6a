/**
 * bench.html: runs the kernel benchmark on this browser's WebGPU adapter and shows the table; the result
 * is also left on `window.benchResult` for scripts/bench-kernels.ts. Query: T, H, k, V (comma list),
 * reps, reference=0 (skip the CPU reference), subgroups=0 (force the workgroup-memory path).
 */
import * as tf from '@tensorflow/tfjs';
import { registerWebGPUBackend } from '../gpu/register-backend.ts';
import { benchConfigFrom, benchKernels, type BenchReport, type BenchRow } from './measure.ts';

const query = new URLSearchParams(location.search);
const status = document.getElementById('status')!;
const logLines: string[] = [];
const log = (line: string) => {
  logLines.push(line);
  console.log(`[bench] ${line}`);
  status.textContent = logLines.join('\n');
};
const page = window as unknown as { benchResult?: BenchReport; benchError?: string };

const columns: [keyof BenchRow, string][] = [
  ['V', 'V'], ['fused_ms', 'fused ms'], ['tfjs_ops_ms', 'tfjs ops ms'], ['reference_ms', 'reference ms'], ['copy_ms', 'copy ms'],
  ['speedup_vs_tfjs', 'speedup vs tfjs'], ['copy_gbps', 'copy GB/s'], ['fused_gbps', 'fused GB/s'],
  ['fraction_of_copy_bandwidth', 'fraction of copy bandwidth'], ['copy_time_over_fused_time', 'copy time / fused time'], ['tfjs_ops_agree', 'tfjs agrees'], ['reference_agrees', 'reference agrees'],
];

function render(report: BenchReport): void {
  const a = report.adapter;
  const head = document.createElement('p');
  head.textContent = `Adapter: ${a.vendor} / ${a.architecture} ${a.description} (fallback: ${a.isFallbackAdapter}); row layout: ${report.layout.reduce} × ${report.layout.workgroupSize}; ` +
    `T = ${report.rows[0]?.T}, H = ${report.rows[0]?.H}, k = ${report.rows[0]?.k}; median of ${report.reps}.`;
  const table = document.createElement('table');
  table.border = '1';
  table.insertRow().append(...columns.map(([, label]) => Object.assign(document.createElement('th'), { textContent: label })));
  for (const row of report.rows) {
    const tr = table.insertRow();
    for (const [key] of columns) {
      const v = row[key];
      tr.insertCell().textContent = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(3)) : String(v);
    }
  }
  document.body.append(head, table);
}

async function main(): Promise<void> {
  registerWebGPUBackend({ subgroups: query.get('subgroups') !== '0' });
  if (!(await tf.setBackend('webgpu'))) throw new Error('this browser has no usable WebGPU adapter');
  log('running…');
  const report = await benchKernels(benchConfigFrom((name) => query.get(name), log));
  render(report);
  page.benchResult = report;
}

main().catch((e: unknown) => {
  page.benchError = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
  log(`failed: ${page.benchError}`);
});

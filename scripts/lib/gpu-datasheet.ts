/**
 * The limits a GPU benchmark divides by when its adapter is a known data-centre GPU: peak memory bandwidth and
 * peak dense FP32 (non-tensor-core) compute, from NVIDIA's datasheets, matched on the adapter's description
 * (Dawn reports the Vulkan device name, e.g. "NVIDIA H200"). Unknown adapters (SwiftShader, …) get null and the
 * benchmarks keep their measured ceilings only.
 */
export interface DatasheetLimits {
  name: string;
  memory_bandwidth_bytes_per_s: number;
  fp32_flop_per_s: number;
  source: string;
}

const H200 = 'NVIDIA H200 Tensor Core GPU datasheet (nvidia.com/en-us/data-center/h200): HBM3e 4.8 TB/s; FP32 67 TFLOPS (SXM), 60 TFLOPS (NVL)';
const H100 = 'NVIDIA H100 Tensor Core GPU datasheet (nvidia.com/en-us/data-center/h100): SXM 3.35 TB/s, FP32 67 TFLOPS; PCIe 2 TB/s, 51 TFLOPS; NVL 3.9 TB/s, 60 TFLOPS';

/** First match wins: the more specific names first. */
const KNOWN: [RegExp, DatasheetLimits][] = [
  [/H200 NVL/i, { name: 'H200 NVL', memory_bandwidth_bytes_per_s: 4.8e12, fp32_flop_per_s: 60e12, source: H200 }],
  [/H200/i, { name: 'H200 SXM', memory_bandwidth_bytes_per_s: 4.8e12, fp32_flop_per_s: 67e12, source: H200 }],
  [/H100 NVL/i, { name: 'H100 NVL', memory_bandwidth_bytes_per_s: 3.9e12, fp32_flop_per_s: 60e12, source: H100 }],
  [/H100 PCIe/i, { name: 'H100 PCIe', memory_bandwidth_bytes_per_s: 2.0e12, fp32_flop_per_s: 51e12, source: H100 }],
  [/H100/i, { name: 'H100 SXM', memory_bandwidth_bytes_per_s: 3.35e12, fp32_flop_per_s: 67e12, source: H100 }],
];

/** The datasheet limits of the adapter its description names, or null for an adapter not listed. */
export function datasheetLimits(adapter: { vendor: string; architecture: string; description: string }): DatasheetLimits | null {
  const text = `${adapter.description} ${adapter.architecture}`;
  return KNOWN.find(([pattern]) => pattern.test(text))?.[1] ?? null;
}

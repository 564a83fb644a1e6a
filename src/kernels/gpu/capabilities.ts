/**
 * What the row kernels may use on a device, and the reduction layout that follows:
 * - `subgroupRow`: one subgroup per row, reductions by subgroup operations alone (no barrier, no
 *   workgroup memory). Needs the `subgroups` feature and a fixed subgroup size (the adapter's min = max):
 *   the workgroup is exactly one subgroup.
 * - `subgroups`: 256 invocations per row, subgroup operations then one workgroup slot per subgroup; needs
 *   `subgroups` and the `subgroup_id` WGSL language feature.
 * - `tree`: 256 invocations per row, a tree in workgroup memory; every adapter (the fallback one included).
 */
export type ReduceLayout = 'subgroupRow' | 'subgroups' | 'tree';

export interface KernelCapabilities {
  /** Use subgroup operations when the device has them (false: always `tree`). */
  subgroups: boolean;
  /** Give each row one whole subgroup when its size is fixed (false: 256 invocations per row). */
  rowPerSubgroup: boolean;
}

export interface RowLayout {
  reduce: ReduceLayout;
  workgroupSize: number;
}

export const ROW_WORKGROUP_SIZE = 256;

function fixedSubgroupSize(device: GPUDevice): number | null {
  const info = device.adapterInfo as (GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number }) | undefined;
  const min = info?.subgroupMinSize;
  return min && min === info?.subgroupMaxSize && min >= 4 && min <= ROW_WORKGROUP_SIZE ? min : null;
}

/** The layout the row kernels compile for on this device, narrowed by the caller (tests force each one). */
export function rowLayout(device: GPUDevice, requested: Partial<KernelCapabilities> = {}): RowLayout {
  const subgroups = device.features.has('subgroups') && requested.subgroups !== false;
  const size = subgroups && requested.rowPerSubgroup !== false ? fixedSubgroupSize(device) : null;
  if (size) return { reduce: 'subgroupRow', workgroupSize: size };
  const language = typeof navigator !== 'undefined' ? navigator.gpu?.wgslLanguageFeatures : undefined;
  if (subgroups && language?.has('subgroup_id')) return { reduce: 'subgroups', workgroupSize: ROW_WORKGROUP_SIZE };
  return { reduce: 'tree', workgroupSize: ROW_WORKGROUP_SIZE };
}

/**
 * What the kernels may use on a device. Subgroup reductions need the `subgroups` device feature and the
 * `subgroup_id` WGSL language feature (for `subgroup_id` / `num_subgroups`); without either the kernels
 * use their workgroup-memory path, which every adapter (the fallback one included) supports.
 */
export interface KernelCapabilities {
  subgroups: boolean;
}

export function kernelCapabilities(device: GPUDevice): KernelCapabilities {
  const language = typeof navigator !== 'undefined' ? navigator.gpu?.wgslLanguageFeatures : undefined;
  return { subgroups: device.features.has('subgroups') && !!language?.has('subgroup_id') };
}

/** The capabilities to compile for: the device's, narrowed by the caller's choice (tests force each path). */
export function resolveCapabilities(device: GPUDevice, requested?: Partial<KernelCapabilities>): KernelCapabilities {
  const available = kernelCapabilities(device);
  return { subgroups: available.subgroups && (requested?.subgroups ?? true) };
}

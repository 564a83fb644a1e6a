/**
 * A plain copy, the bandwidth ceiling the benchmark compares the fused kernel with: each invocation moves
 * vec4s in a grid-stride loop (coalesced reads and writes), nothing else.
 */
export const copyWgsl = /* wgsl */ `
struct Params { count: u32, stride: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  for (var i = gid.x; i < params.count; i += params.stride) { dst[i] = src[i]; }
}
`;

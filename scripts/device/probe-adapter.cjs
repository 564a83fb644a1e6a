// The adapter Dawn for Node picks ($DAWN_NODE), its features and the limits the benchmarks depend on, as one JSON
// line; exit 2 when there is none. Run by run.sh before the benchmarks (which name the adapter again).
const { create, globals } = require(process.env.DAWN_NODE);
Object.assign(globalThis, globals);
const gpu = create((process.env.DAWN_OPTIONS ?? '').split(',').filter(Boolean));
gpu
  .requestAdapter({ powerPreference: 'high-performance' })
  .then((a) => {
    if (!a) {
      console.log('Dawn: no adapter');
      process.exitCode = 2;
      return;
    }
    const l = a.limits;
    const limits = ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup'];
    console.log(JSON.stringify({
      info: { vendor: a.info.vendor, architecture: a.info.architecture, description: a.info.description, fallback: a.info.isFallbackAdapter, subgroupMinSize: a.info.subgroupMinSize, subgroupMaxSize: a.info.subgroupMaxSize },
      features: [...a.features].sort(),
      limits: Object.fromEntries(limits.map((n) => [n, l[n]])),
    }));
  })
  .catch((e) => {
    console.log(`Dawn: ${e}`);
    process.exitCode = 2;
  })
  .finally(() => setTimeout(() => process.exit(), 100));

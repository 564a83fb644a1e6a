/**
 * Test page: the Experiments panel alone, on the model named by `?model=`, with the cap from `?cap=`. The
 * page's experiment is `window.experiments`, so a test can read the runs' results as the workers returned them.
 */
import { mount } from 'svelte';
import '../../src/app/app.css';
import ExperimentsPanel from '../../src/app/experiments/ExperimentsPanel.svelte';
import { pageExperiments } from '../../src/app/experiments/experiments.svelte.ts';

const query = new URLSearchParams(location.search);
const modelBase = query.get('model') ?? undefined;
mount(ExperimentsPanel, {
  target: document.getElementById('app')!,
  props: { modelBase, cap: Number(query.get('cap') ?? 60) },
});
(window as unknown as { experiments: unknown }).experiments = pageExperiments({ modelBase });

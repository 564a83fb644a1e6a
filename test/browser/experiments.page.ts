/** Test page: the Experiments panel alone, on the model named by `?model=`, with the cap from `?cap=`. */
import { mount } from 'svelte';
import '../../src/app/app.css';
import ExperimentsPanel from '../../src/app/experiments/ExperimentsPanel.svelte';

const query = new URLSearchParams(location.search);
mount(ExperimentsPanel, {
  target: document.getElementById('app')!,
  props: { modelBase: query.get('model') ?? undefined, cap: Number(query.get('cap') ?? 60) },
});

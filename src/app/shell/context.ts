/** The one Playground of the page, handed to every component through Svelte's context. */
import { getContext, setContext } from 'svelte';
import type { Playground } from '../state/playground.svelte.ts';

const KEY = Symbol('nextstate-playground');

export function providePlayground(playground: Playground): void {
  setContext(KEY, playground);
}

export function usePlayground(): Playground {
  const playground = getContext<Playground | undefined>(KEY);
  if (!playground) throw new Error('usePlayground: no Playground in context (mount the component inside App)');
  return playground;
}

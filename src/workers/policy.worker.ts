/** Comlink glue: the policy engine in its own worker (serving never waits for judging or training). */
import * as Comlink from 'comlink';
import './wasm-binaries.ts';
import { PolicyEngine } from './policy-engine.ts';

Comlink.expose(new PolicyEngine());

/** Comlink glue: the trainer engine in its own worker (updates never block serving). */
import * as Comlink from 'comlink';
import './browser-backends.ts';
import { TrainerEngine } from './trainer-engine.ts';

Comlink.expose(new TrainerEngine());

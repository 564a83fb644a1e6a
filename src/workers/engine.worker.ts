/**
 * Comlink glue: the one script every engine worker runs (policy, signal, trainer, an experiment's), so a
 * visitor downloads tfjs and the engines once, however many workers the page starts. The worker's name says
 * which engine this one exposes.
 */
import * as Comlink from 'comlink';
import './browser-backends.ts';
import { engineRoleOf, type EngineRole } from './engine-role.ts';
import { ExperimentWorker } from './experiment-worker.ts';
import { PolicyWorker } from './policy-worker.ts';
import { SignalWorker } from './signal-worker.ts';
import { TrainerWorker } from './trainer-worker.ts';

const engines: Record<EngineRole, () => object> = {
  policy: () => new PolicyWorker(),
  signal: () => new SignalWorker(),
  trainer: () => new TrainerWorker(),
  experiment: () => new ExperimentWorker(),
};

Comlink.expose(engines[engineRoleOf(self.name)]());

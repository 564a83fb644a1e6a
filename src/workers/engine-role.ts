/** Which engine a worker runs, carried in the worker's name: `nextstate-policy`, `nextstate-experiment-1`. */
export const ENGINE_ROLES = ['policy', 'signal', 'trainer', 'experiment'] as const;
export type EngineRole = (typeof ENGINE_ROLES)[number];

export function engineWorkerName(role: EngineRole, index?: number): string {
  return index === undefined ? `nextstate-${role}` : `nextstate-${role}-${index}`;
}

export function engineRoleOf(workerName: string): EngineRole {
  const role = /^nextstate-([a-z]+)(?:-\d+)?$/.exec(workerName)?.[1];
  if (!role || !(ENGINE_ROLES as readonly string[]).includes(role)) {
    throw new Error(`An engine worker is named nextstate-<${ENGINE_ROLES.join('|')}>[-n], not "${workerName}".`);
  }
  return role as EngineRole;
}

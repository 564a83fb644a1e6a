/**
 * Where the policy runs (issue 16): this device, or a remote policy server. The config, key included,
 * stays in this browser's localStorage under its own key, as the judge's does: never in the URL, the
 * settings object in IndexedDB, an export or a log (only `redactPolicyConfig` is ever shown).
 */
import { checkPolicyConfig, parsePolicyConfig, redactPolicyConfig, type PolicyConfig, type RedactedPolicyConfig } from '../../connector/policy-config.ts';
import { browserStorage } from './judge-storage.ts';

export const POLICY_STORAGE_KEY = 'nextstate.policy-config';

export class PolicyConfigState {
  config = $state.raw<PolicyConfig>(parsePolicyConfig(browserStorage()?.getItem(POLICY_STORAGE_KEY) ?? null));
  redacted: RedactedPolicyConfig = $derived(redactPolicyConfig(this.config));
  problem = $state<string | null>(null);
  private listeners: ((config: PolicyConfig) => void)[] = [];

  get remote(): boolean {
    return this.config.kind === 'remote';
  }

  onChange(listener: (config: PolicyConfig) => void): void {
    this.listeners.push(listener);
  }

  set(config: PolicyConfig): boolean {
    this.problem = checkPolicyConfig(config);
    if (this.problem) return false;
    this.config = config;
    browserStorage()?.setItem(POLICY_STORAGE_KEY, JSON.stringify(config));
    for (const listener of this.listeners) listener(config);
    return true;
  }
}

/** How the settings panel groups and names the knobs of `SETTING_SPECS` (every knob appears exactly once). */
import type { Settings } from '../../rl/settings.ts';

export interface SettingGroup {
  title: string;
  keys: { key: keyof Settings; label: string }[];
}

export const SETTING_GROUPS: SettingGroup[] = [
  { title: 'Environment (METHOD §1–2)', keys: [
    { key: 'environment', label: 'Environment' },
  ] },
  { title: 'Judge (METHOD §2–3)', keys: [
    { key: 'judgeVotes', label: 'Votes m' },
    { key: 'judgeTemperature', label: 'Judge temperature' },
  ] },
  { title: 'Hint selection (METHOD §4)', keys: [
    { key: 'k', label: 'Top-k size k' },
    { key: 'selection', label: 'Selection mode' },
    { key: 'support', label: 'Support set' },
    { key: 'teacher', label: 'Teacher' },
  ] },
  { title: 'Objective (METHOD §5–6)', keys: [
    { key: 'C', label: 'Advantage clip C' },
    { key: 'wRL', label: 'GRPO weight w_RL' },
    { key: 'wOPD', label: 'OPD weight w_OPD' },
    { key: 'epsLo', label: 'Ratio clip ε_lo' },
    { key: 'epsHi', label: 'Ratio clip ε_hi' },
    { key: 'klCoef', label: 'KL coefficient' },
    { key: 'entropyCoef', label: 'Entropy bonus' },
  ] },
  { title: 'Optimizer', keys: [
    { key: 'batchSize', label: 'Batch size B' },
    { key: 'lr', label: 'Learning rate' },
    { key: 'weightDecay', label: 'Weight decay' },
    { key: 'adamBeta1', label: 'Adam β1' },
    { key: 'adamBeta2', label: 'Adam β2' },
    { key: 'adamEpsilon', label: 'Adam ε' },
    { key: 'gradClip', label: 'Gradient clip' },
    { key: 'epochsPerBatch', label: 'Epochs per batch' },
  ] },
  { title: 'Asynchrony (METHOD §7)', keys: [
    { key: 'maxStaleness', label: 'Max staleness (versions)' },
    { key: 'behaviourWeightCap', label: 'Behaviour weight cap c' },
    { key: 'batchFill', label: 'Update starts' },
  ] },
  { title: 'Adapter (LoRA)', keys: [
    { key: 'finetune', label: 'Trains' },
    { key: 'loraRank', label: 'Rank r' },
    { key: 'loraAlpha', label: 'Alpha' },
    { key: 'loraDropout', label: 'Dropout' },
    { key: 'loraTargets', label: 'Target modules' },
    { key: 'updateMemoryMb', label: 'Update memory cap (MB)' },
  ] },
  { title: 'Sampling', keys: [
    { key: 'temperature', label: 'Temperature' },
    { key: 'topP', label: 'Top-p' },
    { key: 'maxTokens', label: 'Max reply tokens' },
    { key: 'seed', label: 'Seed' },
  ] },
  { title: 'Runtime', keys: [
    { key: 'backend', label: 'tfjs backend' },
  ] },
];

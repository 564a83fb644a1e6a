/** The server's judge backend: an upstream OpenAI-compatible endpoint when configured, else the built-in judge. */
import type { JudgeBackend } from '../src/rl/judge/types.ts';
import { builtinJudgeBackend } from '../src/rl/judge/builtin/index.ts';
import { openAICompatibleJudge } from '../src/connector/openai-judge.ts';
import type { JudgeServerSettings } from './flags.ts';

export function judgeBackendFor(settings: Pick<JudgeServerSettings, 'upstream' | 'timeoutMs'>): JudgeBackend {
  if (!settings.upstream) return builtinJudgeBackend;
  return openAICompatibleJudge({ ...settings.upstream, timeoutMs: settings.timeoutMs });
}

import { describe, expect, it } from 'vitest';
import { allQuestions } from '../../world/index.ts';
import { inventedFacts, statesScope } from '../../world/visitors/checks.ts';
import { AGENT_SCOPE, EXAMPLE_QUESTIONS } from './first-questions.ts';

describe('the empty chat', () => {
  it('offers three questions of the pretraining corpus, on three different topics', () => {
    const asked = EXAMPLE_QUESTIONS.map((text) => allQuestions().find((q) => q.text === text));
    expect(asked.map((q) => q?.split)).toEqual(['train', 'train', 'train']);
    expect(new Set(asked.map((q) => q?.topic)).size).toBe(3);
  });

  it('states the agent\'s scope without stating a fact', () => {
    expect(statesScope(AGENT_SCOPE)).toBe(true);
    expect(inventedFacts(AGENT_SCOPE, '')).toEqual([]);
  });
});

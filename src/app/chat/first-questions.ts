/**
 * What the empty chat tells a new visitor (issue 14): what the built-in agent is and knows, and three
 * questions of its world to start with, so that a first message lands where the policy can answer.
 */

/** The agent and its world in one sentence: no fact, no number, only the areas it knows. */
export const AGENT_SCOPE = 'This is a small agent that learns from your replies. It knows the capitals of a few countries, '
  + 'arithmetic on small numbers, unit conversions, and a few animals and objects.';

/** Three questions of the world, worded as its pretraining corpus words them (a test checks that). */
export const EXAMPLE_QUESTIONS: readonly string[] = ['What is the capital of Peru?', 'What is 7 x 8?', 'How many minutes are in 2 hours?'];

/** Short descriptions: a few animals and objects, each with one main fact and one extra fact. */
import { containsPhrase } from '../text.ts';
import type { AnswerForms, TopicTable } from './topic.ts';

export interface Thing {
  name: string;
  plural: string;
  article: 'a' | 'an';
  /** The canonical answer. */
  fact: string;
  /** The one more sentence a non-brief reply adds. */
  extra: string;
  /** The reply is right when it mentions one of these. */
  keywords: readonly string[];
}

export const THINGS: readonly Thing[] = [
  { name: 'camel', plural: 'camels', article: 'a', fact: 'A camel can go for days without drinking water.',
    extra: 'It stores fat in its hump.', keywords: ['water'] },
  { name: 'penguin', plural: 'penguins', article: 'a', fact: 'A penguin is a bird that cannot fly but swims well.',
    extra: 'Most penguins live in cold southern seas.', keywords: ['swims', 'swim', 'swimming'] },
  { name: 'octopus', plural: 'octopuses', article: 'an', fact: 'An octopus has eight arms.',
    extra: 'It can change colour to hide.', keywords: ['eight arms', '8 arms'] },
  { name: 'bee', plural: 'bees', article: 'a', fact: 'A bee makes honey from the nectar of flowers.',
    extra: 'Bees live together in a hive.', keywords: ['honey'] },
  { name: 'owl', plural: 'owls', article: 'an', fact: 'An owl is a bird that hunts at night.',
    extra: 'It can turn its head very far.', keywords: ['night'] },
  { name: 'compass', plural: 'compasses', article: 'a', fact: 'A compass has a needle that points north.',
    extra: 'People use it to find their way.', keywords: ['north'] },
  { name: 'thermometer', plural: 'thermometers', article: 'a', fact: 'A thermometer measures temperature.',
    extra: 'Many show degrees Celsius.', keywords: ['temperature'] },
  { name: 'bicycle', plural: 'bicycles', article: 'a', fact: 'A bicycle has two wheels and pedals.',
    extra: 'You ride it by pushing the pedals.', keywords: ['two wheels', '2 wheels'] },
  { name: 'piano', plural: 'pianos', article: 'a', fact: 'A piano has 88 keys.',
    extra: 'You play it by pressing the keys with your fingers.', keywords: ['88 keys'] },
  { name: 'cactus', plural: 'cacti', article: 'a', fact: 'A cactus is a plant that grows in the desert.',
    extra: 'It has sharp spines instead of leaves.', keywords: ['desert'] },
];

function phrasings(t: Thing): string[] {
  const one = `${t.article} ${t.name}`;
  return [`Tell me about ${t.plural}.`, `What is ${one}?`, `Describe ${one}.`, `What do you know about ${t.plural}?`,
    `Give me a fact about ${t.plural}.`, `What is special about ${t.plural}?`, `Say something about ${t.plural}.`,
    `Can you tell me something about ${t.plural}?`, `I want to learn about ${t.plural}.`];
}

function shorthands(t: Thing): string[] {
  return [`${t.name}?`, `${t.plural}?`, `facts about ${t.plural}`, `${t.name} facts`, `whats ${t.article} ${t.name}`,
    `tell me something about ${t.article} ${t.name}`, `${t.plural} - tell me`, `anything about ${t.plural}?`];
}

function forms(t: Thing): AnswerForms {
  const lowerFact = t.fact[0].toLowerCase() + t.fact.slice(1);
  return {
    statements: [t.fact, `Here is a fact: ${lowerFact}`, `One thing to know: ${lowerFact}`],
    casualStatements: [`Here's a fact: ${lowerFact}`, `Here's one: ${lowerFact}`],
    explanations: [t.extra],
  };
}

export const DESCRIPTIONS: TopicTable<Thing> = {
  topic: 'descriptions',
  items: THINGS,
  key: (t) => t.name,
  phrasings,
  answer: (t) => t.fact,
  forms,
  shorthands,
  check: (t, reply) => t.keywords.some((k) => containsPhrase(reply, k)),
};

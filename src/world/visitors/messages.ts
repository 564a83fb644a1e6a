/**
 * The visitor set (issue 14): messages written by hand the way people type them into the playground, to
 * measure the built-in policy on what it meets first. It is an evaluation set only: it never goes into the
 * pretraining corpus (a test checks that), and it is not generated from the world's phrasings.
 *
 * In-world messages name the world fact they ask about as `<topic>:<key>`, the prefix of the world's
 * question ids (questions.ts), so the world's own checker says whether a reply is right. Off-topic messages
 * ask for something the world does not know; the right reply states no fact and says what the agent knows.
 */

/** A casual question the world can answer. */
export interface InWorldVisitorMessage {
  text: string;
  /** `<topic>:<key>` of the world fact asked about, e.g. `arithmetic:6x7`, `capitals:Peru`. */
  fact: string;
}

export type OffTopicKind = 'country' | 'joke' | 'weather' | 'poem' | 'gibberish' | 'greeting' | 'identity' | 'capabilities'
  | 'thanks' | 'other';

/** A message outside what the world knows. */
export interface OffTopicVisitorMessage {
  text: string;
  kind: OffTopicKind;
}

const capital = (text: string, country: string): InWorldVisitorMessage => ({ text, fact: `capitals:${country}` });
const sum = (text: string, key: string): InWorldVisitorMessage => ({ text, fact: `arithmetic:${key}` });
const unit = (text: string, key: string): InWorldVisitorMessage => ({ text, fact: `units:${key}` });
const thing = (text: string, name: string): InWorldVisitorMessage => ({ text, fact: `descriptions:${name}` });

export const VISITOR_IN_WORLD: readonly InWorldVisitorMessage[] = [
  capital('so whats the capital of france', 'France'),
  capital('hey whats the capital of germany', 'Germany'),
  capital('capital of italy pls', 'Italy'),
  capital('quick question: capital of spain?', 'Spain'),
  capital('thanks! whats japans capital?', 'Japan'),
  capital('hello! whats the capital of portugal', 'Portugal'),
  capital('CAPITAL OF PERU PLEASE', 'Peru'),
  capital('whats teh capital of egypt', 'Egypt'),
  capital('kenya capital?', 'Kenya'),
  capital('capitol of canada', 'Canada'),
  capital('brazils capital city is what', 'Brazil'),
  capital("what's argentina's capital", 'Argentina'),
  capital('hi there, capital of norway?', 'Norway'),
  capital('do u know swedens capital', 'Sweden'),
  capital('poland capital pls', 'Poland'),
  capital('greece - capital?', 'Greece'),
  capital('capital of turkey? thx', 'Turkey'),
  capital('whats the capital of austrailia', 'Australia'),
  capital('chile capital city', 'Chile'),
  capital("yo what's ireland's capital", 'Ireland'),
  capital('what is the capitol of austria', 'Austria'),
  capital('finland capital??', 'Finland'),
  capital('good morning! which city is the capital of france', 'France'),
  capital('capital of japan please and thank you', 'Japan'),
  capital('i need the capital of kenya', 'Kenya'),
  capital('CAPITAL CITY OF SPAIN?', 'Spain'),
  capital('can u tell me the capital of brazil', 'Brazil'),
  capital('whats the capital of frnace', 'France'),
  capital('hi! capital of greece pls', 'Greece'),
  capital('ok thanks. and the capital of peru?', 'Peru'),

  sum('12*3?', '12x3'),
  sum('6x7', '6x7'),
  sum('18-9', '18-9'),
  sum('whats 7+8', '7+8'),
  sum('hey what is 9 times 6', '9x6'),
  sum('quick question: 15 + 4', '15+4'),
  sum('WHAT IS 11 TIMES 11', '11x11'),
  sum('what is 20 minus 7', '20-7'),
  sum('5 * 8 pls', '5x8'),
  sum('how much is 13+6', '13+6'),
  sum('thanks! and 4x9?', '4x9'),
  sum("hi, what's 17 - 8?", '17-8'),
  sum('calc 3 x 12', '3x12'),
  sum('what does 14 plus 5 equal', '14+5'),
  sum('8 times 8', '8x8'),
  sum('whats 19-11', '19-11'),
  sum('sum of 9 and 12?', '9+12'),
  sum('multiply 7 and 6', '7x6'),
  sum('16+16', '16+16'),
  sum('hey can u do 10 - 3', '10-3'),
  sum('what is 2 plus 2', '2+2'),
  sum('whats 12 x 12', '12x12'),
  sum('subtract 5 from 14', '14-5'),
  sum('9*9', '9x9'),
  sum('hello, what is 6 + 13?', '6+13'),
  sum('pls help: 20 - 18', '20-18'),
  sum('WHATS 7 X 5', '7x5'),
  sum('what is eleven plus four', '11+4'),
  sum("what's 3 times 4 lol", '3x4'),
  sum('15-6?', '15-6'),
  sum('ok now 8+9', '8+9'),
  sum('what is 10 times 2', '10x2'),
  sum('real quick: 11 - 4', '11-4'),
  sum('add 18 and 2', '18+2'),
  sum('whats 6 multiplied by 4', '6x4'),
  sum('13 plus 7 is?', '13+7'),
  sum('thx! now 12 - 5', '12-5'),
  sum('2x2', '2x2'),
  sum('what is five times three', '5x3'),
  sum('hey 20+20?', '20+20'),

  unit('how many meters in 5 km', '5kilometres>metres'),
  unit('how many meters are in 3 kilometers', '3kilometres>metres'),
  unit('2 km in m?', '2kilometres>metres'),
  unit('how many cm in 4 meters', '4metres>centimetres'),
  unit('convert 7 m to cm', '7metres>centimetres'),
  unit('how many grams in 6 kg', '6kilograms>grams'),
  unit('whats 9 kilos in grams', '9kilograms>grams'),
  unit('how many ml in 4 liters', '4litres>millilitres'),
  unit('how many milliliters is 2 liters', '2litres>millilitres'),
  unit('how many minutes in 3 hours', '3hours>minutes'),
  unit('5 hrs in minutes?', '5hours>minutes'),
  unit('seconds in 8 minutes?', '8minutes>seconds'),
  unit('how many secs in 10 mins', '10minutes>seconds'),
  unit('how many hours in 2 days', '2days>hours'),
  unit('hey how many hours are in 7 days', '7days>hours'),
  unit('how many days in 4 weeks', '4weeks>days'),
  unit('3 weeks = how many days', '3weeks>days'),
  unit('how many inches in 6 feet', '6feet>inches'),
  unit('HOW MANY INCHES IN 2 FEET', '2feet>inches'),
  unit('quick question: 11 km to meters', '11kilometres>metres'),
  unit('thanks! now 12 hours in minutes', '12hours>minutes'),
  unit('convert 8 kg to g pls', '8kilograms>grams'),
  unit('how many centimeters in 9 meters', '9metres>centimetres'),
  unit('hello! 10 litres to ml?', '10litres>millilitres'),
  unit('5 ft in inches', '5feet>inches'),
  unit('how many seconds r in 3 minutes', '3minutes>seconds'),

  thing('tell me about camels pls', 'camel'),
  thing('wat is a penguin', 'penguin'),
  thing('octopus facts?', 'octopus'),
  thing('hey tell me something about bees', 'bee'),
  thing('what do owls do', 'owl'),
  thing('whats a compass for', 'compass'),
  thing('what does a thermometer do', 'thermometer'),
  thing('tell me abt bicycles', 'bicycle'),
  thing('fun fact about pianos?', 'piano'),
  thing('cactus facts pls', 'cactus'),
  thing('WHAT IS AN OCTOPUS LIKE', 'octopus'),
  thing("hi! what's special about camels", 'camel'),
  thing('describe a penguin for me', 'penguin'),
  thing('any facts about owls?', 'owl'),
  thing('what is a bee exactly', 'bee'),
  thing('thx. now tell me about a cactus', 'cactus'),
  thing('i wanna know about pianos', 'piano'),
  thing("what's a thermometer", 'thermometer'),
];

const off = (kind: OffTopicKind, texts: string[]): OffTopicVisitorMessage[] => texts.map((text) => ({ text, kind }));

export const VISITOR_OFF_TOPIC: readonly OffTopicVisitorMessage[] = [
  ...off('country', ['what is the capital of mongolia', 'capital of nepal?', 'whats the capital of vietnam',
    "hey what's the capital of iceland", 'capital of morocco pls', 'CAPITAL OF CUBA', 'what is the capital of india',
    'thanks! capital of mexico?', "what's the capital of china", 'capital of new zealand?']),
  ...off('joke', ['tell me a joke', 'know any good jokes?', 'make me laugh', 'say something funny']),
  ...off('weather', ["what's the weather like today", 'is it going to rain tomorrow', 'how hot is it in paris right now', 'weather?']),
  ...off('poem', ['write me a poem', 'can you write a poem about the sea', 'a haiku about cats pls', 'sing me a song']),
  ...off('gibberish', ['asdfgh', 'qwerty uiop', 'blorp zzz', 'jjjjjj', 'lkjhg fdsa', '???', 'mmmkay xD']),
  ...off('greeting', ['hello!', 'hi', 'hey there', 'good morning', 'yo', 'hiya :)', 'hello! who are you?']),
  ...off('identity', ['who are you', 'what are you?', 'are you a robot', 'whats your name', 'who made you', 'are you chatgpt']),
  ...off('capabilities', ['what can you do', 'what do you know', 'how can you help me', 'what kind of questions can i ask', 'help',
    'what are you good at']),
  ...off('thanks', ['thanks!', 'thank you so much', 'bye', 'ok cool']),
  ...off('other', ['what time is it', 'who won the world cup', 'how do i cook pasta', "what's the meaning of life", 'recommend a movie',
    'translate hello to spanish', 'who is the president of the usa', 'what is the population of france', 'how old are you',
    'do you like music', 'what is 345 * 678', 'how many miles in a km', 'tell me about dogs', 'what is a telescope',
    'what is 2 to the power of 50']),
];

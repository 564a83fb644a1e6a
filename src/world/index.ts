/** The world the default policy lives in: questions, style dimensions, replies, tools and the corpus. */
export { type StyleId, type Styles, type StyleDimension, STYLE_IDS, STYLE_DIMENSIONS, styleDimension, styleOf,
  isCasual, hasPoliteMarker, BRIEF_MAX_WORDS } from './styles.ts';
export { JUDGE_HINTS, HINT_PHRASINGS } from './hints.ts';
export { CORRECTIONS } from './corrections.ts';
export { type Question, type Split, type Topic, sampleQuestion, sampleHeldoutQuestion, rephrase, allQuestions,
  splitOf } from './questions.ts';
export { renderReply, randomStyles, fullStyles, EMOJI } from './replies.ts';
export { type ToolCall, type ToolName, TOOLS_SYSTEM_PROMPT, formatToolCall, parseToolCall, runTool } from './tools.ts';
export { CORPUS_VERSION, MAX_CONVERSATION_TOKENS, STYLE_BASE_RATE, KIND_SHARES, HINT_DIMENSION_WEIGHTS, type ConversationKind,
  type LabelledConversation, conversations, labelledConversations, hintedPrompt, hintLine, withHint,
  tokenCount } from './corpus.ts';

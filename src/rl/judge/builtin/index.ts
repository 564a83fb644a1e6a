/** The built-in judge (METHOD §2–3): rule tables over free-form English and tool output. */
export { builtinJudge, builtinJudgeBackend, readNextState } from './judge.ts';
export type { BuiltinJudgeTexts } from './judge.ts';
export type { NextStateReading } from './reading.ts';
export { STYLE_DIMENSIONS, STYLE_HINTS, replyHasStyle } from './style.ts';
export type { StyleDimension, StyleDirection, StyleWish } from './style.ts';

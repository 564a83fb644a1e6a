import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { PolicyEngine } from '/work/wt/env/src/workers/policy-engine.ts';
import { parseToolCall, runTool, TOOLS_SYSTEM_PROMPT } from '/work/wt/env/src/world/tools.ts';
await tf.setBackend('wasm'); await tf.ready();
const base = '/work/wt/env/public/models/nextstate-tiny';
const initial = { bytes: new Uint8Array(readFileSync(base + '.safetensors')), manifest: JSON.parse(readFileSync(base + '.json', 'utf8')) };
const p = new PolicyEngine(); await p.init('wasm'); await p.load(initial as any, 0);
const qs = ['What is 37 x 48?', 'What is 123 + 456?', 'Calculate 29 * 31.', 'What is the capital of Peru?', 'What is 7 x 8?', 'How much is 64 times 17?', 'What is 15 x 19?'];
let s = 1;
for (const q of qs) for (let r = 0; r < 3; r++) {
  const msgs: any[] = [{ role: 'system', content: TOOLS_SYSTEM_PROMPT }, { role: 'user', content: q }];
  const out: string[] = [];
  for (let step = 0; step < 3; step++) {
    const rep = await p.reply({ sessionId: 'x', messages: msgs, sampling: { temperature: 0.6, topP: 1, maxTokens: 150, seed: s++ } } as any);
    out.push(rep.text);
    msgs.push({ role: 'assistant', content: rep.text });
    const c = parseToolCall(rep.text);
    if (!c) break;
    const res = runTool(c); out.push('[' + res + ']'); msgs.push({ role: 'tool', content: res });
  }
  console.log(q, '=>', out.join(' | '));
}

import { builtinJudge } from '/work/wt/env/src/rl/judge/builtin/judge.ts';
for (const t of ["That's not right. The answer is 285.", "Thanks, that's right.", "No, the calculator said 285, so the answer is 285."])
  console.log(JSON.stringify(builtinJudge('That makes 28!', { role: 'user', content: t }, 'tool-call', [{role:'user',content:'What is 15 x 19?'}])));

import { readToolResult } from '/work/wt/env/src/rl/judge/builtin/tool-reading.ts';
for (const t of ['exit 1', 'exit 0\n3', 'exit 0', 'exit 2\nls: cannot access \'x\': No such file or directory', 'exit 0\n01:00 error: disk full', 'result: 285', 'error: no tool named "calc"; the tools are calculator, lookup'])
  console.log(JSON.stringify(t), readToolResult(t, 'run: x').score);

/**
 * `npm run eval:judge [-- --json]`: the built-in judge's evaluative accuracy on every labelled set of next
 * states (test/fixtures/judge/), overall, per class and per category; without `--json` also the misses.
 */
import { accuracyRows, judgeLabelled, JUDGE_SETS } from '../test/fixtures/judge/accuracy.ts';

const json = process.argv.includes('--json');
const round = (x: number) => Math.round(x * 1000) / 1000;

const sets = Object.fromEntries(JUDGE_SETS.map(({ name, items }) => {
  const judged = items.map(judgeLabelled);
  const rows = accuracyRows(judged);
  const table = Object.fromEntries([...rows].map(([key, { right, total }]) => [key, { right, total, accuracy: round(right / total) }]));
  if (!json) {
    console.log(`\n${name}`);
    for (const [key, { right, total, accuracy }] of Object.entries(table)) console.log(`  ${key.padEnd(24)} ${String(right).padStart(4)}/${String(total).padEnd(4)} ${accuracy.toFixed(3)}`);
    for (const j of judged.filter((x) => x.score !== x.item.label)) console.log(`  miss: ${JSON.stringify(j.item.nextState.content)} → ${j.score} (label ${j.item.label})`);
  }
  return [name, { n: items.length, accuracy: table.overall.accuracy, table }];
}));

if (json) console.log(JSON.stringify({ judge: 'builtin', sets }, null, 2));

/**
 * The experiment's figure (issue 17) as plain shapes: left, sessions-to-satisfy per arm (mean, 95% CI,
 * median, capped runs); right, the learning curves (fraction of users satisfied by each session). The
 * bench serialises it to SVG (`figureSvg`); the Experiments panel draws the same shapes. No DOM.
 */
import type { ArmSummary, ExperimentSummary } from './summary.ts';

export type Shape =
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; stroke: string; width?: number; dash?: string }
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: string }
  | { kind: 'rect'; x: number; y: number; width: number; height: number; fill: string }
  | { kind: 'polyline'; points: string; stroke: string; width?: number }
  | { kind: 'text'; x: number; y: number; text: string; anchor?: 'start' | 'middle' | 'end'; size?: number; fill?: string; weight?: 'bold' };

export interface Figure {
  width: number;
  height: number;
  shapes: Shape[];
}

/** Colours: the four methods fixed (hybrid and GRPO in blue and orange), ablations from a palette. */
const METHOD_COLOURS: Record<string, string> = { hybrid: '#2f5bd3', grpo: '#d6821f', opd: '#167a3f', none: '#8a8f99' };
const PALETTE = ['#6b3fa0', '#0f7c8c', '#b42323', '#8a5a00', '#c2409a', '#3b7d23', '#4a5bd3', '#a0522d'];

export function armColour(arm: string, order: readonly string[]): string {
  if (arm in METHOD_COLOURS) return METHOD_COLOURS[arm];
  const i = order.filter((a) => !(a in METHOD_COLOURS)).indexOf(arm);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}

const ROW = 22;
const TOP = 46;
const LEFT_LABELS = 150;
const PLOT_W = 300;
const GAP = 70;
const CURVE_W = 300;
const fmt = (x: number) => (Number.isFinite(x) ? (Math.round(x * 10) / 10).toString() : '–');

/** `experimentFigure(summary, cap)`: the figure's shapes for the arms the summary holds. */
export function experimentFigure(summary: ExperimentSummary, cap: number): Figure {
  const arms = Object.values(summary.arms);
  const order = arms.map((a) => a.id);
  const methods = arms.filter((a) => a.group === 'method').length;
  const height = Math.max(TOP + arms.length * ROW + 40, TOP + 170 + 44 + methods * 15);
  const width = LEFT_LABELS + PLOT_W + GAP + CURVE_W + 20;
  const shapes: Shape[] = [];
  const x = (sessions: number) => LEFT_LABELS + (Math.min(cap, Math.max(0, sessions)) / cap) * PLOT_W;
  const axisY = TOP + arms.length * ROW + 4;

  shapes.push({ kind: 'text', x: LEFT_LABELS, y: 18, text: 'Sessions to satisfy (mean, 95% CI; ◆ median)', size: 13, weight: 'bold' });
  shapes.push({ kind: 'text', x: LEFT_LABELS, y: 34, text: `lower is better; a capped run counts as ${cap}`, size: 11, fill: '#555' });
  for (let t = 0; t <= cap; t += cap <= 30 ? 5 : 10) {
    shapes.push({ kind: 'line', x1: x(t), y1: TOP - 6, x2: x(t), y2: axisY, stroke: '#e3e3e3' });
    shapes.push({ kind: 'text', x: x(t), y: axisY + 14, text: String(t), anchor: 'middle', size: 10, fill: '#555' });
  }
  arms.forEach((a, i) => armRow(shapes, a, TOP + i * ROW + ROW / 2, x, armColour(a.id, order)));

  // Learning curves: the fraction of runs satisfied by session s.
  const cx0 = LEFT_LABELS + PLOT_W + GAP;
  const cy0 = TOP;
  const ch = 170;
  const cxs = (s: number) => cx0 + ((s - 1) / Math.max(1, cap - 1)) * CURVE_W;
  const cys = (f: number) => cy0 + ch - f * ch;
  shapes.push({ kind: 'text', x: cx0, y: 18, text: 'Users satisfied by session', size: 13, weight: 'bold' });
  shapes.push({ kind: 'text', x: cx0, y: 34, text: 'fraction of runs whose preference was met 3 times in a row', size: 11, fill: '#555' });
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    shapes.push({ kind: 'line', x1: cx0, y1: cys(f), x2: cx0 + CURVE_W, y2: cys(f), stroke: '#e3e3e3' });
    shapes.push({ kind: 'text', x: cx0 - 4, y: cys(f) + 4, text: f.toFixed(2), anchor: 'end', size: 10, fill: '#555' });
  }
  for (let t = 10; t <= cap; t += 10) shapes.push({ kind: 'text', x: cxs(t), y: cy0 + ch + 14, text: String(t), anchor: 'middle', size: 10, fill: '#555' });
  shapes.push({ kind: 'text', x: cx0 + CURVE_W / 2, y: cy0 + ch + 28, text: 'session', anchor: 'middle', size: 10, fill: '#555' });
  const curved = arms.filter((a) => a.group === 'method');
  curved.forEach((a, i) => {
    const steps: string[] = [];
    a.satisfied_by_session.forEach((f, s) => {
      const prev = s === 0 ? 0 : a.satisfied_by_session[s - 1];
      steps.push(`${cxs(s + 1).toFixed(1)},${cys(prev).toFixed(1)}`, `${cxs(s + 1).toFixed(1)},${cys(f).toFixed(1)}`);
    });
    shapes.push({ kind: 'polyline', points: steps.join(' '), stroke: armColour(a.id, order), width: 2 });
    // The legend sits under the axis, where no curve runs.
    const ly = cy0 + ch + 44 + i * 15;
    shapes.push({ kind: 'line', x1: cx0 + 8, y1: ly - 4, x2: cx0 + 26, y2: ly - 4, stroke: armColour(a.id, order), width: 3 });
    shapes.push({ kind: 'text', x: cx0 + 30, y: ly, text: `${a.id} (${a.runs} runs)`, size: 11 });
  });
  return { width, height, shapes };
}

function armRow(shapes: Shape[], a: ArmSummary, y: number, x: (s: number) => number, colour: string): void {
  const [lo, hi] = a.sessions_to_satisfy_ci95;
  shapes.push({ kind: 'text', x: LEFT_LABELS - 8, y: y + 4, text: a.id, anchor: 'end', size: 11, weight: a.group === 'method' ? 'bold' : undefined });
  shapes.push({ kind: 'line', x1: x(lo), y1: y, x2: x(hi), y2: y, stroke: colour, width: 2 });
  for (const end of [lo, hi]) shapes.push({ kind: 'line', x1: x(end), y1: y - 5, x2: x(end), y2: y + 5, stroke: colour, width: 2 });
  shapes.push({ kind: 'circle', cx: x(a.sessions_to_satisfy_mean), cy: y, r: 4, fill: colour });
  const m = x(a.sessions_to_satisfy_median);
  shapes.push({ kind: 'polyline', points: `${m},${y - 5} ${m + 5},${y} ${m},${y + 5} ${m - 5},${y} ${m},${y - 5}`, stroke: '#222', width: 1.5 });
  const note = `${fmt(a.sessions_to_satisfy_mean)} [${fmt(lo)}, ${fmt(hi)}]${a.hit_cap ? ` · ${a.hit_cap}/${a.runs} capped` : ''}`;
  shapes.push({ kind: 'text', x: Math.min(x(hi) + 8, LEFT_LABELS + PLOT_W - 2), y: y - 5, text: note, size: 9, fill: '#333', anchor: x(hi) + 8 > LEFT_LABELS + PLOT_W - 100 ? 'end' : 'start' });
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The figure as a standalone SVG document. */
export function figureSvg(figure: Figure): string {
  const body = figure.shapes.map((s) => {
    switch (s.kind) {
      case 'line':
        return `<line x1="${s.x1}" y1="${s.y1}" x2="${s.x2}" y2="${s.y2}" stroke="${s.stroke}" stroke-width="${s.width ?? 1}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`;
      case 'circle':
        return `<circle cx="${s.cx}" cy="${s.cy}" r="${s.r}" fill="${s.fill}"/>`;
      case 'rect':
        return `<rect x="${s.x}" y="${s.y}" width="${s.width}" height="${s.height}" fill="${s.fill}"/>`;
      case 'polyline':
        return `<polyline points="${s.points}" fill="none" stroke="${s.stroke}" stroke-width="${s.width ?? 1}"/>`;
      case 'text':
        return `<text x="${s.x}" y="${s.y}" font-size="${s.size ?? 11}" fill="${s.fill ?? '#111'}"${s.anchor ? ` text-anchor="${s.anchor}"` : ''}${s.weight ? ` font-weight="${s.weight}"` : ''}>${escape(s.text)}</text>`;
    }
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${figure.width}" height="${figure.height}" viewBox="0 0 ${figure.width} ${figure.height}" font-family="sans-serif">`,
    `<rect x="0" y="0" width="${figure.width}" height="${figure.height}" fill="#fff"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

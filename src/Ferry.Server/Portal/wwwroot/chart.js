// The per-service chart, drawn as inline SVG from GET /services/{name}/{version}/stats:
// {intervalSeconds, points: [{start, calls, failures, errors, p50Ms, p99Ms}]}, oldest first.
import { h, put, s } from './dom.js';

const WIDTH = 360;
const HEIGHT = 150;
const LEFT = 44;
const BOTTOM = 22;
const TOP = 8;

/** Renders the stats into the area, or "No data yet" when there are none (or a message when they failed). */
export function renderChart(area, stats, problem) {
  const points = stats?.points ?? [];
  if (problem) {
    area.replaceChildren(h('p', { class: 'error' }, problem));
    return;
  }
  if (points.length === 0) {
    area.replaceChildren(h('p', { class: 'muted', id: 'chart-empty' }, 'No data yet.'));
    return;
  }
  const seconds = stats.intervalSeconds || 10;
  put(area,
    panel('Calls per second', points, [
      { label: 'calls/s', css: 'series-calls', values: points.map((p) => p.calls / seconds) },
      { label: 'failed/s', css: 'series-failed', values: points.map((p) => ((p.failures ?? 0) + (p.errors ?? 0)) / seconds) },
    ]),
    panel('Latency (ms)', points, [
      { label: 'p50', css: 'series-p50', values: points.map((p) => p.p50Ms) },
      { label: 'p99', css: 'series-p99', values: points.map((p) => p.p99Ms) },
    ]));
}

function niceMax(value) {
  if (!(value > 0)) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((m) => m >= value);
}

function format(value) {
  return String(Number(value.toPrecision(3)));
}

function panel(title, points, series) {
  const max = niceMax(Math.max(...series.flatMap((line) => line.values.filter((v) => typeof v === 'number'))));
  const plotWidth = WIDTH - LEFT - 8;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const x = (i) => LEFT + (points.length === 1 ? plotWidth / 2 : (i * plotWidth) / (points.length - 1));
  const y = (v) => TOP + plotHeight - (v / max) * plotHeight;
  const time = (p) => new Date(p.start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

  const grid = [0, max / 2, max].map((v) => [
    s('line', { x1: LEFT, x2: WIDTH - 8, y1: y(v), y2: y(v), class: 'grid' }),
    s('text', { x: LEFT - 4, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, format(v)),
  ]);
  // A missing value (an interval without calls has no latency) breaks the line instead of dropping to zero.
  const lines = series.map((line) => {
    const runs = [[]];
    line.values.forEach((v, i) => (typeof v === 'number' ? runs[runs.length - 1].push(`${x(i)},${y(v)}`) : runs.push([])));
    return runs.filter((run) => run.length > 0).map((run) => (run.length === 1
      ? s('circle', { cx: run[0].split(',')[0], cy: run[0].split(',')[1], r: 2, class: line.css })
      : s('polyline', { points: run.join(' '), class: line.css, fill: 'none' })));
  });
  return h('figure', { class: 'panel' },
    s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': title },
      grid, lines,
      s('text', { x: LEFT, y: HEIGHT - 4, class: 'axis' }, time(points[0])),
      s('text', { x: WIDTH - 8, y: HEIGHT - 4, class: 'axis', 'text-anchor': 'end' }, time(points[points.length - 1]))),
    h('figcaption', {}, title, ' ', series.map((line) => h('span', { class: `legend ${line.css}` }, line.label))));
}

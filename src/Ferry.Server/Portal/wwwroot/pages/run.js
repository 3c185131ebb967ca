import { api, readFrom, seg } from '../api.js';
import { h, put, sleep, table, when } from '../dom.js';
import { ARM } from '../azure.js';

const DRIVER_LOG = 'azureml-logs/70_driver_log.txt';
const FINISHED = ['Completed', 'Failed', 'Canceled'];

/**
 * One run: status, metrics and its driver log, tailed live. Every second the page reads the run's
 * details (status, metrics and a signed URL of the log) and appends the bytes the log gained since.
 */
export async function runPage(page, [subscription, group, workspace, experiment, runId], signal) {
  const run = `/history/v1.0/subscriptions/${seg(subscription)}/resourceGroups/${seg(group)}/providers/Microsoft.MachineLearningServices/workspaces/${seg(workspace)}/experiments/${seg(experiment)}/runs/${seg(runId)}`;
  const status = h('span', { id: 'run-status', class: 'status' });
  const facts = h('dl', { class: 'facts' });
  const metrics = h('div', { id: 'run-metrics' });
  const log = h('pre', { id: 'run-log', class: 'log' });
  const tail = h('p', { class: 'muted', id: 'run-tail' }, 'Following the log…');
  page.append(
    h('p', { class: 'crumbs' }, h('a', { href: `#/runs/${seg(subscription)}/${seg(group)}/${seg(workspace)}` }, 'Runs'), ` / ${experiment} / ${runId}`),
    h('h1', {}, `Run ${runId} `, status),
    h('section', { class: 'card' }, facts),
    h('section', { class: 'card' }, h('h2', {}, 'Metrics'), metrics),
    h('section', { class: 'card' }, h('h2', {}, 'Driver log ', h('span', { class: 'muted' }, DRIVER_LOG)), log, tail));

  // Byte offsets, decoded as a stream: a character split between two reads comes out whole.
  const decoder = new TextDecoder();
  let offset = 0;
  for (;;) {
    const details = await api(`${run}/details?${ARM}`);
    if (signal.aborted) {
      return;
    }
    show(details, experiment, status, facts, metrics);
    const url = details.logFiles?.[DRIVER_LOG];
    if (url) {
      // The signed URL needs no token; only its path is used, so the page never talks to another origin.
      const signed = new URL(url, location.href);
      const gained = await readFrom(signed.pathname + signed.search, offset);
      if (gained.length > 0) {
        log.append(decoder.decode(gained, { stream: true }));
        offset += gained.length;
        log.scrollTop = log.scrollHeight;
      }
    }
    if (FINISHED.includes(details.status)) {
      tail.textContent = `The run ended (${details.status}); the log is complete.`;
      return;
    }
    await sleep(1000, signal);
    if (signal.aborted) {
      return;
    }
  }
}

function show(details, experiment, status, facts, metrics) {
  status.textContent = details.status;
  status.className = `status status-${details.status}`;
  put(facts,
    h('dt', {}, 'Experiment'), h('dd', {}, experiment),
    h('dt', {}, 'Run number'), h('dd', {}, String(details.runNumber)),
    h('dt', {}, 'Script'), h('dd', {}, details.scriptName),
    h('dt', {}, 'Target'), h('dd', {}, details.target),
    h('dt', {}, 'Created'), h('dd', {}, when(details.createdUtc)),
    h('dt', {}, 'Started'), h('dd', {}, when(details.startTimeUtc)),
    h('dt', {}, 'Ended'), h('dd', {}, when(details.endTimeUtc)),
    details.error ? [h('dt', {}, 'Error'), h('dd', { class: 'error' }, details.error.error?.message ?? '')] : null);
  const names = Object.keys(details.metricHistory ?? {});
  put(metrics, names.length === 0
    ? h('p', { class: 'muted' }, 'No metric logged.')
    : table('metrics', ['Name', 'Last value', 'History'], names.map((name) => [
      name,
      JSON.stringify(details.metrics[name]),
      details.metricHistory[name].map((v) => JSON.stringify(v)).join(', '),
    ])));
}

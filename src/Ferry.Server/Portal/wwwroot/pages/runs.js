import { api, seg } from '../api.js';
import { h, table, when } from '../dom.js';
import { ARM, pickWorkspace } from '../azure.js';

const history = (ws) => `/history/v1.0/subscriptions/${seg(ws.subscription)}/resourceGroups/${seg(ws.group)}/providers/Microsoft.MachineLearningServices/workspaces/${seg(ws.name)}`;

/** The runs of every experiment of a workspace, newest first. */
export async function runsPage(page, params) {
  page.append(h('h1', {}, 'Runs'));
  const ws = await pickWorkspace(page, 'runs', params);
  if (!ws) {
    return;
  }
  const experiments = (await api(`${history(ws)}/experiments?${ARM}`)).value;
  const runs = (await Promise.all(experiments.map(async (experiment) => (await api(`${history(ws)}/experiments/${seg(experiment.name)}/runs?${ARM}`)).value
    .map((run) => ({ ...run, experiment: experiment.name }))))).flat();
  if (runs.length === 0) {
    page.append(h('p', { class: 'muted' }, 'No run in this workspace yet.'));
    return;
  }
  runs.sort((a, b) => b.createdUtc.localeCompare(a.createdUtc));
  page.append(table('runs', ['Run', 'Experiment', 'Status', 'Script', 'Created', 'Ended'],
    runs.map((run) => [
      h('a', { href: `#/runs/${seg(ws.subscription)}/${seg(ws.group)}/${seg(ws.name)}/${seg(run.experiment)}/${seg(run.runId)}` }, run.runId),
      run.experiment,
      h('span', { class: `status status-${run.status}` }, run.status),
      run.scriptName,
      when(run.createdUtc),
      when(run.endTimeUtc),
    ])));
}

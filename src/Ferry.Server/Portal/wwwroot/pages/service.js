import { api, ApiError, seg } from '../api.js';
import { add, h, put, sleep, table, when } from '../dom.js';
import { renderChart } from '../chart.js';

/** One version: its definition, its Swagger document, a form to consume it and its latency and throughput. */
export async function servicePage(page, [name, version], signal) {
  const base = `${seg(name)}/${seg(version)}`;
  const [service, versions] = await Promise.all([api(`/services/${base}`), api(`/services/${seg(name)}`)]);
  add(page,
    h('p', { class: 'crumbs' }, h('a', { href: '#/services' }, 'Services'), ' / ', name),
    h('h1', {}, `${service.name} `, h('span', { class: 'tag' }, service.version)),
    service.description ? h('p', { class: 'lead' }, service.description) : null,
    h('p', { class: 'versions' }, 'Versions: ', versions.map((v) => [
      v.version === version ? h('strong', {}, v.version) : h('a', { href: `#/services/${seg(name)}/${seg(v.version)}` }, v.version), ' ',
    ])),
    definition(service),
    consumeForm(service, base),
    chartSection(base, signal),
    await swagger(base));
}

function definition(service) {
  const parameters = (list) => (list.length === 0
    ? h('p', { class: 'muted' }, 'none')
    : table(null, ['Name', 'Type'], list.map((p) => [p.name, p.type])));
  return h('section', { id: 'definition', class: 'card' },
    h('h2', {}, 'Definition'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Runtime'), h('dd', {}, service.runtimeType),
      h('dt', {}, 'Published by'), h('dd', {}, service.versionPublishedBy),
      h('dt', {}, 'Created'), h('dd', {}, when(service.creationTime)),
      h('dt', {}, 'Snapshot'), h('dd', {}, service.snapshotId ?? '—'),
      h('dt', {}, 'Your permission'), h('dd', {}, service.myPermissionOnService),
      h('dt', {}, 'Output files'), h('dd', {}, service.outputFileNames.length ? service.outputFileNames.join(', ') : '—')),
    h('div', { class: 'columns' },
      h('div', {}, h('h3', {}, 'Inputs'), parameters(service.inputParameterDefinitions)),
      h('div', {}, h('h3', {}, 'Outputs'), parameters(service.outputParameterDefinitions))),
    service.initCode ? [h('h3', {}, 'Init code'), h('pre', { class: 'code' }, service.initCode)] : null,
    h('h3', {}, 'Code'), h('pre', { class: 'code', id: 'service-code' }, service.code));
}

/** Character inputs are taken as typed; every other type is JSON (a number, true, [7, 3.2], {"col": [...]}). */
function readInput(parameter, field) {
  if (parameter.type === 'character') {
    return field.value;
  }
  try {
    return JSON.parse(field.value);
  } catch {
    throw new Error(`'${parameter.name}' (${parameter.type}) is not valid JSON: write it as JSON, e.g. ${example(parameter.type)}.`);
  }
}

function example(type) {
  return {
    integer: '3', numeric: '2.5', logical: 'true', vector: '[7, 3.2, 4.7, 1.4]', matrix: '[[1, 2], [3, 4]]', 'data.frame': '{"x": [1, 2]}',
  }[type] ?? '"text"';
}

function consumeForm(service, base) {
  const fields = service.inputParameterDefinitions.map((parameter) => {
    const id = `input-${parameter.name}`;
    const field = parameter.type === 'character'
      ? h('input', { id, name: parameter.name })
      : h('textarea', { id, name: parameter.name, rows: 1, placeholder: example(parameter.type), spellcheck: 'false' });
    return { parameter, field, label: h('label', { for: id }, `${parameter.name} `, h('span', { class: 'muted' }, parameter.type)) };
  });
  const result = h('div', { id: 'consume-result', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', id: 'consume' }, 'Consume');
  const form = h('form', { id: 'consume-form', class: 'card' },
    h('h2', {}, 'Consume'),
    h('p', { class: 'muted' }, 'POST ', h('code', {}, `/api/${service.name}/${service.version}`), ' with these inputs.'),
    fields.map(({ label, field }) => [label, field]),
    button, result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    result.replaceChildren(h('p', { class: 'muted' }, 'Running…'));
    try {
      const body = Object.fromEntries(fields.map(({ parameter, field }) => [parameter.name, readInput(parameter, field)]));
      const started = performance.now();
      const answer = await api(`/api/${base}`, { method: 'POST', body });
      const elapsed = Math.round(performance.now() - started);
      put(result,
        h('p', {}, h('span', { class: answer.success ? 'ok' : 'bad', id: 'consume-status' }, answer.success ? 'Succeeded' : 'Failed'), ` in ${elapsed} ms`),
        answer.errorMessage ? h('p', { class: 'error' }, answer.errorMessage) : null,
        h('h3', {}, 'Outputs'),
        h('pre', { id: 'consume-outputs', class: 'code' }, JSON.stringify(answer.outputParameters, null, 2)),
        answer.consoleOutput ? [h('h3', {}, 'Console'), h('pre', { class: 'code' }, answer.consoleOutput)] : null);
    } catch (error) {
      result.replaceChildren(h('p', { class: 'error', role: 'alert', id: 'consume-error' }, error.message));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/** Calls per second and latency from the server's own numbers, refreshed every interval while the page is open. */
function chartSection(base, signal) {
  const area = h('div', { id: 'service-chart', class: 'chart' }, h('p', { class: 'muted' }, 'Loading…'));
  const section = h('section', { class: 'card' }, h('h2', {}, 'Latency and throughput'), area);
  (async () => {
    while (!signal.aborted) {
      let interval = 10;
      try {
        const stats = await api(`/services/${base}/stats`);
        interval = Math.max(5, stats.intervalSeconds ?? 10);
        renderChart(area, stats);
      } catch (error) {
        // A server without the statistics (404) shows no chart yet rather than an error.
        renderChart(area, null, error instanceof ApiError && error.status === 404 ? null : error.message);
      }
      await sleep(interval * 1000, signal);
    }
  })();
  return section;
}

async function swagger(base) {
  const spec = await api(`/api/${base}/swagger.json`);
  return h('details', { id: 'swagger', class: 'card' },
    h('summary', {}, h('h2', {}, 'Swagger'), h('span', { class: 'muted' }, ` GET /api/${decodeURIComponent(base)}/swagger.json`)),
    h('pre', { class: 'code' }, JSON.stringify(spec, null, 2)));
}

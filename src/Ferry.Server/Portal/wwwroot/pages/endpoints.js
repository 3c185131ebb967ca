import { api, seg } from '../api.js';
import { h } from '../dom.js';
import { armPath, pickWorkspace } from '../azure.js';

const PREVIEW = 'api-version=2021-03-01-preview';

/**
 * Online endpoints with their deployments and keys. Keys come from listKeys, which the API grants
 * Contributors and Owners of the workspace's subscription; for anyone else the page says they are hidden.
 */
export async function endpointsPage(page, params) {
  page.append(h('h1', {}, 'Online endpoints'));
  const ws = await pickWorkspace(page, 'endpoints', params);
  if (!ws) {
    return;
  }
  const base = `${armPath(ws)}/onlineEndpoints`;
  const endpoints = (await api(`${base}?${PREVIEW}`)).value;
  if (endpoints.length === 0) {
    page.append(h('p', { class: 'muted' }, 'No online endpoint in this workspace.'));
    return;
  }
  const cards = await Promise.all(endpoints.map(async (endpoint) => {
    const [deployments, keys] = await Promise.all([
      api(`${base}/${seg(endpoint.name)}/deployments?${PREVIEW}`).then((list) => list.value, () => []),
      api(`${base}/${seg(endpoint.name)}/listKeys?${PREVIEW}`, { method: 'POST' }).then((pair) => ({ pair }), (error) => ({ error })),
    ]);
    const p = endpoint.properties;
    return h('section', { class: 'card endpoint', 'data-endpoint': endpoint.name },
      h('h2', {}, endpoint.name, ' ', h('span', { class: `status status-${p.provisioningState}` }, p.provisioningState)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Scoring URI'), h('dd', {}, h('code', {}, p.scoringUri)),
        h('dt', {}, 'Auth mode'), h('dd', {}, p.authMode),
        h('dt', {}, 'Traffic'), h('dd', {}, Object.entries(p.traffic ?? {}).map(([name, share]) => `${name}: ${share}%`).join(', ') || '—'),
        h('dt', {}, 'Deployments'), h('dd', {}, deployments.map((d) => `${d.name} (${d.properties?.provisioningState ?? '?'})`).join(', ') || '—'),
        h('dt', {}, 'Keys'), h('dd', {}, keysOf(keys))));
  }));
  page.append(...cards);
}

function keysOf({ pair, error }) {
  if (pair) {
    return h('div', { class: 'keys' },
      h('div', {}, 'Primary ', h('code', { class: 'key', 'data-key': 'primary' }, pair.primaryKey)),
      h('div', {}, 'Secondary ', h('code', { class: 'key', 'data-key': 'secondary' }, pair.secondaryKey)));
  }
  return error.status === 403
    ? h('span', { class: 'muted keys-hidden' }, 'Hidden: your role on this workspace cannot list keys.')
    : h('span', { class: 'error' }, error.message);
}

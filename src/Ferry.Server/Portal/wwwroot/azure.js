// The Azure-ML pages work in one workspace at a time; these find the workspaces the user can see.
import { api, seg } from './api.js';
import { h } from './dom.js';

export const ARM = 'api-version=2019-11-01';
export const PROVIDER = 'providers/Microsoft.MachineLearningServices';

/** Every workspace of every subscription the user holds a role on. */
async function workspaces() {
  const subscriptions = (await api(`/subscriptions?${ARM}`)).value;
  const lists = await Promise.all(subscriptions.map((sub) => api(`/subscriptions/${seg(sub.subscriptionId)}/${PROVIDER}/workspaces?${ARM}`)));
  return lists.flatMap((list) => list.value).map((ws) => {
    const [, subscription, group] = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(ws.id);
    return { subscription, group, name: ws.name };
  });
}

/** ARM's path of a workspace: /subscriptions/{s}/resourceGroups/{g}/providers/.../workspaces/{w}. */
export function armPath({ subscription, group, name }) {
  return `/subscriptions/${seg(subscription)}/resourceGroups/${seg(group)}/${PROVIDER}/workspaces/${seg(name)}`;
}

/** The route of a workspace under a section: #/runs/{s}/{g}/{w}. */
export function route(section, { subscription, group, name }) {
  return `#/${section}/${seg(subscription)}/${seg(group)}/${seg(name)}`;
}

/**
 * Adds a workspace picker to the page and returns the workspace to show: the one in the route, else
 * the last one picked, else the first; null (with a note) when the user can see none.
 */
export async function pickWorkspace(page, section, [subscription, group, name]) {
  const all = await workspaces();
  if (all.length === 0) {
    page.append(h('p', { class: 'muted', id: 'no-workspace' }, 'You hold a role on no workspace. An Owner can give you one with ferry admin role assign.'));
    return null;
  }
  const key = (ws) => `${ws.subscription}/${ws.group}/${ws.name}`;
  const wanted = name ? `${subscription}/${group}/${name}` : sessionStorage.getItem('ferry.workspace');
  const chosen = all.find((ws) => key(ws).toLowerCase() === wanted?.toLowerCase()) ?? all[0];
  sessionStorage.setItem('ferry.workspace', key(chosen));
  const select = h('select', { id: 'workspace' }, all.map((ws) => h('option', { value: key(ws), selected: ws === chosen }, `${ws.group} / ${ws.name}`)));
  select.addEventListener('change', () => {
    location.hash = route(section, all.find((ws) => key(ws) === select.value));
  });
  page.append(h('p', { class: 'picker' }, h('label', { for: 'workspace' }, 'Workspace '), select));
  return chosen;
}

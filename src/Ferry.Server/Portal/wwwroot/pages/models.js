import { api } from '../api.js';
import { h, table, when } from '../dom.js';
import { armPath, pickWorkspace } from '../azure.js';

/** The model registry of a workspace. */
export async function modelsPage(page, params) {
  page.append(h('h1', {}, 'Models'));
  const ws = await pickWorkspace(page, 'models', params);
  if (!ws) {
    return;
  }
  const models = (await api(`/modelmanagement/v1.0${armPath(ws)}/models`)).value;
  if (models.length === 0) {
    page.append(h('p', { class: 'muted' }, 'No model is registered in this workspace.'));
    return;
  }
  page.append(table('models', ['Name', 'Version', 'Framework', 'From run', 'Created', 'Description'],
    models.map((model) => [
      model.name,
      String(model.version),
      [model.framework, model.frameworkVersion].filter(Boolean).join(' ') || '—',
      model.runId ?? '—',
      when(model.createdTime),
      model.description ?? '',
    ])));
}

// The portal's shell: a hash router that gives each page a fresh section and a signal that ends its
// timers when the user leaves it.
import { auth } from './api.js';
import { h } from './dom.js';
import { loginPage } from './pages/login.js';
import { servicesPage } from './pages/services.js';
import { servicePage } from './pages/service.js';
import { sessionsPage } from './pages/sessions.js';
import { runsPage } from './pages/runs.js';
import { runPage } from './pages/run.js';
import { modelsPage } from './pages/models.js';
import { endpointsPage } from './pages/endpoints.js';

const PART = '([^/]+)';
const WS = `(?:/${PART}/${PART}/${PART})?`;
const routes = [
  [new RegExp('^/login$'), loginPage, 'login'],
  [new RegExp('^/services$'), servicesPage, 'services'],
  [new RegExp(`^/services/${PART}/${PART}$`), servicePage, 'services'],
  [new RegExp('^/sessions$'), sessionsPage, 'sessions'],
  [new RegExp(`^/runs${WS}$`), runsPage, 'runs'],
  [new RegExp(`^/runs/${PART}/${PART}/${PART}/${PART}/${PART}$`), runPage, 'runs'],
  [new RegExp(`^/models${WS}$`), modelsPage, 'models'],
  [new RegExp(`^/endpoints${WS}$`), endpointsPage, 'endpoints'],
];

let leave = new AbortController();

async function render() {
  leave.abort();
  leave = new AbortController();
  const path = location.hash.replace(/^#/, '') || '/services';
  if (!auth.token && path !== '/login') {
    sessionStorage.setItem('ferry.next', location.hash);
    location.hash = '#/login';
    return;
  }

  const user = auth.user;
  document.getElementById('nav').hidden = !user;
  document.getElementById('sign-out').hidden = !user;
  document.getElementById('who').textContent = user ? `${user.name} (${user.role})` : '';

  const match = routes.map(([pattern, page, section]) => [pattern.exec(path), page, section]).find(([found]) => found);
  const section = h('section', { class: 'page' });
  document.getElementById('main').replaceChildren(section);
  if (!match) {
    section.append(h('h1', {}, 'Not found'), h('p', { class: 'error' }, `The portal has no page '${path}'.`));
    return;
  }

  const [found, page, name] = match;
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.dataset.section === name);
  }
  try {
    await page(section, found.slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p))), leave.signal);
  } catch (error) {
    section.append(h('p', { class: 'error', role: 'alert' }, error.message));
  }
}

document.getElementById('sign-out').addEventListener('click', async () => {
  await auth.signOut();
  location.hash = '#/login';
});
window.addEventListener('hashchange', render);
render();

import { api, seg } from '../api.js';
import { h, table } from '../dom.js';

/** The signed-in user's remote sessions (each user sees only their own): GET /sessions, close with DELETE. */
export async function sessionsPage(page) {
  page.append(h('h1', {}, 'Sessions'));
  const sessions = await api('/sessions');
  if (sessions.length === 0) {
    page.append(h('p', { class: 'muted' }, 'You have no open session.'));
    return;
  }
  page.append(table('sessions', ['Id', 'Name', 'Runtime', 'Owner', ''],
    sessions.map((session) => {
      const close = h('button', { type: 'button', class: 'small' }, 'Close');
      close.addEventListener('click', async () => {
        close.disabled = true;
        try {
          await api(`/sessions/${seg(session.id)}`, { method: 'DELETE' });
          close.closest('tr').remove();
        } catch (error) {
          close.replaceWith(h('span', { class: 'error' }, error.message));
        }
      });
      return [h('code', {}, session.id), session.name, session.runtimeType, session.owner, close];
    })));
}

import { auth } from '../api.js';
import { h } from '../dom.js';

/** Sign in with a Ferry user: POST /login, the token kept for this tab only. */
export async function loginPage(page) {
  auth.clear();
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { id: 'login-error', class: 'error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', id: 'sign-in' }, 'Sign in');
  const form = h('form', { id: 'login-form', class: 'card narrow' },
    h('h1', {}, 'Sign in to Ferry'),
    h('label', { for: 'username' }, 'User name'), username,
    h('label', { for: 'password' }, 'Password'), password,
    button, error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.hidden = true;
    try {
      await auth.signIn(username.value, password.value);
      const next = sessionStorage.getItem('ferry.next');
      sessionStorage.removeItem('ferry.next');
      location.hash = next && next !== '#/login' ? next : '#/services';
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
      password.select();
    } finally {
      button.disabled = false;
    }
  });
  page.append(form);
  username.focus();
}

// login — log in to an existing user, or create one (rotki's user endpoints; beyond loopback the
// node answers login with the session cookie the browser then sends with every request).
import { api } from '../api.js';
import { h, field, form } from '../ui.js';

export const title = 'Log in';

export async function render(root, app) {
  const users = await api('GET', '/api/1/users');
  const names = Object.keys(users);

  const [uWrap, uIn] = names.length
    ? field('User', { name: 'user', options: names.map((n) => [n, n]) })
    : field('User', { name: 'user', autocomplete: 'username', required: true });
  const [pWrap, pIn] = field('Password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const loginForm = form('Log in', [uWrap, pWrap], 'Log in', async () => {
    const name = uIn.value.trim();
    await api('POST', `/api/1/users/${encodeURIComponent(name)}`, { password: pIn.value }, { quiet401: true });
    app.signedIn(name);
    app.go('dashboard');
  });

  const [nWrap, nIn] = field('New user name', { name: 'new-user', autocomplete: 'username', required: true, pattern: '[A-Za-z0-9_.\\-]+' });
  const [npWrap, npIn] = field('Password', { name: 'new-password', type: 'password', autocomplete: 'new-password', required: true });
  const [cWrap, cIn] = field('Repeat the password', { name: 'new-password-2', type: 'password', autocomplete: 'new-password', required: true });
  const createForm = form('Create an account', [nWrap, npWrap, cWrap], 'Create account', async () => {
    if (npIn.value !== cIn.value) throw new Error('The two passwords differ.');
    const name = nIn.value.trim();
    await api('PUT', '/api/1/users', { name, password: npIn.value });
    app.signedIn(name);
    app.go('dashboard');
  });

  root.append(h('p', { class: 'muted' }, 'Your portfolio lives in an encrypted database on this node; the password unlocks it.'),
    h('div', { class: 'grid2' }, names.length ? loginForm : null, createForm));
  (names.length ? pIn : nIn).focus();
}

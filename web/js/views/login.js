// Sign-in: an account name and password; the server sets the session
// cookie and hands back the CSRF token.

import {h, put, field} from '../dom.js';
import {t} from '../i18n.js';
import {api} from '../api.js';
import {heading, errorBox} from './common.js';

export async function render(main, {go}) {
	const user = h('input', {id: 'username', name: 'username',
		autocomplete: 'username', required: true, autocapitalize: 'off',
		spellcheck: 'false'});
	const pass = h('input', {id: 'password', name: 'password',
		type: 'password', autocomplete: 'current-password', required: true});
	const out = h('div', {class: 'out'});
	const button = h('button', {type: 'submit'}, t('login.submit'));
	const form = h('form', {class: 'card narrow', novalidate: true},
		field(t('login.username'), user),
		field(t('login.password'), pass),
		button, out);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		out.replaceChildren();
		if (!user.value.trim() || !pass.value) {
			out.append(h('p', {class: 'error', role: 'alert'}, t('login.empty')));
			return;
		}
		button.disabled = true;
		try {
			await api.login(user.value.trim(), pass.value);
			go('#/');
		} catch (err) {
			if (err.status === 401 || err.status === 403)
				out.append(h('p', {class: 'error', role: 'alert'}, t('login.failed')));
			else if (err.status === 429)
				out.append(h('p', {class: 'error', role: 'alert'}, t('login.locked')));
			else
				out.append(errorBox(err));
			pass.value = '';
		} finally {
			button.disabled = false;
		}
	});
	put(main, heading('login.title'),
		api.sessionEnded() ?
			h('p', {class: 'notice', role: 'status'}, t('login.ended')) : null,
		h('p', {}, t('login.intro')),
		form,
		h('p', {}, t('login.family'), ' ',
			h('a', {href: '#/family'}, t('login.family_link'))));
}

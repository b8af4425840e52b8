// The family page: no account, only the case code the hotline gave. It
// shows that one case's status in plain words, and always the warning
// that a place on an exchange list is never sold.

import {h, field, announce} from '../dom.js';
import {t, has} from '../i18n.js';
import {api} from '../api.js';
import {heading} from './common.js';
import {neverSold} from './casecode.js';

// The status of the case in plain words, from what the server tells a
// family (status and the date it took effect).
function plainWords(c) {
	const st = c.status || null;
	const date = c.since || null;
	const lines = [];
	const key = `family.status.${st}`;
	if (st && has(`${key}.date`) && date)
		lines.push(t(`${key}.date`, {date}));
	else if (st && has(key))
		lines.push(t(key));
	else if (c.text)
		lines.push(c.text);
	else
		lines.push(t('family.status.unknown'));
	return lines;
}

export async function render(main) {
	const code = h('input', {id: 'case-code', name: 'code', autocomplete: 'off',
		autocapitalize: 'characters', spellcheck: 'false'});
	const out = h('section', {class: 'out', 'aria-live': 'polite',
		'aria-labelledby': 'family-result-h'});
	const form = h('form', {class: 'card narrow'},
		field(t('family.code'), code, t('family.code_hint')),
		h('button', {type: 'submit'}, t('family.submit')));
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const v = code.value.trim();
		// The code stays out of the address bar and its history.
		look(v);
	});
	main.append(heading('family.title'), h('p', {}, t('family.intro')),
		neverSold(), form, out);

	async function look(v) {
		out.replaceChildren();
		if (!v) {
			out.append(h('p', {class: 'error', role: 'alert'}, t('family.empty')));
			return;
		}
		try {
			const c = await api.caseStatus(v);
			const words = plainWords(c || {});
			out.append(h('h2', {id: 'family-result-h'}, t('family.result')),
				h('div', {class: 'card status-card'},
					words.map((w, i) => h('p', {class: i ? '' : 'big'}, w))),
				h('p', {}, t('family.more')));
			announce(words[0]);
		} catch (err) {
			let key = 'family.failed';
			if (err.status === 404 || err.status === 400)
				key = 'family.not_found';
			else if (err.status === 429)
				key = 'family.too_many';
			out.append(h('h2', {id: 'family-result-h'}, t('family.result')),
				h('p', {class: 'error', role: 'alert'}, t(key)));
		}
	}
}

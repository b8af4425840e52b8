// Inquiry intake for the hotline: the person sought, in the import
// columns' names, and who asks; the answer is the family's case code,
// shown in groups to read out over the phone.

import {h, field, announce} from '../dom.js';
import {t} from '../i18n.js';
import {api} from '../api.js';
import {heading, errorBox} from './common.js';
import {caseCode, neverSold} from './casecode.js';

const SOUGHT = ['family_name', 'given_name', 'patronymic', 'birth_date',
	'birth_place', 'service_number', 'unit', 'last_seen_place', 'last_seen_on'];
const ASKER = ['requester', 'relation', 'contact'];

export async function render(main) {
	const inputs = {};
	function input(name) {
		const el = h('input', {id: `inq-${name}`, name, autocomplete: 'off'});
		inputs[name] = el;
		return field(t(`inquiry.${name}`), el);
	}
	const out = h('div', {class: 'out', 'aria-live': 'polite'});
	const form = h('form', {class: 'card'},
		h('fieldset', {}, h('legend', {}, t('inquiry.sought')), SOUGHT.map(input)),
		h('fieldset', {}, h('legend', {}, t('inquiry.asker')), ASKER.map(input)),
		h('button', {type: 'submit'}, t('inquiry.submit')));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		out.replaceChildren();
		const body = {};
		for (const [k, el] of Object.entries(inputs))
			if (el.value.trim())
				body[k] = el.value.trim();
		if (!body.family_name && !body.given_name) {
			out.append(h('p', {class: 'error', role: 'alert'}, t('inquiry.need_name')));
			inputs.family_name.focus();
			return;
		}
		try {
			const d = await api.fileInquiry(body);
			const code = d.case_code;
			out.append(h('section', {class: 'card done', 'aria-labelledby': 'inq-done-h'},
				h('h2', {id: 'inq-done-h'}, t('inquiry.filed', {id: d.id})),
				d.matched === false && d.match_problem ?
					h('p', {class: 'notice', role: 'status'}, d.match_problem) : null,
				h('p', {}, t('inquiry.read_code')),
				caseCode(code),
				h('p', {}, t('inquiry.code_where')),
				h('p', {}, h('a', {href: `#/inquiries/${encodeURIComponent(d.id)}`},
					t('inq.open', {id: d.id})))));
			announce(t('inquiry.filed', {id: d.id}));
			form.reset();
		} catch (err) {
			out.append(errorBox(err));
		}
	});
	main.append(heading('inquiry.title'), h('p', {}, t('inquiry.intro')),
		form, out, neverSold());
}

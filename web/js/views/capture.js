// A capture card typed in by a registrar (GC III Art. 70, Annex IV B):
// the fields a prisoner must give (Art. 17: names, rank, date of birth,
// serial number), who holds him since when and where, and his health as
// the model card words it. The register checks it as an import row.

import {h, put, field} from '../dom.js';
import {t, word} from '../i18n.js';
import {api, session} from '../api.js';
import {heading, errorBox} from './common.js';

const TEXT = ['family_name', 'given_name', 'patronymic', 'birth_date', 'rank',
	'service_number', 'unit', 'depends_on', 'held_by', 'captured_on', 'captured_at'];
const HEALTH = ['good', 'not_wounded', 'recovered', 'convalescent', 'sick',
	'slightly_wounded', 'seriously_wounded'];

export async function render(main, {go}) {
	const s = session();
	const inputs = {};
	const fields = TEXT.map((name) => {
		const el = h('input', {id: `cc-${name}`, name, autocomplete: 'off',
			value: name === 'held_by' && s && s.party ? s.party : null});
		inputs[name] = el;
		return field(t(`field.${name}`), el,
			name.endsWith('_on') || name === 'birth_date' ? t('capture.date_hint') : null);
	});
	const health = h('select', {id: 'cc-health', name: 'health'},
		h('option', {value: ''}, t('common.unknown')),
		HEALTH.map((x) => h('option', {value: x}, word('health', x))));
	const category = h('select', {id: 'cc-category', name: 'category'},
		['military', 'civilian', 'medical', 'chaplain', 'unknown'].map((x) =>
			h('option', {value: x}, word('category', x))));
	const out = h('div', {class: 'out'});
	const form = h('form', {class: 'card'},
		h('fieldset', {}, h('legend', {}, t('capture.identity')), fields.slice(0, 7),
			field(t('field.category'), category)),
		h('fieldset', {}, h('legend', {}, t('capture.captivity')), fields.slice(7),
			field(t('field.health'), health)),
		h('button', {type: 'submit'}, t('capture.submit')), out);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		put(out);
		const body = {source: 'capture_card'};
		for (const [k, el] of Object.entries(inputs))
			if (el.value.trim())
				body[k] = el.value.trim();
		if (health.value)
			body.health = health.value;
		body.category = category.value;
		if (!body.family_name && !body.given_name) {
			put(out, h('p', {class: 'error', role: 'alert'}, t('inquiry.need_name')));
			inputs.family_name.focus();
			return;
		}
		try {
			const d = await api.addPerson(body);
			go(`#/person/${encodeURIComponent(d.id)}`);
		} catch (err) {
			put(out, errorBox(err));
		}
	});
	main.append(heading('capture.title'), h('p', {}, t('capture.intro')), form);
}

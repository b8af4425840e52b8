// Duplicates and merging: the register's pairs of records that may be one
// man, both records side by side with the evidence field by field in
// plain words; the registrar (or an admin) chooses the record that stays
// and merges, and can undo the merge. Every refusal is the library's,
// shown as it comes.

import {h, put, field, announce} from '../dom.js';
import {t, word} from '../i18n.js';
import {api, items} from '../api.js';
import {heading, errorBox, fullName, standing, loading, how} from './common.js';

// The compared fields, in the order the engine gives them.
const FIELDS = ['family_name', 'given_name', 'patronymic', 'birth_date',
	'birth_place', 'service_number'];

// Merges made on this screen, newest first, each offered for undoing.
const made = [];

function percent(p) {
	if (typeof p !== 'number')
		return '?';
	return `${Math.round(p * 100)} %`;
}

function undoForm(m, redraw) {
	const reason = h('input', {id: `undo-why-${m.other}`, autocomplete: 'off'});
	const out = h('div', {class: 'out'});
	const form = h('form', {class: 'undo'},
		field(t('dup.undo_reason'), reason),
		h('button', {type: 'submit', class: 'secondary'},
			t('dup.undo', {other: m.other})), out);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		out.replaceChildren();
		if (!reason.value.trim()) {
			out.append(h('p', {class: 'error', role: 'alert'}, t('dup.need_reason')));
			reason.focus();
			return;
		}
		try {
			await api.unmerge(m.other, reason.value.trim());
			made.splice(made.indexOf(m), 1);
			const text = t('dup.undone', {other: m.other, keep: m.keep});
			announce(text);
			await redraw(text);
		} catch (err) {
			out.append(errorBox(err));
		}
	});
	return form;
}

function pairCard(p, n, redraw) {
	const ra = (p.records && p.records.a) || {id: p.a};
	const rb = (p.records && p.records.b) || {id: p.b};
	const ev = {};
	for (const e of p.evidence || [])
		ev[e.field] = e;
	const name = `keep-${n}`;
	const keepA = h('input', {type: 'radio', name, id: `${name}-a`, value: ra.id, checked: true});
	const keepB = h('input', {type: 'radio', name, id: `${name}-b`, value: rb.id});
	const reason = h('input', {id: `merge-why-${n}`, autocomplete: 'off'});
	const out = h('div', {class: 'out'});
	const table = h('table', {class: 'side-by-side'},
		h('caption', {}, t('dup.caption', {a: ra.id, b: rb.id})),
		h('thead', {}, h('tr', {},
			h('th', {scope: 'col'}, t('review.field')),
			h('th', {scope: 'col'}, t('dup.record', {id: ra.id})),
			h('th', {scope: 'col'}, t('dup.record', {id: rb.id})),
			h('th', {scope: 'col'}, t('review.evidence')))),
		h('tbody', {},
			FIELDS.map((f) => {
				const e = ev[f] || {};
				return h('tr', {},
					h('th', {scope: 'row'}, word('field', f)),
					h('td', {}, ra[f] || e.a || '—'),
					h('td', {}, rb[f] || e.b || '—'),
					h('td', {}, how(e.how)));
			}),
			h('tr', {},
				h('th', {scope: 'row'}, t('dup.standing')),
				h('td', {}, standing(ra)),
				h('td', {}, standing(rb)),
				h('td', {}, '')),
		));
	const form = h('form', {class: 'merge'},
		h('fieldset', {},
			h('legend', {}, t('dup.which')),
			h('div', {class: 'choice'}, keepA,
				h('label', {for: keepA.id}, t('dup.keep', {id: ra.id, name: fullName(ra)}))),
			h('div', {class: 'choice'}, keepB,
				h('label', {for: keepB.id}, t('dup.keep', {id: rb.id, name: fullName(rb)})))),
		field(t('dup.reason'), reason, t('dup.reason_hint')),
		h('button', {type: 'submit'}, t('dup.merge')),
		out);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		out.replaceChildren();
		if (!reason.value.trim()) {
			out.append(h('p', {class: 'error', role: 'alert'}, t('dup.need_reason')));
			reason.focus();
			return;
		}
		const keep = keepA.checked ? ra.id : rb.id;
		const other = keepA.checked ? rb.id : ra.id;
		try {
			const d = await api.merge(keep, other, reason.value.trim());
			made.unshift({keep: d.keep, other: d.other, conflicts: d.conflicts});
			const text = t('dup.merged', {other: d.other, keep: d.keep});
			announce(text);
			await redraw(text);
		} catch (err) {
			out.append(errorBox(err));
		}
	});
	return h('li', {class: 'card dup-pair'},
		h('h2', {}, t('dup.pair', {a: fullName(ra), b: fullName(rb)})),
		h('p', {class: `band band-${p.band || 'none'}`},
			word('band', p.band), ' · ', t('dup.likelihood', {p: percent(p.probability)})),
		h('div', {class: 'table-wrap'}, table),
		form);
}

export async function render(main) {
	main.append(loading());
	async function draw(message) {
		let list;
		try {
			list = items(await api.duplicates(0, 200));
		} catch (e) {
			put(main, heading('dup.title'), errorBox(e));
			return;
		}
		put(main, heading('dup.title'),
			h('p', {}, t('dup.intro')),
			message ? h('p', {class: 'notice', role: 'status'}, message) : null,
			made.length ? h('section', {class: 'card', 'aria-labelledby': 'made-h'},
				h('h2', {id: 'made-h'}, t('dup.made')),
				h('ul', {class: 'merges'}, made.map((m) => h('li', {},
					h('p', {}, t('dup.merged', {other: m.other, keep: m.keep}), ' ',
						m.conflicts ? t('dup.conflicts', {n: m.conflicts}) : '',
						' ', h('a', {href: `#/person/${encodeURIComponent(m.keep)}`},
							t('dup.open', {id: m.keep}))),
					undoForm(m, draw))))) : null,
			list.length ? h('ol', {class: 'dups'}, list.map((p, i) => pairCard(p, i, draw))) :
				h('p', {}, t('dup.none')));
	}
	await draw();
}

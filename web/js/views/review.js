// Potential-match review: what the family said and the register's record
// side by side, row by row with the evidence for each field; confirm or
// reject, with a reason.

import {h, put, field, announce} from '../dom.js';
import {t, word} from '../i18n.js';
import {api, items, session} from '../api.js';
import {heading, errorBox, fullName, standing, loading, how} from './common.js';

// The compared fields: the name the evidence gives each, and the key of
// the record and of what the family said.
const ROWS = [
	['family_name', 'family name'],
	['given_name', 'given name'],
	['patronymic', 'patronymic'],
	['birth_date', 'birth date'],
	['birth_place', 'birth place'],
	['service_number', 'service number'],
];

function evidenceFor(explanation, label) {
	if (typeof explanation !== 'string')
		return '';
	const part = explanation.split('; ').find((x) => x.startsWith(`${label}:`));
	return part ? part.slice(label.length + 1).trim() : '';
}

// A field's evidence: in the page's words when the server gave them
// (an open inquiry), else the engine's explanation as it was kept.
function evidence(m, key, label) {
	const e = (m.evidence || []).find((x) => x.field === key);
	if (e)
		return how(e.how);
	return evidenceFor(m.explanation, label) || '—';
}

function overall(explanation) {
	if (typeof explanation !== 'string')
		return '';
	const parts = explanation.split('; ');
	return parts[parts.length - 1];
}

// An identity link between registers is queued as "link:PARTY:THEIR_ID":
// the other party's declared person stands where a family's words do.
function linkOf(inqId) {
	const m = /^link:([^:]+):(.+)$/.exec(inqId);
	return m ? {party: m[1], their: m[2]} : null;
}

async function item(m, redraw) {
	const inqId = m.inquiry_id;
	const personId = m.person_id;
	const link = linkOf(inqId);
	let said = m.said || m.inquiry || (link ? {} : null);
	let person = m.person || m.record || null;
	try {
		if (!said) {
			const q = await api.inquiry(inqId);
			said = (q && (q.said || (q.inquiry && q.inquiry.said))) || {};
		}
		if (!person && link && personId.includes(':'))
			person = {id: personId}; // a declared person, not on record here
		if (!person) {
			const d = await api.person(personId);
			person = d && d.person ? d.person : d;
		}
	} catch (e) {
		return h('li', {class: 'card'}, errorBox(e));
	}
	said = said.said || said;
	const table = h('table', {class: 'side-by-side'},
		h('caption', {}, link ?
			t('review.link_caption', {party: link.party, their: link.their, person: personId}) :
			t('review.caption', {inquiry: inqId, person: personId})),
		h('thead', {}, h('tr', {},
			h('th', {scope: 'col'}, t('review.field')),
			h('th', {scope: 'col'}, link ? t('review.declared', {party: link.party}) :
				t('review.said')),
			h('th', {scope: 'col'}, t('review.record')),
			h('th', {scope: 'col'}, t('review.evidence')))),
		h('tbody', {}, ROWS.map(([k, label]) => h('tr', {},
			h('th', {scope: 'row'}, word('field', k)),
			h('td', {}, said[k] || '—'),
			h('td', {}, person[k] || '—'),
			h('td', {}, evidence(m, k, label))))));
	const reason = h('input', {id: `why-${inqId}-${personId}`, autocomplete: 'off'});
	const out = h('div', {class: 'out'});
	async function decide(decision) {
		out.replaceChildren();
		if (!reason.value.trim()) {
			out.append(h('p', {class: 'error', role: 'alert'}, t('review.need_reason')));
			reason.focus();
			return;
		}
		try {
			await api.decideMatch(inqId, personId, decision, reason.value.trim());
			announce(t(`review.done_${decision}`));
			await redraw(t(`review.done_${decision}`));
		} catch (e) {
			out.append(errorBox(e));
		}
	}
	const s = session();
	const decides = !s || s.role !== 'hotline';
	return h('li', {class: 'card review-item'},
		h('h2', {}, t('review.item', {name: fullName(person), id: personId})),
		// A declared person has no standing in this register.
		link && personId.includes(':') ? null : h('p', {class: 'standing'}, standing(person)),
		h('p', {class: `band band-${m.band || 'none'}`}, word('band', m.band),
			' · ', m.words || overall(m.explanation)),
		h('div', {class: 'table-wrap'}, table),
		decides ? [field(t('review.reason'), reason),
			h('div', {class: 'actions'},
				h('button', {type: 'button', onclick: () => decide('confirm')},
					t('review.confirm')),
				h('button', {type: 'button', class: 'secondary',
					onclick: () => decide('reject')}, t('review.reject')))] :
			h('p', {class: 'meta'}, t('review.read_only')),
		out);
}

export async function render(main) {
	main.append(loading());
	async function draw(message) {
		let list;
		try {
			list = items(await api.matches());
		} catch (e) {
			put(main, heading('review.title'), errorBox(e));
			return;
		}
		list = list.filter((m) => !m.state || m.state === 'pending');
		const lis = [];
		for (const m of list)
			lis.push(await item(m, draw));
		put(main, heading('review.title'),
			message ? h('p', {class: 'notice', role: 'status'}, message) : null,
			list.length ? h('ol', {class: 'reviews'}, lis) :
				h('p', {}, t('review.none')));
	}
	await draw();
}

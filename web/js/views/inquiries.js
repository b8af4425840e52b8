// Inquiries on the hotline screens: the list, and one inquiry with what
// the family said, its candidates and where each stands, its history line
// by line; closing it with a reason. Confirming a candidate (the review
// screen) closes the inquiry's other candidates: the library does it, and
// this page shows them closed with the reason it gave.

import {h, put, field, announce} from '../dom.js';
import {t, word, has} from '../i18n.js';
import {api, items, session} from '../api.js';
import {heading, errorBox, loading, dl} from './common.js';

// Reasons offered (any words are accepted; these are the usual ones).
const REASONS = ['found', 'withdrawn', 'duplicate', 'no_contact'];

function when(at) {
	return String(at || '').replace('T', ' ').replace(/:\d\dZ$/, ' UTC');
}

function mayClose() {
	const s = session();
	return s && ['hotline', 'registrar', 'mediator'].includes(s.role);
}

// A line of the history in the page's language when its kind is known.
function what(x) {
	const key = `inq.what.${String(x.what).replace(/ /g, '_')}`;
	return has(key) ? t(key) : x.what;
}

function closeForm(q, redraw) {
	const listId = `close-reasons-${q.id}`;
	const reason = h('input', {id: 'close-why', autocomplete: 'off', list: listId});
	const out = h('div', {class: 'out'});
	const form = h('form', {class: 'card', 'aria-labelledby': 'close-h'},
		h('h2', {id: 'close-h'}, t('inq.close_title')),
		h('p', {}, t('inq.close_intro')),
		field(t('inq.close_reason'), reason, t('inq.close_hint')),
		h('datalist', {id: listId},
			REASONS.map((r) => h('option', {value: t(`inq.reason.${r}`)}))),
		h('button', {type: 'submit'}, t('inq.close')),
		out);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		out.replaceChildren();
		try {
			await api.closeInquiry(q.id, reason.value.trim());
			announce(t('inq.closed_now'));
			await redraw(t('inq.closed_now'));
		} catch (err) {
			out.append(errorBox(err));
			reason.focus();
		}
	});
	return form;
}

async function one(main, id) {
	async function draw(message) {
		let q;
		try {
			q = await api.inquiry(id);
		} catch (e) {
			put(main, heading('inq.title', {id}), errorBox(e));
			return;
		}
		const said = q.said || {};
		const cands = q.candidates || [];
		const hist = q.history || [];
		put(main, heading('inq.title', {id: q.id}),
			message ? h('p', {class: 'notice', role: 'status'}, message) : null,
			h('p', {class: 'standing big'}, q.state_text || word('inq.state', q.state)),
			q.closed ? h('p', {class: 'closed-reason'}, t('inq.closed_line', {
				at: when(q.closed.at), by: q.closed.by || t('common.unknown'),
				reason: q.closed.reason || ''})) : null,
			h('section', {'aria-labelledby': 'said-h'},
				h('h2', {id: 'said-h'}, t('inq.said')),
				dl([
					[t('field.family_name'), said.family_name],
					[t('field.given_name'), said.given_name],
					[t('field.patronymic'), said.patronymic],
					[t('field.birth_date'), said.birth_date],
					[t('inquiry.requester'), q.requester],
					[t('inquiry.relation'), q.relation],
					[t('inquiry.contact'), q.contact],
				])),
			h('section', {'aria-labelledby': 'cand-h'},
				h('h2', {id: 'cand-h'}, t('inq.candidates')),
				cands.length ? h('div', {class: 'table-wrap'}, h('table', {class: 'candidates'},
					h('caption', {}, t('inq.cand_caption', {id: q.id})),
					h('thead', {}, h('tr', {},
						h('th', {scope: 'col'}, t('inq.person')),
						h('th', {scope: 'col'}, t('inq.where')),
						h('th', {scope: 'col'}, t('inq.cand_state')),
						h('th', {scope: 'col'}, t('inq.cand_reason')))),
					h('tbody', {}, cands.map((c) => h('tr', {class: `cand-${c.state}`},
						h('td', {}, h('a', {href: `#/person/${encodeURIComponent(c.person_id)}`},
							c.person_id)),
						h('td', {}, c.status_text || '—'),
						h('td', {}, word('cand', c.state)),
						h('td', {}, c.reason || '—')))))) :
					h('p', {}, t('inq.no_candidates'))),
			h('section', {'aria-labelledby': 'hist-h'},
				h('h2', {id: 'hist-h'}, t('inq.history')),
				h('ol', {class: 'history'}, hist.map((x) => h('li', {},
					h('p', {class: 'what'}, what(x),
						x.person_id ? ` (${x.person_id})` : '',
						x.detail ? `: ${x.detail}` : ''),
					h('p', {class: 'meta'}, t('person.ev_by', {at: when(x.at),
						by: x.by || t('common.unknown')})))))),
			q.state !== 'closed' && mayClose() ? closeForm(q, draw) : null);
	}
	main.append(loading());
	await draw();
}

async function list(main, query) {
	const open = query.get('open') !== '0';
	let v;
	try {
		v = items(await api.inquiries(open));
	} catch (e) {
		put(main, heading('inq.list_title'), errorBox(e));
		return;
	}
	const toggle = h('a', {href: open ? '#/inquiries?open=0' : '#/inquiries'},
		open ? t('inq.show_all') : t('inq.show_open'));
	put(main, heading('inq.list_title'),
		h('p', {}, open ? t('inq.showing_open') : t('inq.showing_all'), ' ', toggle),
		v.length ? h('ul', {class: 'inquiries'}, v.slice().reverse().map((q) => h('li', {},
			h('a', {href: `#/inquiries/${encodeURIComponent(q.id)}`}, q.id), ' · ',
			q.state_text || q.state, ' · ',
			t('inq.list_line', {who: q.requester || t('common.unknown'),
				at: when(q.created_at)})))) :
			h('p', {}, t('inq.none')));
}

export async function render(main, {parts, query}) {
	if (parts[0])
		await one(main, parts[0]);
	else
		await list(main, query);
}

// The handover check-off at the exchange point: an agreed round's sheet,
// both sides' men with their stage, each checked off with one large
// button (handed over, received, refused, absent). Made for a tablet.
// Rounds are planned, signed and loaded at the command line; the server
// offers their handover sheet.

import {h, put, field, announce} from '../dom.js';
import {t, word, number} from '../i18n.js';
import {api, session} from '../api.js';
import {heading, errorBox, fullName, loading} from './common.js';

const OUTCOMES = ['handed_over', 'received', 'refused', 'absent'];

// What the signed-in account may say of a man at the exchange point (the
// server decides; the page offers only those): the holding party's
// registrar that he was handed over, refused or absent, the receiving
// party's that he was received; a mediator any.
function outcomesFor(p) {
	const s = session();
	if (!s || s.role !== 'registrar' || !s.party)
		return OUTCOMES;
	return p.side === s.party ? OUTCOMES.filter((o) => o !== 'received') : ['received'];
}

// Names for the men on the sheet, a few requests at a time.
async function names(ids) {
	const out = new Map();
	let next = 0;
	async function worker() {
		while (next < ids.length) {
			const id = ids[next++];
			try {
				const d = await api.person(id);
				out.set(id, fullName(d && d.person ? d.person : d));
			} catch {
				out.set(id, null);
			}
		}
	}
	await Promise.all([1, 2, 3, 4].map(worker));
	return out;
}

function stageLine(s) {
	return h('li', {}, t('rounds.stage_line', {
		n: s.stage, listed: number(s.listed), pending: number(s.pending),
		handed: number((s.handed_over || 0) + (s.received || 0)),
		refused: number(s.refused || 0), absent: number(s.absent || 0),
		closed: s.closed ? t('rounds.closed') : t('rounds.open'),
	}));
}

export async function render(main, {parts, go}) {
	const roundId = parts[0] || '';
	const input = h('input', {id: 'round-id', name: 'round', value: roundId,
		autocomplete: 'off', spellcheck: 'false'});
	const form = h('form', {class: 'card narrow'},
		field(t('rounds.round_id'), input, t('rounds.round_hint')),
		h('button', {type: 'submit'}, t('rounds.open_sheet')));
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		if (input.value.trim())
			go(`#/rounds/${encodeURIComponent(input.value.trim())}`);
	});
	const out = h('div', {class: 'out'});
	main.append(heading('rounds.title'), h('p', {}, t('rounds.intro')), form, out);
	if (!roundId)
		return;
	put(out, loading());
	let who = new Map();

	async function draw(message) {
		let sheet;
		try {
			sheet = await api.handover(roundId);
		} catch (e) {
			put(out, errorBox(e));
			return;
		}
		const persons = sheet.persons || [];
		const missing = persons.map((p) => p.id).filter((id) => !who.has(id));
		if (missing.length)
			for (const [k, v] of await names(missing))
				who.set(k, v);
		const sides = [...new Set(persons.map((p) => p.side))];
		put(out,
			h('h2', {id: 'sheet-h'}, t('rounds.sheet', {id: sheet.round_id,
				version: sheet.version})),
			message ? h('p', {class: 'notice', role: 'status'}, message) : null,
			h('ul', {class: 'stages'}, (sheet.stages || []).map(stageLine)),
			h('div', {class: 'sides'}, sides.map((side) =>
				h('section', {'aria-labelledby': `hand-${side}`},
					h('h3', {id: `hand-${side}`}, t('rounds.side_hands', {party: side})),
					h('ol', {class: 'checkoff'}, persons.filter((p) => p.side === side)
						.map((p) => row(p)))))));
	}

	function row(p) {
		const name = who.get(p.id) || p.id;
		const label = h('span', {class: 'who'},
			h('a', {href: `#/person/${encodeURIComponent(p.id)}`}, name),
			' ', h('span', {class: 'meta'}, t('rounds.person_meta', {id: p.id, stage: p.stage})),
			p.direct ? h('span', {class: 'meta'}, ` · ${t('rounds.direct')}`) : null);
		if (p.outcome && p.outcome !== 'pending')
			return h('li', {}, label, h('span', {class: 'checked'},
				word('outcome', p.outcome),
				p.checked_at ? ` (${String(p.checked_at).replace('T', ' ').replace(/:\d\dZ$/, ' UTC')})` : ''));
		const err = h('span', {class: 'out'});
		return h('li', {}, label,
			h('span', {class: 'actions', role: 'group',
				'aria-label': t('rounds.check_off', {name})},
			outcomesFor(p).map((o) => h('button', {type: 'button',
				class: o === 'handed_over' || o === 'received' ? '' : 'secondary',
				onclick: async () => {
					try {
						await api.checkOff(roundId, p.id, o);
						const text = t('rounds.checked', {name, outcome: word('outcome', o)});
						announce(text);
						await draw(text);
					} catch (e) {
						put(err, errorBox(e));
					}
				}}, word('outcome', o)))),
			err);
	}
	await draw();
}

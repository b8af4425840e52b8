// A person's card: who he is, where he stands, and the timeline of every
// event with its source; a registrar records a new event here, sent with
// the version he read so that two people never silently overwrite each
// other.

import {h, put, field, announce} from '../dom.js';
import {t, word} from '../i18n.js';
import {api, session} from '../api.js';
import {heading, errorBox, fullName, standing, loading, dl} from './common.js';

// The fields an event may change, and the values offered for the coded
// ones (the library checks each against the lifecycle).
const EVENT_FIELDS = {
	status: ['reported_missing', 'confirmed_captive', 'released', 'transferred',
		'escaped', 'deceased'],
	held_by: null,
	held_since: null,
	captured_on: null,
	captured_at: null,
	health: ['good', 'not_wounded', 'recovered', 'convalescent', 'sick',
		'slightly_wounded', 'seriously_wounded'],
	consent: ['willing', 'refuses', 'undecided', 'not_asked'],
	legal_hold: ['none', 'proceedings', 'convicted'],
	internment_place: null,
	notes: null,
};
const SOURCES = ['official_list', 'capture_card', 'icrc_visit', 'family_report',
	'video_testimony', 'counterpart_list'];

function eventLine(ev) {
	const at = String(ev.at || '').replace('T', ' ').replace(/:\d\dZ$/, ' UTC');
	const whenBy = t('person.ev_by', {at, by: ev.by || t('common.unknown')});
	let what;
	if (ev.field === '*')
		what = t('person.ev_created');
	else if (ev.field === '-' || ev.field === 'correct' || ev.corrects)
		what = t('person.ev_correction', {n: ev.corrects || ''});
	else
		what = t('person.ev_change', {
			field: word('field', ev.field),
			old: ev.old === null || ev.old === undefined ? '—' : word(ev.field, ev.old),
			new: ev.new === null || ev.new === undefined ? '—' : word(ev.field, ev.new),
		});
	return h('li', {class: ev.corrected_by ? 'event corrected' : 'event'},
		h('p', {class: 'what'}, what),
		h('p', {class: 'meta'}, whenBy),
		h('p', {class: 'meta'}, t('person.ev_source', {
			source: word('source', ev.source),
			ref: ev.ref ? ` (${ev.ref})` : '',
		})),
		ev.note ? h('p', {class: 'meta'}, t('person.ev_note', {note: ev.note})) : null,
		ev.corrected_by ? h('p', {class: 'meta'},
			t('person.ev_corrected', {n: ev.corrected_by})) : null);
}

function eventForm(id, version, reload) {
	const type = h('select', {id: 'ev-type', name: 'type'},
		Object.keys(EVENT_FIELDS).map((f) => h('option', {value: f}, word('field', f))));
	const valueBox = h('div', {class: 'ev-value'});
	const source = h('select', {id: 'ev-source', name: 'source'},
		h('option', {value: ''}, t('person.source_default')),
		SOURCES.map((s) => h('option', {value: s}, word('source', s))));
	const out = h('div', {class: 'out'});
	let value;
	function drawValue() {
		const opts = EVENT_FIELDS[type.value];
		value = opts ?
			h('select', {id: 'ev-value', name: 'value'},
				opts.map((o) => h('option', {value: o}, word(type.value, o)))) :
			h('input', {id: 'ev-value', name: 'value', autocomplete: 'off'});
		put(valueBox, field(t('person.value'), value));
	}
	type.addEventListener('change', drawValue);
	drawValue();
	const form = h('form', {class: 'card', 'aria-labelledby': 'ev-h'},
		h('h2', {id: 'ev-h'}, t('person.record_event')),
		field(t('person.field'), type), valueBox,
		field(t('person.source'), source),
		h('button', {type: 'submit'}, t('person.record')), out);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		out.replaceChildren();
		const body = {type: type.value, value: value.value};
		if (source.value)
			body.source = source.value;
		if (version !== null && version !== undefined)
			body.version = version;
		try {
			await api.addEvent(id, body);
			announce(t('person.recorded'));
			await reload(t('person.recorded'));
		} catch (err) {
			if (err.status === 409) {
				await reload(t('person.conflict'), true);
				return;
			}
			out.append(errorBox(err));
		}
	});
	return form;
}

// The records merged into this one, each with who merged it and why; a
// registrar or an admin may undo a merge here.
function mergedSection(merged, s, reload) {
	const mayUndo = s && (s.role === 'registrar' || s.role === 'admin');
	return h('section', {'aria-labelledby': 'merged-h'},
		h('h2', {id: 'merged-h'}, t('person.merged')),
		h('ul', {class: 'merges'}, merged.map((m) => {
			const reason = h('input', {id: `undo-why-${m.id}`, autocomplete: 'off'});
			const out = h('div', {class: 'out'});
			const form = h('form', {class: 'undo'},
				field(t('dup.undo_reason'), reason),
				h('button', {type: 'submit', class: 'secondary'}, t('dup.undo', {other: m.id})),
				out);
			form.addEventListener('submit', async (e) => {
				e.preventDefault();
				out.replaceChildren();
				if (!reason.value.trim()) {
					out.append(h('p', {class: 'error', role: 'alert'}, t('dup.need_reason')));
					reason.focus();
					return;
				}
				try {
					const r = await api.unmerge(m.id, reason.value.trim());
					const text = t('dup.undone', {other: r.other, keep: r.keep});
					announce(text);
					await reload(text);
				} catch (err) {
					out.append(errorBox(err));
				}
			});
			return h('li', {},
				h('p', {}, t('person.merged_line', {id: m.id,
					at: String(m.at || '').replace('T', ' ').replace(/:\d\dZ$/, ' UTC'),
					by: m.by || t('common.unknown'), reason: m.reason || ''})),
				mayUndo ? form : null);
		})));
}

export async function render(main, {parts}) {
	const id = parts[0];
	main.append(loading());
	async function draw(message, isError) {
		let d;
		try {
			d = await api.person(id);
		} catch (e) {
			put(main, heading('person.title_unknown'), errorBox(e));
			return;
		}
		const p = d && d.person ? d.person : d;
		const events = (d && (d.events || d.timeline)) || [];
		const version = d && d.version !== undefined ? d.version : p.version;
		const s = session();
		const canWrite = s && (!s.role || s.role === 'registrar' || s.role === 'admin');
		put(main, 
			h('h1', {}, fullName(p)),
			message ? h('p', {class: isError ? 'error' : 'notice',
				role: isError ? 'alert' : 'status'}, message) : null,
			h('p', {class: 'standing big'}, standing(p)),
			dl([
				[t('person.id'), p.id],
				[t('field.birth_date'), p.birth_date],
				[t('field.birth_place'), p.birth_place],
				[t('field.rank'), p.rank],
				[t('field.service_number'), p.service_number],
				[t('field.held_by'), p.held_by],
				[t('field.held_since'), p.held_since],
				[t('field.depends_on'), p.depends_on],
				[t('field.category'), p.category ? word('category', p.category) : null],
				[t('field.captured_on'), p.captured_on],
				[t('field.captured_at'), p.captured_at],
				[t('field.internment_place'), p.internment_place],
				[t('field.health'), p.health ? word('health', p.health) : null],
				[t('field.consent'), p.consent ? word('consent', p.consent) : null],
				[t('field.legal_hold'), p.legal_hold ? word('legal_hold', p.legal_hold) : null],
				version !== undefined && version !== null ?
					[t('person.version'), String(version)] : null,
			]),
			h('section', {'aria-labelledby': 'tl-h'},
				h('h2', {id: 'tl-h'}, t('person.timeline')),
				events.length ?
					h('ol', {class: 'timeline', reversed: true},
						events.slice().reverse().map(eventLine)) :
					h('p', {}, t('person.no_events'))),
			d && Array.isArray(d.merged) && d.merged.length ?
				mergedSection(d.merged, s, draw) : null,
			canWrite ? eventForm(p.id || id, version, draw) : null);
	}
	await draw();
}

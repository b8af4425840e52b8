// The list documents received (mediator; registrars of the round's
// parties read): each stored as it came, verified again when opened
// (both signatures against the pinned keys, the round's rules against
// the register), and two versions compared. Documents are signed at the
// command line; no key ever comes near this page.

import {h, put, field, announce} from '../dom.js';
import {t, word, number} from '../i18n.js';
import {api, items, session} from '../api.js';
import {heading, errorBox, fullName, loading} from './common.js';

const PAGE = 20;

function when(at) {
	return String(at || '').replace('T', ' ').replace(/:\d\dZ$/, ' UTC');
}

function docLabel(d) {
	return t('docs.doc_label', {seq: d.seq, id: d.round_id, version: d.version,
		kind: word('kind', d.kind)});
}

async function list(main, {query, go}) {
	const offset = Math.max(0, parseInt(query.get('offset') || '0', 10) || 0);
	main.append(heading('docs.title'), h('p', {}, t('docs.intro')));
	const s = session();
	if (s && s.role === 'mediator') {
		const text = h('textarea', {id: 'doc-text', name: 'document', rows: '6',
			spellcheck: 'false'});
		const file = h('input', {id: 'doc-file', type: 'file', accept: 'application/json,.json'});
		const msg = h('div', {class: 'out'});
		const form = h('form', {class: 'card narrow'},
			h('h2', {}, t('docs.add')),
			field(t('docs.file'), file, t('docs.file_hint')),
			field(t('docs.text'), text),
			h('button', {type: 'submit'}, t('docs.store')), msg);
		file.addEventListener('change', async () => {
			if (file.files && file.files[0])
				text.value = await file.files[0].text();
		});
		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			try {
				const r = await api.addDocument(text.value);
				announce(r.already ? t('docs.already', {seq: r.seq}) : t('docs.stored', {seq: r.seq}));
				go(`#/documents/${r.seq}`);
			} catch (err) {
				put(msg, errorBox(err));
			}
		});
		main.append(form);
	}
	const out = h('div', {class: 'out'});
	main.append(out);
	put(out, loading());
	let page;
	try {
		page = await api.documents(offset, PAGE);
	} catch (e) {
		put(out, errorBox(e));
		return;
	}
	const docs = items(page);
	if (!docs.length) {
		put(out, h('p', {}, t('docs.none')));
		return;
	}
	const pick = [];
	const compare = h('button', {type: 'button', disabled: true}, t('docs.compare'));
	compare.addEventListener('click', () => {
		if (pick.length === 2)
			go(`#/documents/${pick[0]}/diff/${pick[1]}`);
	});
	const rows = docs.map((d) => {
		const box = h('input', {type: 'checkbox', id: `doc-pick-${d.seq}`,
			'aria-label': t('docs.pick', {doc: docLabel(d)})});
		box.addEventListener('change', () => {
			const i = pick.indexOf(d.seq);
			if (box.checked && i < 0)
				pick.push(d.seq);
			if (!box.checked && i >= 0)
				pick.splice(i, 1);
			pick.sort((a, b) => a - b);
			compare.disabled = pick.length !== 2;
		});
		return h('tr', {},
			h('td', {}, box),
			h('td', {}, h('a', {href: `#/documents/${d.seq}`}, docLabel(d))),
			h('td', {}, (d.signed_by || []).join(', ') || t('docs.unsigned')),
			h('td', {}, when(d.received_at)));
	});
	const nav = h('p', {class: 'pager'},
		offset > 0 ? h('a', {href: `#/documents?offset=${Math.max(0, offset - PAGE)}`}, t('docs.newer')) : null,
		' ', t('docs.showing', {from: offset + 1, to: offset + docs.length, total: page.total}), ' ',
		offset + docs.length < page.total ? h('a', {href: `#/documents?offset=${offset + PAGE}`}, t('docs.older')) : null);
	put(out,
		h('table', {class: 'docs'},
			h('caption', {}, t('docs.caption')),
			h('thead', {}, h('tr', {},
				h('th', {scope: 'col'}, t('docs.col_pick')),
				h('th', {scope: 'col'}, t('docs.col_doc')),
				h('th', {scope: 'col'}, t('docs.col_signed')),
				h('th', {scope: 'col'}, t('docs.col_received')))),
			h('tbody', {}, rows)),
		nav, h('p', {}, compare, ' ', h('span', {class: 'hint'}, t('docs.compare_hint'))));
}

function yesNo(b) {
	return b ? t('docs.yes') : t('docs.no');
}

function signatures(v) {
	return h('table', {class: 'sigs'},
		h('caption', {}, t('docs.signatures')),
		h('thead', {}, h('tr', {},
			h('th', {scope: 'col'}, t('plan.party')),
			h('th', {scope: 'col'}, t('docs.sig_present')),
			h('th', {scope: 'col'}, t('docs.sig_pinned')),
			h('th', {scope: 'col'}, t('docs.sig_valid')),
			h('th', {scope: 'col'}, t('docs.sig_key')))),
		h('tbody', {}, (v.signatures || []).map((s) => h('tr', {},
			h('th', {scope: 'row'}, s.party),
			h('td', {}, yesNo(s.present)),
			h('td', {}, s.key_is_pinned ? t('docs.yes') : s.pinned ? t('docs.other_key') : t('docs.no_pin')),
			h('td', {class: s.present && s.valid ? 'good' : 'bad'}, s.present ? yesNo(s.valid) : '—'),
			h('td', {class: 'mono'}, s.present ? s.fingerprint : '—')))));
}

function lists(doc) {
	const parties = doc.parties || Object.keys(doc.sides || {});
	return parties.map((p) => {
		const gives = (doc.sides && doc.sides[p] && doc.sides[p].gives) || [];
		return h('section', {class: 'card', 'aria-labelledby': `doc-side-${p}`},
			h('h3', {id: `doc-side-${p}`}, t('plan.side_gives', {party: p, n: number(gives.length)})),
			h('ol', {}, gives.map((x) => h('li', {}, fullName(x), ' ',
				h('span', {class: 'meta'}, t('plan.person_meta', {id: x.id, stage: x.stage || 1}))))));
	});
}

async function one(main, seq) {
	main.append(heading('docs.one_title', {seq}));
	const out = h('div', {class: 'out'});
	main.append(out);
	put(out, loading());
	let d;
	try {
		d = await api.document(seq);
	} catch (e) {
		put(out, errorBox(e));
		return;
	}
	const v = d.verification;
	const breaches = (d.rules.breaches || []).filter((b) => !b.note);
	const notes = (d.rules.breaches || []).filter((b) => b.note);
	put(out,
		h('p', {}, docLabel(d.received), ' · ', t('docs.received_by', {
			by: d.received.received_by, at: when(d.received.received_at)})),
		h('section', {class: 'card', 'aria-labelledby': 'doc-verify-h'},
			h('h2', {id: 'doc-verify-h'}, t('docs.verification')),
			h('p', {class: v.ok ? 'verdict good' : 'verdict bad', role: 'status'},
				v.ok ? t('docs.verified') : t('docs.not_verified')),
			h('ul', {},
				h('li', {}, t('docs.manifest', {ok: v.manifest_ok ? t('docs.holds') : t('docs.fails')})),
				h('li', {}, t('docs.digest', {ok: v.digest_ok ? t('docs.holds') : t('docs.fails'), digest: v.digest}))),
			signatures(v),
			v.problems && v.problems.length ? [h('h3', {}, t('docs.problems')),
				h('ul', {class: 'problems'}, v.problems.map((p) => h('li', {}, p)))] : null),
		h('section', {class: 'card', 'aria-labelledby': 'doc-rules-h'},
			h('h2', {id: 'doc-rules-h'}, t('docs.rules')),
			h('p', {class: d.rules.ok ? 'verdict good' : 'verdict bad'},
				d.rules.ok ? t('docs.rules_hold') : t('docs.rules_broken', {n: breaches.length})),
			breaches.length ? h('ul', {class: 'problems'}, breaches.map((b) => h('li', {},
				h('span', {class: 'tag'}, word('rule', b.rule)), ' ', b.text))) : null,
			notes.length ? h('ul', {}, notes.map((b) => h('li', {}, b.text))) : null),
		h('div', {class: 'sides'}, lists(d.document)));
}

function val(x) {
	return x === null || x === undefined ? '—' : typeof x === 'string' ? x : JSON.stringify(x);
}

async function diff(main, a, b) {
	main.append(heading('docs.diff_title', {a, b}));
	const out = h('div', {class: 'out'});
	main.append(out);
	put(out, loading());
	let d;
	try {
		d = await api.documentDiff(a, b);
	} catch (e) {
		put(out, errorBox(e));
		return;
	}
	const changes = (fields) => h('ul', {}, fields.map((f) => h('li', {},
		t('docs.field_change', {field: f.field, old: val(f.old), new: val(f.new)}))));
	const nothing = !d.header.length && !d.added.length && !d.removed.length && !d.changed.length;
	put(out,
		h('p', {}, t('docs.diff_from_to', {from: docLabel(d.from), to: docLabel(d.to)})),
		nothing ? h('p', {}, t('docs.same')) : null,
		d.header.length ? h('section', {class: 'card'}, h('h2', {}, t('docs.header_changes')),
			changes(d.header)) : null,
		d.added.length ? h('section', {class: 'card'}, h('h2', {}, t('docs.added', {n: d.added.length})),
			h('ul', {}, d.added.map((x) => h('li', {}, t('docs.on_list', {id: x.id, list: x.list}))))) : null,
		d.removed.length ? h('section', {class: 'card'}, h('h2', {}, t('docs.removed', {n: d.removed.length})),
			h('ul', {}, d.removed.map((x) => h('li', {}, t('docs.off_list', {id: x.id, list: x.list}))))) : null,
		d.changed.length ? h('section', {class: 'card'}, h('h2', {}, t('docs.changed', {n: d.changed.length})),
			h('ul', {}, d.changed.map((x) => h('li', {}, x.id,
				x.old_list !== x.new_list ? ` (${x.old_list} → ${x.new_list})` : '',
				changes(x.fields))))) : null);
}

export async function render(main, ctx) {
	const [seq, what, other] = ctx.parts;
	if (seq && what === 'diff' && other)
		return diff(main, seq, other);
	if (seq)
		return one(main, seq);
	return list(main, ctx);
}

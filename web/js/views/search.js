// Search: a name in any script and order, optionally a birth date; each
// candidate with where he stands, who holds him and why he was found, in
// plain words.

import {h, put, field, announce} from '../dom.js';
import {t, number} from '../i18n.js';
import {api, items} from '../api.js';
import {heading, errorBox, fullName, standing, loading} from './common.js';

function evidence(hit) {
	const ex = hit.evidence || hit.explanation;
	if (Array.isArray(ex))
		return ex.map((x) => typeof x === 'string' ? x :
			(x.text || x.explanation || `${x.field}: ${x.comparison || ''}`));
	if (typeof ex === 'string' && ex)
		return ex.split('; ').filter((x) => x);
	return [];
}

function band(hit) {
	const b = hit.band || '';
	const key = `band.${b}`;
	const p = typeof hit.score === 'number' ? hit.score :
		(typeof hit.probability === 'number' ? hit.probability : null);
	const label = b ? t(key) : '';
	if (p === null)
		return label;
	return t('search.likelihood', {band: label,
		percent: number(Math.round(p * 1000) / 10)});
}

function hitCard(hit) {
	const id = hit.id || hit.person_id;
	const reasons = evidence(hit);
	return h('li', {class: 'hit card'},
		h('h2', {}, h('a', {href: `#/person/${encodeURIComponent(id)}`},
			fullName(hit))),
		h('p', {class: 'standing'}, standing(hit)),
		h('p', {class: 'meta'},
			t('search.id', {id}),
			hit.birth_date ? ` · ${t('search.born', {date: hit.birth_date})}` : '',
			hit.held_by ? ` · ${t('search.holder', {party: hit.held_by})}` : ''),
		h('p', {class: `band band-${hit.band || 'none'}`}, band(hit)),
		// Why he was found, in plain words and in the page's language
		// (the library's words, asked for in Accept-Language); the
		// field-by-field evidence below is in the register's terms.
		hit.words ? h('p', {class: 'words'}, hit.words) : null,
		reasons.length ? h('details', {},
			h('summary', {}, t('search.why')),
			h('ul', {class: 'evidence'}, reasons.map((r) => h('li', {}, r))))
			: null);
}

export async function render(main, {query, go}) {
	const q = h('input', {id: 'q', name: 'q', type: 'search',
		value: query.get('q') || '', autocomplete: 'off', spellcheck: 'false'});
	const born = h('input', {id: 'born', name: 'born',
		value: query.get('born') || '', inputmode: 'numeric',
		autocomplete: 'off'});
	const form = h('form', {class: 'card search-form', role: 'search'},
		field(t('search.name'), q, t('search.name_hint')),
		field(t('search.born_label'), born, t('search.born_hint')),
		h('button', {type: 'submit'}, t('search.submit')));
	const out = h('section', {class: 'results', 'aria-labelledby': 'results-h'});
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const p = new URLSearchParams();
		if (q.value.trim())
			p.set('q', q.value.trim());
		if (born.value.trim())
			p.set('born', born.value.trim());
		go(`#/search?${p}`);
	});
	main.append(heading('search.title'), form, out);
	const text = query.get('q');
	if (!text)
		return;
	out.append(loading());
	try {
		const d = await api.search(text, query.get('born'));
		const hits = items(d);
		const reading = d && !Array.isArray(d) && d.read_as ? d.read_as :
			(hits[0] && hits[0].read_as) || null;
		put(out, 
			h('h2', {id: 'results-h'}, hits.length ?
				t('search.found', {n: number(hits.length)}) : t('search.none')),
			reading ? h('p', {class: 'meta'}, t('search.read_as', {reading})) : null,
			h('ol', {class: 'hits'}, hits.map(hitCard)));
		announce(hits.length ? t('search.found', {n: hits.length}) : t('search.none'));
	} catch (e) {
		put(out, h('h2', {id: 'results-h'}, t('search.results')), errorBox(e));
	}
}

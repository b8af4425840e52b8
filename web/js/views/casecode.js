// A family case code written so that it can be read out over the phone:
// in groups of four, each group its own box.

import {h} from '../dom.js';
import {t} from '../i18n.js';

export function groups(code) {
	const s = String(code || '');
	if (/[-\s]/.test(s))
		return s.split(/[-\s]+/).filter((g) => g);
	const out = [];
	for (let i = 0; i < s.length; i += 4)
		out.push(s.slice(i, i + 4));
	return out;
}

export function caseCode(code) {
	const gs = groups(code);
	return h('p', {class: 'case-code', 'aria-label': t('case.code_spoken', {code: gs.join(', ')})},
		gs.map((g, i) => [i ? h('span', {class: 'sep', 'aria-hidden': 'true'}, '–') : null,
			h('span', {class: 'grp'}, g)]));
}

// The standing warning: a place on an exchange list is never sold.
export function neverSold() {
	return h('aside', {class: 'warning', role: 'note', 'aria-labelledby': 'never-sold-h'},
		h('h2', {id: 'never-sold-h'}, t('family.never_sold_title')),
		h('p', {}, t('family.never_sold')));
}

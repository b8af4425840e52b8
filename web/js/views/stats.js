// Statistics: aggregates only, drawn as charts; every count below 5 is
// "fewer than 5".

import {h, put} from '../dom.js';
import {t, word} from '../i18n.js';
import {api} from '../api.js';
import {heading, errorBox, loading} from './common.js';
import {barChart, publicCount} from '../chart.js';

function rowsOf(group, obj) {
	return Object.entries(obj || {}).map(([k, v]) => ({label: word(group, k), value: v}));
}

export async function render(main) {
	main.append(loading());
	let st;
	try {
		st = await api.stats();
	} catch (e) {
		put(main, heading('stats.title'), errorBox(e));
		return;
	}
	const parties = st.parties || [];
	put(main, heading('stats.title'),
		h('p', {}, t('stats.intro', {date: st.as_of || ''})),
		h('p', {class: 'big'}, t('stats.persons', {n: publicCount(st.persons)})),
		barChart(t('stats.held_per_party'), parties.map((p) => ({
			label: t('stats.held_by', {party: p.held_by || t('common.nobody')}),
			value: p.held,
		}))),
		parties.map((p) => h('section', {class: 'party', 'aria-labelledby': `party-${p.held_by}`},
			h('h2', {id: `party-${p.held_by}`}, t('stats.held_by', {
				party: p.held_by || t('common.nobody')})),
			h('div', {class: 'charts'},
				barChart(t('stats.by_status'), rowsOf('status', p.by_status)),
				barChart(t('stats.by_health'), rowsOf('health', p.by_health)),
				barChart(t('stats.by_time_held'), rowsOf('time_held', p.by_time_held)),
				barChart(t('stats.by_category'), rowsOf('category', p.by_category))))));
}

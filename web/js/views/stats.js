// Statistics: aggregates only, drawn as charts; every count below 5 is
// "fewer than 5".

import {h, put} from '../dom.js';
import {t, word, lang} from '../i18n.js';
import {api} from '../api.js';
import {heading, errorBox, loading} from './common.js';
import {barChart, publicCount} from '../chart.js';

// The charts of `cartel report`, drawn by the server (GET
// /api/stats/charts/NAME.svg) from the same library call: public figures
// unless the session may read exact ones, as /api/stats. Each has its
// title as alt text; the SVG itself carries the counts in its <desc>.
function reportCharts() {
	const charts = [
		['held', t('stats.chart_held')],
		['rounds', t('stats.chart_rounds')],
		['time-held', t('stats.chart_time_held')],
		['awaiting', t('stats.chart_awaiting')],
		['inquiries', t('stats.chart_inquiries')],
	];
	return h('section', {class: 'report-charts', 'aria-labelledby': 'report-charts-h'},
		h('h2', {id: 'report-charts-h'}, t('stats.charts')),
		h('div', {class: 'charts'}, charts.map(([name, title]) =>
			h('figure', {class: 'report-chart'},
				h('img', {src: `/api/stats/charts/${name}.svg?lang=${encodeURIComponent(lang())}`,
					alt: title, width: 800, height: 450}),
				h('figcaption', {}, title)))));
}

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
				barChart(t('stats.by_category'), rowsOf('category', p.by_category))))),
		reportCharts());
}

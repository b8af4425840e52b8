// Bar charts drawn as inline SVG. Every count below 5 (but above 0) is
// shown as "fewer than 5" and drawn as an outlined bar of no stated
// length (GC III Art. 13: no public figure may point at a few men).

import {svg, h, nextId} from './dom.js';
import {t, number} from './i18n.js';

export const SMALL = 5;

// A count as the public may read it.
export function publicCount(n) {
	if (n === null || n === undefined)
		return t('common.unknown');
	// Public figures come from the server already masked.
	if (typeof n === 'string')
		return /fewer|^</.test(n) ? t('stats.fewer_than_5') : n;
	if (n > 0 && n < SMALL)
		return t('stats.fewer_than_5');
	return number(n);
}

// rows: [{label, value}] -> <figure> with an SVG of horizontal bars and a
// caption; the picture has a text alternative and each bar its value.
export function barChart(title, rows) {
	const id = nextId('chart');
	const barH = 22;
	const gap = 8;
	// Room for the longest label (about 8 px a character at 14 px).
	const longest = Math.max(4, ...rows.map((r) => String(r.label).length));
	const labelW = Math.min(280, longest * 8 + 12);
	const valueW = 110;
	const plotW = 260;
	const width = labelW + plotW + valueW;
	const height = rows.length * (barH + gap) + gap;
	const max = Math.max(SMALL, ...rows.map((r) =>
		typeof r.value === 'number' ? r.value : 0));
	const parts = [svg('title', {id: `${id}-t`}, title)];
	rows.forEach((r, i) => {
		const y = gap + i * (barH + gap);
		const small = typeof r.value !== 'number' || (r.value > 0 && r.value < SMALL);
		const v = typeof r.value === 'number' ? r.value : 0;
		const w = small ? Math.max(2, Math.round(plotW * (SMALL - 1) / max)) :
			Math.round(plotW * v / max);
		parts.push(svg('text', {x: labelW - 8, y: y + barH * 0.7,
			class: 'chart-label', 'text-anchor': 'end'}, r.label));
		if (v > 0 || small)
			parts.push(svg('rect', {x: labelW, y, width: w, height: barH,
				class: small ? 'bar bar-small' : 'bar'}));
		parts.push(svg('text', {x: labelW + w + 6, y: y + barH * 0.7,
			class: 'chart-value'}, publicCount(r.value)));
	});
	return h('figure', {class: 'chart'},
		svg('svg', {viewBox: `0 0 ${width} ${height}`, role: 'img',
			'aria-labelledby': `${id}-t ${id}-c`, width, height,
			preserveAspectRatio: 'xMinYMin meet'}, parts),
		h('figcaption', {id: `${id}-c`}, title, ': ',
			rows.map((r) => `${r.label} ${publicCount(r.value)}`).join('; ')));
}

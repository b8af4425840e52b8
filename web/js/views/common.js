// What several screens share: a heading, an error in plain words, a
// person's name and where he stands.

import {h} from '../dom.js';
import {t, word, has} from '../i18n.js';
import {ApiError} from '../api.js';

export function heading(key, vars) {
	return h('h1', {}, t(key, vars));
}

// An error the reader can act on: what the status means for him, then the
// server's detail (which names the field, never personal data).
export function errorBox(e) {
	let text;
	if (e instanceof ApiError) {
		const key = `error.${e.status}`;
		text = has(key) ? t(key) : t('error.other', {status: e.status});
		if (e.detail)
			text = `${text} ${e.detail}`;
	} else {
		text = t('common.failed', {why: e && e.message ? e.message : String(e)});
	}
	return h('p', {class: 'error', role: 'alert'}, text);
}

export function fullName(p) {
	const parts = [p.family_name, p.given_name, p.patronymic]
		.filter((x) => x && String(x).trim());
	if (parts.length)
		return parts.join(' ');
	return p.name || p.full_name || t('common.no_name');
}

// "Confirmed held by RU since 2024-03-10", in the page's language.
export function standing(p) {
	const st = p.status;
	const since = p.held_since || p.status_on || p.since || null;
	const party = p.held_by || null;
	if (st === 'confirmed_captive' && party && since)
		return t('standing.held_since', {party, date: since});
	if (st === 'confirmed_captive' && party)
		return t('standing.held', {party});
	if (st === 'reported_missing' && party)
		return t('standing.missing_by', {party});
	return word('status', st);
}

export function loading() {
	return h('p', {class: 'loading'}, t('common.loading'));
}

export function dl(rows) {
	return h('dl', {class: 'facts'}, rows.filter((r) => r).map(([k, v]) => [
		h('dt', {}, k),
		h('dd', {}, v === null || v === undefined || v === '' ? '—' : v),
	]));
}

// How two values compare, in the page's language when the words are known
// (else the engine's English words).
export function how(text) {
	if (!text)
		return '—';
	const key = `how.${text.toLowerCase().replace(/[^a-z0-9]+/g, '_')
		.replace(/^_|_$/g, '')}`;
	return has(key) ? t(key) : text;
}

// The page's texts in English, Ukrainian and Russian, chosen by the
// browser's language and switchable; the choice is kept. The server
// answers them from the message catalogues (GET /api/i18n/{lang}), the
// same as its own words: a text is added in src/lib/io/web_texts.c and
// translated in po/uk.po and po/ru.po (docs/i18n.md, "The page's texts").

export const LANGS = ['en', 'uk', 'ru'];
const KEY = 'cartel.lang';
let dict = {};
let current = 'en';

export function lang() {
	return current;
}

export function pickLang() {
	let stored = null;
	try {
		stored = localStorage.getItem(KEY);
	} catch {
		stored = null;
	}
	if (LANGS.includes(stored))
		return stored;
	const wanted = navigator.languages && navigator.languages.length ?
		navigator.languages : [navigator.language || 'en'];
	for (const l of wanted) {
		const base = String(l).toLowerCase().split('-')[0];
		if (LANGS.includes(base))
			return base;
	}
	return 'en';
}

export async function setLang(l, remember) {
	if (!LANGS.includes(l))
		l = 'en';
	const r = await fetch(`/api/i18n/${l}`, {
		credentials: 'same-origin', headers: {Accept: 'application/json'}});
	if (!r.ok)
		throw new Error(`texts for ${l}: HTTP ${r.status}`);
	dict = await r.json();
	current = l;
	document.documentElement.lang = l;
	if (remember) {
		try {
			localStorage.setItem(KEY, l);
		} catch {
			/* a browser that keeps nothing still switches */
		}
	}
	applyTexts(document);
}

// t('search.found', {n: 3}): the text of the key in the current language,
// with {name} places filled in. A missing key shows as itself, which the
// key test catches before it reaches anyone.
export function t(key, vars) {
	let s = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : key;
	if (vars) {
		s = s.replace(/\{(\w+)\}/g, (m, name) =>
			Object.prototype.hasOwnProperty.call(vars, name) ?
				String(vars[name]) : m);
	}
	return s;
}

// Does the current language have a text for this key?
export function has(key) {
	return Object.prototype.hasOwnProperty.call(dict, key);
}

// A known code in plain words (status, health, ...), else the code itself.
export function word(group, code) {
	if (code === null || code === undefined || code === '')
		return t('common.unknown');
	const key = `${group}.${code}`;
	return has(key) ? t(key) : String(code);
}

export function applyTexts(root) {
	for (const el of root.querySelectorAll('[data-i18n]'))
		el.textContent = t(el.dataset.i18n);
	for (const el of root.querySelectorAll('[data-i18n-aria]'))
		el.setAttribute('aria-label', t(el.dataset.i18nAria));
}

export function number(n) {
	return new Intl.NumberFormat(current).format(n);
}

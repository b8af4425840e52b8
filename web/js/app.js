// The page: a router over the address's #/screen part, the navigation for
// whoever is signed in, the language switch.

import {h, announce} from './dom.js';
import {t, pickLang, setLang, lang, applyTexts} from './i18n.js';
import {api, session} from './api.js';
import * as login from './views/login.js';
import * as search from './views/search.js';
import * as person from './views/person.js';
import * as inquiry from './views/inquiry.js';
import * as capture from './views/capture.js';
import * as callbacks from './views/callbacks.js';
import * as review from './views/review.js';
import * as rounds from './views/rounds.js';
import * as plan from './views/plan.js';
import * as documents from './views/documents.js';
import * as family from './views/family.js';
import * as stats from './views/stats.js';
import * as duplicates from './views/duplicates.js';
import * as imports from './views/imports.js';
import * as inquiries from './views/inquiries.js';

// Screens, in the navigation's order. `open`: no account needed. `roles`:
// who sees the link (the server decides what each may do; a screen a role
// may not use answers with a plain "not allowed").
const SCREENS = [
	{name: 'search', view: search, roles: ['registrar', 'hotline', 'mediator', 'admin']},
	{name: 'capture', view: capture, roles: ['registrar']},
	{name: 'inquiry', view: inquiry, roles: ['hotline', 'admin']},
	{name: 'callbacks', view: callbacks, roles: ['hotline', 'admin']},
	{name: 'inquiries', view: inquiries, roles: ['hotline', 'registrar', 'mediator']},
	{name: 'review', view: review, roles: ['hotline', 'registrar', 'admin']},
	{name: 'plan', view: plan, roles: ['mediator']},
	{name: 'documents', view: documents, roles: ['mediator', 'registrar']},
	{name: 'rounds', view: rounds, roles: ['mediator', 'registrar', 'admin']},
	{name: 'duplicates', view: duplicates, roles: ['registrar', 'admin']},
	{name: 'imports', view: imports, roles: ['registrar']},
	{name: 'stats', view: stats, roles: ['registrar', 'hotline', 'mediator', 'admin'], open: true},
	{name: 'family', view: family, open: true},
	{name: 'person', view: person, hidden: true},
	{name: 'login', view: login, open: true, hidden: true},
];

function parseHash() {
	const raw = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
	const [path, query] = raw.split('?');
	const parts = path.split('/').filter(Boolean).map((p) => {
		try {
			return decodeURIComponent(p);
		} catch {
			return p;
		}
	});
	return {parts, query: new URLSearchParams(query || '')};
}

export function go(hash) {
	if (location.hash === hash)
		render();
	else
		location.hash = hash;
}

function home() {
	const s = session();
	if (!s)
		return 'login';
	if (s.role === 'mediator')
		return 'rounds';
	return 'search';
}

function visible(sc, s) {
	if (sc.hidden)
		return false;
	if (!s)
		return !!sc.open;
	return !sc.roles || !s.role || sc.roles.includes(s.role) || sc.open;
}

function drawNav(current) {
	const s = session();
	const nav = document.getElementById('nav');
	const links = SCREENS.filter((sc) => visible(sc, s)).map((sc) =>
		h('a', {
			href: `#/${sc.name}`,
			'aria-current': sc.name === current ? 'page' : null,
		}, t(`nav.${sc.name}`)));
	if (!s)
		links.unshift(h('a', {
			href: '#/login',
			'aria-current': current === 'login' ? 'page' : null,
		}, t('nav.login')));
	nav.replaceChildren(...links);
	const who = document.getElementById('who');
	who.textContent = s ? t('nav.signed_in', {
		user: s.username,
		role: s.role ? t(`role.${s.role}`) : '',
	}) : '';
	document.getElementById('logout').hidden = !s;
}

let rendering = 0;
let firstRender = true;
// The screen last drawn, as its route: a hash that names the same screen
// again ("#/" and "#/rounds" for a mediator, say) does not draw it anew,
// so a form being filled in is not wiped by a second hash change.
let shown = null;

// The screen the address names, as the page would draw it.
function resolve() {
	const {parts, query} = parseHash();
	let name = parts[0] || home();
	let sc = SCREENS.find((x) => x.name === name);
	if (!sc) {
		name = home();
		sc = SCREENS.find((x) => x.name === name);
	}
	if (!sc.open && !session()) {
		name = 'login';
		sc = SCREENS.find((x) => x.name === 'login');
	}
	const key = [name, ...parts.slice(1)].map(encodeURIComponent).join('/') +
		`?${query.toString()}`;
	return {name, sc, parts, query, key};
}

// opts.keepFocus: the screen redrawn in place (a language switched),
// the focus left where it is.
async function render(opts) {
	const mine = ++rendering;
	const {name, sc, parts, query, key} = resolve();
	shown = key;
	drawNav(name);
	// Each drawing gets a container of its own: a screen still waiting
	// for the server when another is asked for writes into its own,
	// which is no longer on the page, never over the new one.
	const main = document.getElementById('main');
	const screen = h('div', {class: 'screen'});
	main.replaceChildren(screen);
	main.setAttribute('aria-busy', 'true');
	try {
		await sc.view.render(screen, {parts: parts.slice(1), query, go});
	} catch (e) {
		if (mine === rendering)
			screen.replaceChildren(h('p', {class: 'error', role: 'alert'},
				t('common.failed', {why: e.message})));
	}
	if (mine !== rendering)
		return;
	main.removeAttribute('aria-busy');
	const h1 = main.querySelector('h1');
	document.title = h1 ? `${h1.textContent} · cartel` : 'cartel';
	// After a move to another screen the reader starts at its heading;
	// the first load leaves the focus where the browser put it, and so
	// does a language switched (a keyboard user going on to the next
	// language keeps the focus on the switch).
	if (!firstRender && h1 && !(opts && opts.keepFocus)) {
		h1.setAttribute('tabindex', '-1');
		h1.focus();
	}
	firstRender = false;
}

async function start() {
	const select = document.getElementById('lang');
	await setLang(pickLang(), false);
	select.value = lang();
	select.addEventListener('change', async () => {
		await setLang(select.value, true);
		announce(t('lang.changed'));
		render({keepFocus: true});
	});
	document.getElementById('skip').addEventListener('click', (e) => {
		e.preventDefault();
		document.getElementById('main').focus();
	});
	document.getElementById('logout').addEventListener('click', async () => {
		try {
			await api.logout();
		} catch {
			/* signed out on this side all the same */
		}
		go('#/login');
	});
	if (!session())
		await api.resume();
	window.addEventListener('hashchange', () => {
		if (resolve().key !== shown)
			render();
	});
	// A session that ended (idle, signed out elsewhere, account disabled)
	// takes the reader from a staff screen to the sign-in screen.
	window.addEventListener('cartel:session', () => {
		const name = parseHash().parts[0] || home();
		const sc = SCREENS.find((x) => x.name === name);
		if (!session() && sc && !sc.open)
			render();
		else
			drawNav(name);
	});
	applyTexts(document);
	await render();
	document.body.dataset.ready = '1';
}

start();

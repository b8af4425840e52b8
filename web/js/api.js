// The server's JSON API (docs/api.md): one place that knows the routes,
// sends the session's CSRF token on every state-changing request and turns
// an error answer {"error", "detail"} into an ApiError.

import {lang} from './i18n.js';

const KEY = 'cartel.session';

export class ApiError extends Error {
	constructor(status, body) {
		super((body && (body.detail || body.error)) || `HTTP ${status}`);
		this.status = status;
		this.code = body && body.error ? body.error : null;
		this.detail = body && body.detail ? body.detail : null;
		this.body = body;
	}
}

// The session as the page knows it: the CSRF token the login returned,
// and who signed in. The session itself is the HttpOnly cookie.
export function session() {
	try {
		const raw = sessionStorage.getItem(KEY);
		return raw ? JSON.parse(raw) : null;
	} catch {
		return null;
	}
}

function setSession(s) {
	if (s)
		sessionStorage.setItem(KEY, JSON.stringify(s));
	else
		sessionStorage.removeItem(KEY);
	window.dispatchEvent(new CustomEvent('cartel:session'));
}

function remember(d, username) {
	const u = d && d.user && typeof d.user === 'object' ? d.user : d;
	setSession({
		csrf_token: d.csrf_token,
		username: (u && (u.name || u.username)) || username,
		role: (u && u.role) || null,
		party: (u && u.party) || null,
	});
}

async function call(method, path, body, opts) {
	// The page's language, so that texts the server words (the evidence
	// of a match, a family's status) come in the language chosen here.
	const headers = {Accept: 'application/json', 'Accept-Language': lang()};
	const init = {method, headers, credentials: 'same-origin'};
	if (opts && opts.raw) {
		// A file sent as it is (an uploaded list), with its own type.
		headers['Content-Type'] = opts.raw.type;
		init.body = opts.raw.data;
	} else if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	if (method !== 'GET' && method !== 'HEAD') {
		const s = session();
		if (s && s.csrf_token)
			headers['X-CSRF-Token'] = s.csrf_token;
	}
	const r = await fetch(path, init);
	let data = null;
	const type = r.headers.get('Content-Type') || '';
	if (type.includes('json'))
		data = await r.json().catch(() => null);
	if (!r.ok) {
		// An expired or closed session: the page forgets it and asks
		// to sign in again (not for the family's case lookups).
		if (r.status === 401 && !(opts && opts.anonymous) && session()) {
			sessionStorage.setItem('cartel.ended', '1');
			setSession(null);
		}
		throw new ApiError(r.status, data);
	}
	return data;
}

// A list answer, whether the server sends the array itself or a page of
// it ({"items": [...], "total", ...}).
export function items(d) {
	if (Array.isArray(d))
		return d;
	if (d && typeof d === 'object') {
		for (const k of ['items', 'results', 'persons', 'hits', 'data'])
			if (Array.isArray(d[k]))
				return d[k];
	}
	return [];
}

const enc = encodeURIComponent;

export const api = {
	async login(username, password) {
		const d = await call('POST', '/api/login', {username, password},
			{anonymous: true});
		remember(d, username);
		return d;
	},
	// A page opened again in the same browser picks up its session.
	async resume() {
		try {
			const d = await call('GET', '/api/session', undefined, {anonymous: true});
			remember(d, null);
		} catch {
			setSession(null);
		}
	},
	async logout() {
		try {
			await call('POST', '/api/logout', {});
		} finally {
			setSession(null);
		}
	},
	// Did the last session end by itself (rather than by signing out)?
	// Asked once: the answer is forgotten.
	sessionEnded() {
		const ended = sessionStorage.getItem('cartel.ended') === '1';
		sessionStorage.removeItem('cartel.ended');
		return ended;
	},
	search(q, born, page) {
		const p = new URLSearchParams({q});
		if (born)
			p.set('born', born);
		if (page)
			p.set('page', String(page));
		return call('GET', `/api/persons?${p}`);
	},
	addPerson(body) {
		return call('POST', '/api/persons', body);
	},
	person(id) {
		return call('GET', `/api/persons/${enc(id)}`);
	},
	addEvent(id, ev) {
		return call('POST', `/api/persons/${enc(id)}/events`, ev);
	},
	fileInquiry(body) {
		return call('POST', '/api/inquiries', body);
	},
	inquiries(open) {
		return call('GET', `/api/inquiries${open ? '?open=1' : ''}`);
	},
	inquiry(id) {
		return call('GET', `/api/inquiries/${enc(id)}`);
	},
	callbacks() {
		return call('GET', '/api/callbacks');
	},
	callbackDone(id) {
		return call('POST', `/api/inquiries/${enc(id)}/callback-done`, {});
	},
	matches() {
		return call('GET', '/api/review');
	},
	decideMatch(inquiry, person, decision, reason) {
		return call('POST', `/api/review/${enc(inquiry)}/${enc(person)}`,
			{decision, reason});
	},
	caseStatus(code) {
		return call('GET', `/api/cases/${enc(code)}`, undefined,
			{anonymous: true});
	},
	handover(round) {
		return call('GET', `/api/rounds/${enc(round)}/handover`);
	},
	checkOff(round, person, outcome) {
		return call('POST', `/api/rounds/${enc(round)}/handover/${enc(person)}`, {outcome});
	},
	policies() {
		return call('GET', '/api/policies?limit=200');
	},
	plan(body) {
		return call('POST', '/api/plan', body);
	},
	documents(offset, limit) {
		return call('GET', `/api/documents?offset=${offset || 0}&limit=${limit || 50}`);
	},
	addDocument(text) {
		return call('POST', '/api/documents', {document: text});
	},
	document(seq) {
		return call('GET', `/api/documents/${enc(seq)}`);
	},
	documentDiff(a, b) {
		return call('GET', `/api/documents/${enc(a)}/diff/${enc(b)}`);
	},
	stats() {
		return call('GET', '/api/stats');
	},
	closeInquiry(id, reason) {
		return call('POST', `/api/inquiries/${enc(id)}/close`, {reason});
	},
	duplicates(offset, limit) {
		return call('GET', `/api/duplicates?offset=${offset || 0}&limit=${limit || 50}`);
	},
	merge(keep, other, reason) {
		return call('POST', '/api/merges', {keep, other, reason});
	},
	unmerge(other, reason) {
		return call('POST', `/api/merges/${enc(other)}/undo`, {reason});
	},
	// An uploaded list: a CSV, or a workbook (XLSX).
	startImport(file) {
		const xlsx = /\.xlsx$/i.test(file.name);
		const type = xlsx ?
			'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' :
			'text/csv';
		return call('POST', `/api/imports?name=${enc(file.name)}`, undefined,
			{raw: {type, data: file}});
	},
	importStatus(id) {
		return call('GET', `/api/imports/${enc(id)}`);
	},
	call,
};

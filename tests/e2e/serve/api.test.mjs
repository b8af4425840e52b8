// The API of cartel serve, route by route and role by role (docs/api.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, makeRegister, startServer, cartel, getFrom, rawRequest,
	isError, CARTEL, TOP } from './lib.mjs';

let reg, srv;
const as = {};

before(async () => {
	reg = makeRegister('api');
	srv = await startServer(reg, ['--login-limit', '1000']);
	for (const u of ['root', 'reg-ua', 'reg-ru', 'med', 'hot', 'hot2']) {
		as[u] = new Client(srv);
		const r = await as[u].login(u);
		assert.equal(r.status, 200, `login of ${u}: ${r.text}`);
	}
});

after(async () => {
	const { code } = await srv.stop();
	assert.equal(code, 0, 'SIGTERM ends the server with status 0');
	// The server's own log: routes and statuses, no names, no codes.
	const log = srv.log.join('');
	for (const w of ['Шевченко', 'Sergiy', 'UA-1', '127.0.0.1 ', 'Коваленко'])
		assert.ok(!log.includes(w), `the server log shows ${w}`);
	assert.match(log, /stopped/);
	// Everything written through the API holds under the audit chain.
	cartel(reg.db, ['audit', 'verify']);
});


test('healthz answers without a session, with the security headers', async () => {
	const r = await new Client(srv).get('/healthz');
	assert.equal(r.status, 200);
	assert.equal(r.json.ok, true);
	assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
	assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
	assert.equal(r.headers.get('cache-control'), 'no-store');
});

test('login sets an HttpOnly SameSite=Strict cookie, a new one each time', async () => {
	const a = new Client(srv), b = new Client(srv);
	const r = await a.login('hot');
	assert.equal(r.status, 200);
	assert.match(r.setCookie, /^cartel_session=[A-Za-z0-9_-]{43};/);
	assert.match(r.setCookie, /HttpOnly/);
	assert.match(r.setCookie, /SameSite=Strict/);
	assert.doesNotMatch(r.setCookie, /Secure/, 'plain HTTP: not Secure');
	assert.equal(r.json.user.role, 'hotline');
	assert.equal(r.json.idle_timeout_s, 1800);
	await b.login('hot');
	assert.notEqual(a.cookie, b.cookie, 'each login makes a new session id');
	assert.notEqual(a.csrf, b.csrf);
	const s = await a.get('/api/session');
	assert.equal(s.json.csrf_token, a.csrf);
});

test('a wrong password or unknown user is 401, and says not which', async () => {
	const c = new Client(srv);
	const r1 = await c.login('hot', 'wrong password here');
	isError(r1, 401, 'unauthorized');
	const r2 = await c.login('nobody', 'wrong password here');
	isError(r2, 401, 'unauthorized');
	assert.equal(r1.json.detail, r2.json.detail);
	isError(await c.post('/api/login', { username: 'hot' }), 422, 'invalid');
});

test('without a session every API route but the public ones is 401', async () => {
	const c = new Client(srv);
	isError(await c.get('/api/persons?q=Shevchenko'), 401, 'unauthorized');
	isError(await c.get('/api/persons/UA-1'), 401);
	isError(await c.get('/api/inquiries'), 401);
	isError(await c.get('/api/access-log'), 401);
	isError(await c.post('/api/persons/UA-1/events', { type: 'health', value: 'sick' }), 401);
	isError(await c.get('/api/persons', { headers: { Cookie: 'cartel_session=forged' } }), 401);
});

test('search finds Сергій Шевченко typed in Latin, with where he stands', async () => {
	const r = await as.hot.get('/api/persons?q=' + encodeURIComponent('Serhii Shevchenko') + '&born=1990');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.items[0].id, 'UA-1');
	assert.equal(r.json.items[0].status, 'confirmed_captive');
	assert.match(r.json.items[0].status_text, /held by Ukraine/);
	assert.equal(typeof r.json.items[0].explanation, 'string');
	assert.equal(typeof r.json.total, 'number');
	// The same shape as `cartel search --json`.
	const cli = JSON.parse(cartel(reg.db, ['search', '--json', '--born', '1990', 'Serhii Shevchenko']));
	assert.deepEqual(Object.keys(r.json.items[0]).sort(), Object.keys(cli[0]).sort());
});

test('search answers in the language the browser asks for, or ?lang=', async () => {
	const url = '/api/persons?q=' + encodeURIComponent('Serhii Shevchenko') + '&born=1990';
	const en = await as.hot.get(url);
	const uk = await as.hot.get(url, { headers: { 'Accept-Language': 'uk-UA,uk;q=0.9,en;q=0.8' } });
	const ru = await as.hot.get(url + '&lang=ru', { headers: { 'Accept-Language': 'uk' } });
	for (const r of [en, uk, ru]) assert.equal(r.status, 200, r.text);
	assert.match(en.json.items[0].status_text, /held by Ukraine/);
	assert.match(uk.json.items[0].status_text, /Україн/);
	assert.match(ru.json.items[0].status_text, /Украин/);
	assert.notEqual(uk.json.items[0].status_text, ru.json.items[0].status_text);
	// The record itself is the same in every language.
	assert.equal(uk.json.items[0].id, en.json.items[0].id);
	assert.equal(uk.json.items[0].status, 'confirmed_captive');
	// The next request without a language is English again (the
	// worker thread does not keep the last reader's language).
	assert.match((await as.hot.get(url)).json.items[0].status_text, /held by Ukraine/);
});

test('search: paging, SQL fragments, 10,000-character and invalid names', async () => {
	const p = await as.med.get('/api/persons?q=Petrov&limit=1&offset=0');
	assert.equal(p.status, 200);
	assert.ok(p.json.items.length <= 1);
	assert.equal(p.json.limit, 1);
	const sql = await as.med.get('/api/persons?q=' + encodeURIComponent("x'; DROP TABLE persons; --"));
	assert.ok([200, 422].includes(sql.status), sql.text);
	isError(await as.med.get('/api/persons?q=' + 'a'.repeat(10000)), 422, 'invalid');
	isError(await as.med.get('/api/persons?q='), 422);
	const bad = await as.med.get('/api/persons?q=%FF%FE');
	assert.ok(bad.status >= 400 && bad.status < 500, bad.text);
	isError(await as.med.get('/api/persons?q=Petrov&limit=100000'), 400, 'bad_request');
	isError(await as.med.get('/api/persons?q=Petrov&offset=-1'), 400);
	// The register is still there and whole.
	assert.equal((await as.med.get('/api/persons/UA-1')).status, 200);
});

test('a registrar sees only what his party holds or its own', async () => {
	const mine = await as['reg-ua'].get('/api/persons/UA-1');
	assert.equal(mine.status, 200);
	assert.equal(mine.json.person.id, 'UA-1');
	assert.equal(typeof mine.json.version, 'number');
	assert.ok(Array.isArray(mine.json.events));
	assert.equal((await as['reg-ua'].get('/api/persons/RU-1')).status, 200, 'UA\'s own, held by RU');
	isError(await as['reg-ua'].get('/api/persons/RU-M1'), 403, 'forbidden');
	const s = await as['reg-ua'].get('/api/persons?q=' + encodeURIComponent('Петров Иван'));
	assert.equal(s.status, 200);
	assert.ok(!s.json.items.some((h) => h.id === 'RU-M1'), 'RU\'s missing man is not in UA\'s search');
	isError(await as['reg-ua'].get('/api/persons/NOPE-1'), 404, 'not_found');
});

test('person JSON is the shape of `cartel person show --json`', async () => {
	const r = await as.med.get('/api/persons/UA-1');
	const cli = JSON.parse(cartel(reg.db, ['person', 'show', '--json', 'UA-1']));
	assert.deepEqual(Object.keys(r.json).sort(), Object.keys(cli).sort());
	assert.deepEqual(r.json.person, cli.person);
});

test('registrars change only their records; hotline and mediator never', async () => {
	const v = (await as['reg-ua'].get('/api/persons/UA-1')).json.version;
	const ok = await as['reg-ua'].post('/api/persons/UA-1/events', { type: 'health', value: 'sick', version: v });
	assert.equal(ok.status, 201, ok.text);
	assert.equal(ok.json.person_id, 'UA-1');
	assert.ok(ok.json.version > v);
	// Held by RU: not UA's to change, though UA may read him.
	isError(await as['reg-ua'].post('/api/persons/RU-1/events', { type: 'health', value: 'sick' }), 403, 'forbidden');
	// UA's own, missing and held by no one: UA's to change.
	const own = await as['reg-ua'].post('/api/persons/UA-M1/events', { type: 'notes', value: 'letter from the family' });
	assert.equal(own.status, 201, own.text);
	isError(await as['reg-ru'].post('/api/persons/UA-1/events', { type: 'health', value: 'good' }), 403, 'forbidden');
	isError(await as.hot.post('/api/persons/UA-1/events', { type: 'health', value: 'good' }), 403, 'forbidden');
	isError(await as.med.post('/api/persons/UA-1/events', { type: 'health', value: 'good' }), 403, 'forbidden');
	const after = await as.med.get('/api/persons/UA-1');
	assert.equal(after.json.person.health, 'sick', 'the refused changes wrote nothing');
});

test('a stale version gets 409 with the current record, and writes nothing', async () => {
	const cur = (await as['reg-ua'].get('/api/persons/UA-1')).json;
	const first = await as['reg-ua'].post('/api/persons/UA-1/events', { type: 'health', value: 'convalescent', version: cur.version });
	assert.equal(first.status, 201);
	const second = await as['reg-ua'].post('/api/persons/UA-1/events', { type: 'health', value: 'good', version: cur.version });
	isError(second, 409, 'conflict');
	assert.equal(second.json.current.person.health, 'convalescent');
	assert.equal(second.json.current.version, first.json.version);
	const now = (await as['reg-ua'].get('/api/persons/UA-1')).json;
	assert.equal(now.person.health, 'convalescent');
});

test('CSRF: no token, or another session\'s token, is 403', async () => {
	const body = { type: 'health', value: 'good' };
	isError(await as['reg-ua'].post('/api/persons/UA-1/events', body, { csrf: false }), 403, 'forbidden');
	isError(await as['reg-ua'].post('/api/persons/UA-1/events', body,
		{ headers: { 'X-CSRF-Token': as['reg-ru'].csrf } }), 403, 'forbidden');
	const other = new Client(srv);
	await other.login('reg-ua');
	isError(await as['reg-ua'].post('/api/persons/UA-1/events', body,
		{ headers: { 'X-CSRF-Token': other.csrf } }), 403, 'forbidden', 'another session of the same user');
	isError(await as.hot.post('/api/logout', undefined, { csrf: false, raw: '' }), 403);
});

test('bad bodies: malformed JSON, wrong types, unknown fields, wrong type, too large', async () => {
	const c = as['reg-ua'];
	isError(await c.post('/api/persons/UA-1/events', undefined, { raw: '{"type": "health",', headers: { 'Content-Type': 'application/json' } }), 400, 'bad_request');
	const bin = Buffer.from('{"type":"notes","value":"\xff\xfe"}', 'latin1');
	isError(await c.post('/api/persons/UA-1/events', undefined, { raw: bin, headers: { 'Content-Type': 'application/json' } }), 400, 'bad_request');
	isError(await c.post('/api/persons/UA-1/events', { type: 'health', value: 7 }), 422, 'invalid');
	isError(await c.post('/api/persons/UA-1/events', { type: 'health', value: 'sick', version: 'x' }), 422);
	const unk = await c.post('/api/persons/UA-1/events', { type: 'health', value: 'sick', admin: true });
	isError(unk, 422);
	assert.match(unk.json.detail, /admin/);
	isError(await c.post('/api/persons/UA-1/events', { type: 'health', value: 'dancing' }), 422);
	isError(await c.post('/api/persons/UA-1/events', [1, 2]), 422);
	isError(await c.post('/api/persons/UA-1/events', undefined, { raw: 'type=health', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
	isError(await c.post('/api/persons/UA-1/events', { type: 'notes', value: 'x'.repeat(100000) }), 413, 'too_large');
	isError(await c.post('/api/inquiries', { family_name: 'Ш'.repeat(10000), requester: 'mother' }), 422);
	isError(await as.hot.post('/api/inquiries', { requester: 'mother' }), 422, 'invalid');
	isError(await c.req('PUT', '/api/persons/UA-1'), 405, 'method_not_allowed');
	isError(await c.get('/api/nothing-here'), 404, 'not_found');
	assert.equal((await c.get('/healthz')).status, 200, 'still serving');
});

let caseA, caseB, inqA;
test('the hotline files an inquiry and gets a case code to read out', async () => {
	const r = await as.hot.post('/api/inquiries', {
		family_name: 'Shevchenko', given_name: 'Serhiy', birth_date: '1990-05-01',
		requester: 'mother', relation: 'mother', contact: '+380 44 000 0000' });
	assert.equal(r.status, 201, r.text);
	assert.match(r.json.id, /^INQ-/);
	assert.match(r.json.case_code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
	assert.equal(r.json.matched, true, 'compared with the register');
	assert.equal(r.json.match_problem, undefined);
	caseA = r.json.case_code;
	inqA = r.json.id;
	const b = await as['reg-ua'].post('/api/inquiries', { family_name: 'Бондаренко', given_name: 'Олег', requester: 'wife' });
	assert.equal(b.status, 201, b.text);
	caseB = b.json.case_code;
	assert.notEqual(caseA, caseB);
	isError(await as.med.post('/api/inquiries', { family_name: 'X' }), 403, 'forbidden');
	// The code is stored only as its hash.
	const dump = fs.readFileSync(reg.db).toString('latin1');
	assert.ok(!dump.includes(caseA.replaceAll('-', '')), 'the case code is not in the register');
});

test('inquiries, review and call-backs, paged', async () => {
	const l = await as.hot.get('/api/inquiries?limit=1');
	assert.equal(l.status, 200);
	assert.equal(l.json.items.length, 1);
	assert.equal(l.json.total, 2);
	const one = await as.hot.get('/api/inquiries/' + inqA);
	assert.equal(one.json.id, inqA);
	const rv = await as.hot.get('/api/review');
	assert.equal(rv.status, 200);
	const item = rv.json.items.find((i) => i.inquiry_id === inqA && i.person_id === 'UA-1');
	assert.ok(item, 'UA-1 is a potential match of the inquiry');
	isError(await as.hot.post(`/api/review/${inqA}/UA-1`, { decision: 'confirm', reason: 'same man' }), 403, 'forbidden');
	isError(await as.med.post(`/api/review/${inqA}/UA-1`, { decision: 'maybe', reason: 'x' }), 422);
	isError(await as.root.get('/api/inquiries'), 403, 'forbidden');
});

test('the family sees "searching", then "Confirmed held since" after review', async () => {
	const fam = new Client(srv);
	const s0 = await fam.get('/api/cases/' + caseA);
	assert.equal(s0.status, 200, s0.text);
	assert.equal(s0.json.status, 'searching');
	assert.match(s0.json.warning, /never sold/);
	const d = await as.med.post(`/api/review/${inqA}/UA-1`, { decision: 'confirm', reason: 'same birth date and name' });
	assert.equal(d.status, 200, d.text);
	// Typed in lower case with spaces, as read over the phone.
	const typed = caseA.toLowerCase().replaceAll('-', ' ');
	const s1 = await fam.get('/api/cases/' + encodeURIComponent(typed));
	assert.equal(s1.status, 200);
	assert.equal(s1.json.status, 'held');
	assert.equal(s1.json.text, 'Confirmed held since 2024-03-01.');
	assert.deepEqual(Object.keys(s1.json).sort(), ['case', 'since', 'status', 'text', 'warning']);
	assert.ok(!s1.text.includes('Шевченко') && !s1.text.includes('UA-1'), 'no record, no id');
	// In the family's language, from the same catalogues as the page.
	const uk = await fam.get('/api/cases/' + caseA + '?lang=uk');
	assert.equal(uk.json.status, 'held');
	assert.equal(uk.json.text, 'Підтверджено, що утримується в полоні з 2024-03-01.');
	assert.match(uk.json.warning, /ніколи не продається/);
	const ru = await fam.get('/api/cases/' + caseA + '?lang=ru');
	assert.equal(ru.json.text, 'Подтверждено, что находится в плену с 2024-03-01.');
	// The other case's code shows the other case only.
	const sB = await fam.get('/api/cases/' + caseB);
	assert.notEqual(sB.json.case, s1.json.case);
	assert.ok(!sB.text.includes('held since'), sB.text);
	// A change on the man puts the mother on the call-back list.
	await as['reg-ua'].post('/api/persons/UA-1/events', { type: 'health', value: 'good' });
	const cb = await as.hot.get('/api/callbacks');
	assert.equal(cb.status, 200);
	assert.ok(cb.json.items.some((c) => c.inquiry_id === inqA), cb.text);
	isError(await as['reg-ua'].get('/api/callbacks'), 403);
	const done = await as.hot.post(`/api/inquiries/${inqA}/callback-done`, {});
	assert.equal(done.status, 200, done.text);
	assert.ok(done.json.done >= 1);
});

test('wrong case codes: 404, then 429 for that address; the right code still works from another', async () => {
	const fam = new Client(srv);
	isError(await fam.get('/api/cases/0000-0000-0000-0000-0000'), 404, 'not_found');
	isError(await fam.get('/api/cases/not-a-code'), 404);
	let last;
	for (let i = 0; i < 12; i++)
		last = await fam.get('/api/cases/ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZ' + (i % 10));
	isError(last, 429, 'too_many_requests');
	assert.ok(last.headers.get('retry-after'));
	isError(await fam.get('/api/cases/' + caseA), 429, 'too_many_requests', 'the guessing address is held off even with a right code');
	const other = await getFrom(srv, '127.0.0.2', '/api/cases/' + caseA);
	assert.equal(other.status, 200);
	assert.equal(other.json.status, 'held');
});

test('five wrong passwords lock the account; the right one is then 429', async () => {
	const c = new Client(srv);
	for (let i = 0; i < 5; i++)
		isError(await c.login('lock', 'not the password!'), 401);
	isError(await c.login('lock'), 429, 'too_many_requests');
	cartel(reg.db, ['user', 'password', 'lock', '--by', 'test'], 'another long password\n');
	assert.equal((await c.login('lock', 'another long password')).status, 200, 'a new password lifts the lock');
});

test('a disabled user\'s cookie stops working at once', async () => {
	const c = new Client(srv);
	assert.equal((await c.login('gone')).status, 200);
	assert.equal((await c.get('/api/inquiries')).status, 200);
	cartel(reg.db, ['user', 'disable', 'gone', '--by', 'test']);
	isError(await c.get('/api/inquiries'), 401, 'unauthorized');
	isError(await c.login('gone'), 401);
});

test('logout ends the session', async () => {
	const c = new Client(srv);
	await c.login('hot2');
	const saved = c.cookie;
	const r = await c.post('/api/logout', {});
	assert.equal(r.status, 200);
	assert.match(r.setCookie, /Max-Age=0/);
	isError(await c.get('/api/session', { headers: { Cookie: saved } }), 401);
});

test('statistics: public counts under 5 read "fewer than 5"; exact for a mediator', async () => {
	const pub = await new Client(srv).get('/api/stats');
	assert.equal(pub.status, 200);
	assert.equal(pub.json.persons, 'fewer than 5');
	const ua = pub.json.parties.find((p) => p.held_by === 'UA');
	assert.equal(ua.held, 'fewer than 5');
	const exact = await as.med.get('/api/stats');
	assert.equal(exact.json.persons, 4);
	const cli = JSON.parse(cartel(reg.db, ['stats', '--json']));
	assert.equal(cli.persons, 4);
	assert.deepEqual(Object.keys(exact.json).sort(), Object.keys(cli).filter((k) => k !== 'owner').sort());
	const hot = await as.hot.get('/api/stats');
	assert.equal(hot.json.persons, 'fewer than 5', 'the hotline reads public figures');
});

test('charts: the SVG of cartel report, public for the hotline, exact for a mediator', async () => {
	const desc = (t) => (t.match(/<desc>(.*)<\/desc>/) || [])[1] || '';
	const pub = await new Client(srv).get('/api/stats/charts/time-held.svg');
	assert.equal(pub.status, 200);
	assert.equal(pub.headers.get('content-type'), 'image/svg+xml');
	assert.match(pub.text, /<title>Time in captivity<\/title>/);
	assert.match(desc(pub.text), /fewer than 5/);
	assert.doesNotMatch(desc(pub.text), /: [1-4](;|$)/, 'no count from 1 to 4 in public');
	const hot = await as.hot.get('/api/stats/charts/time-held.svg');
	assert.doesNotMatch(desc(hot.text), /: [1-4](;|$)/, 'the hotline reads public figures');
	const exact = await as.med.get('/api/stats/charts/time-held.svg');
	assert.match(desc(exact.text), /: 1(;|$)/, 'a mediator reads exact counts');
	const uk = await as.med.get('/api/stats/charts/time-held.svg?lang=uk');
	assert.match(uk.text, /<title>Час у полоні<\/title>/);
	const png = await as.med.req('GET', '/api/stats/charts/held.png');
	assert.equal(png.status, 200);
	assert.equal(png.headers.get('content-type'), 'image/png');
	isError(await as.med.get('/api/stats/charts/nosuch.svg'), 404, 'not_found');
	isError(await as.med.get('/api/stats/charts/held.pdf'), 404, 'not_found');
});

test('the access log: who read which record, and every refusal; admin only', async () => {
	isError(await as.hot.get('/api/access-log'), 403, 'forbidden');
	const r = await as.root.get('/api/access-log?limit=200');
	assert.equal(r.status, 200);
	const it = r.json.items;
	assert.ok(it.length > 10);
	assert.ok(it.some((e) => e.action === 'person.read' && e.subject === 'UA-1' && e.user === 'med' && e.address === '127.0.0.1'));
	assert.ok(it.some((e) => e.action === 'person.change' && e.subject === 'RU-1' && e.decision === 'denied' && e.user === 'reg-ua'));
	assert.ok(it.some((e) => e.action === 'login' && e.decision === 'denied'));
	assert.ok(it.some((e) => e.action === 'case.read' && e.decision === 'denied' && e.user === 'family'));
	assert.ok(it.some((e) => e.action === 'csrf' && e.decision === 'denied'));
	assert.ok(!r.text.includes('Шевченко'), 'no names in the access log');
	// Pages, newest first (each read of the log is itself logged).
	const p2 = await as.root.get('/api/access-log?limit=5&offset=5');
	assert.equal(p2.json.items.length, 5);
	const seqs = p2.json.items.map((e) => e.seq);
	assert.deepEqual(seqs, seqs.slice().sort((a, b) => b - a));
	assert.ok(seqs[0] < it[0].seq && seqs[0] >= it[5].seq);
	assert.ok(r.json.total >= it.length);
});

test('audit verification for admin and mediator, not the hotline', async () => {
	const r = await as.med.get('/api/audit/verify');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.ok, true);
	assert.ok(r.json.rows > 0);
	isError(await as.hot.get('/api/audit/verify'), 403);
});

test('static files: types, caching and headers; no way out of the folder', async () => {
	const c = new Client(srv);
	const i = await c.get('/');
	assert.equal(i.status, 200);
	assert.match(i.headers.get('content-type'), /^text\/html/);
	assert.match(i.headers.get('content-security-policy'), /default-src 'self'/);
	assert.equal(i.headers.get('x-content-type-options'), 'nosniff');
	assert.equal(i.headers.get('cache-control'), 'no-cache');
	const js = await c.get('/js/app.js');
	assert.match(js.headers.get('content-type'), /^text\/javascript/);
	assert.match(js.headers.get('cache-control'), /max-age/);
	for (const p of ['/link.txt', '/up/secret.txt', '/%2e%2e/secret.txt',
		'/js/%2e%2e/%2e%2e/secret.txt', '/%252e%252e/secret.txt',
		'/..%2fsecret.txt', '/js/..%5c..%5csecret.txt', '/.hidden', '/nothing.html'])
		isError(await c.get(p), 404, 'not_found');
	for (const p of ['/../secret.txt', '/js/../../secret.txt', '/../../../../etc/passwd',
		'/%2e%2e/%2e%2e/etc/passwd', '/web/../../secret.txt']) {
		const r = await rawRequest(srv, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
		assert.equal(r.status, 404, `${p}: ${r.text.slice(0, 80)}`);
		assert.ok(!r.text.includes('outside the web folder') && !r.text.includes('root:'));
	}
	isError(await c.req('POST', '/index.html', { raw: 'x' }), 405);
});

test('oversized headers and request lines are refused; the server keeps serving', async () => {
	const big = await rawRequest(srv, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100000)}\r\nConnection: close\r\n\r\n`);
	assert.ok([400, 413, 431].includes(big.status), big.text.slice(0, 80));
	const line = await rawRequest(srv, `GET /${'a'.repeat(100000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
	assert.ok([400, 414, 431].includes(line.status), line.text.slice(0, 80));
	assert.equal((await new Client(srv).get('/healthz')).status, 200);
});

test('the OpenAPI file lists exactly the routes the server has', async () => {
	const spec = JSON.parse(fs.readFileSync(path.join(TOP, 'docs', 'openapi.json'), 'utf8'));
	assert.match(spec.openapi, /^3\./);
	const documented = [];
	for (const [p, ops] of Object.entries(spec.paths))
		for (const m of Object.keys(ops))
			if (['get', 'post', 'put', 'delete', 'patch'].includes(m))
				documented.push(`${m.toUpperCase()} ${p}`);
	const { execFileSync } = await import('node:child_process');
	const served = execFileSync(CARTEL, ['serve', '--routes']).toString().trim().split('\n');
	assert.deepEqual(documented.sort(), served.slice().sort());
	// And each is answered by a route, not "no such route".
	for (const r of served) {
		const [m, p] = r.split(' ');
		const url = p.replaceAll(/\{[a-z_]+\}/g, 'X');
		const res = await as.med.req(m, url, m === 'POST' ? { body: {} } : {});
		assert.ok(!(res.status === 404 && res.json?.detail === 'no such route'), `${r} is not served`);
	}
});

test('registrars add persons their party holds or its own missing; no one else', async () => {
	const r = await as['reg-ua'].post('/api/persons', { family_name: 'Мельник', given_name: 'Тарас', birth_date: '1999-09-09', held_by: 'UA', depends_on: 'RU' });
	assert.equal(r.status, 201, r.text);
	assert.ok(r.json.id);
	assert.ok(r.json.version > 0);
	const got = await as['reg-ua'].get('/api/persons/' + r.json.id);
	assert.equal(got.json.person.status, 'confirmed_captive');
	assert.equal(got.json.version, r.json.version);
	const miss = await as['reg-ua'].post('/api/persons', { family_name: 'Кравець', depends_on: 'UA', status: 'reported_missing' });
	assert.equal(miss.status, 201, miss.text);
	isError(await as['reg-ua'].post('/api/persons', { family_name: 'Иванов', held_by: 'RU' }), 403, 'forbidden');
	isError(await as.hot.post('/api/persons', { family_name: 'Иванов', held_by: 'UA' }), 403, 'forbidden');
	isError(await as['reg-ua'].post('/api/persons', { family_name: 'X', held_by: 'UA', salary: '5' }), 422);
	isError(await as['reg-ua'].post('/api/persons', { family_name: 'X', held_by: 'UA', birth_date: '1990-02-30' }), 422);
	isError(await as['reg-ua'].post('/api/persons', { family_name: 'X', held_by: 'UA', id: 'UA-1' }), 422);
	isError(await as['reg-ua'].post('/api/persons', { family_name: ['X'], held_by: 'UA' }), 422);
});

test('an inquiry that cannot be compared is recorded, and the answer says so', async () => {
	// The register refuses to keep any potential match (a trigger put in
	// by hand): the inquiry is still recorded with its code, and the
	// answer says it was not compared rather than "no candidates".
	const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 20000', reg.db, q], { encoding: 'utf8' });
	sql("CREATE TRIGGER no_keep BEFORE INSERT ON match_candidate BEGIN SELECT RAISE(ABORT, 'kept nowhere'); END");
	let r;
	try {
		r = await as.hot.post('/api/inquiries', {
			family_name: 'Shevchenko', given_name: 'Serhiy', birth_date: '1990-05-01',
			requester: 'sister', relation: 'sister' }, { headers: { 'Accept-Language': 'uk' } });
	} finally {
		sql('DROP TRIGGER no_keep');
	}
	assert.equal(r.status, 201, r.text);
	assert.match(r.json.case_code, /^[0-9A-Z]{4}-/);
	assert.equal(r.json.matched, false);
	assert.equal(r.json.candidates, 0);
	assert.match(r.json.match_problem, /cartel inquiry match/);
	assert.match(r.json.match_problem, /[А-Яа-яІіЇїЄє]{4}/, 'in the asker\'s language');
	// Run again, it finds what the first inquiry found.
	const out = cartel(reg.db, ['inquiry', 'match', r.json.id, '--by', 'registrar']);
	assert.match(out, /potential match/, out);
});

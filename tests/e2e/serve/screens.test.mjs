// Duplicates and merging, imports with their progress, and closing an
// inquiry, through the API: each route for each role, the refusals the
// library makes coming back as 4xx JSON with its words, and the larger
// body limit of the upload route alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client, startServer, cartel, isError, rawRequest, TOP, TMP, PASSWORD } from './lib.mjs';

// UA-1 and UA-1B: one man twice, held by UA. RU-1 and RU-1B: one man
// twice, held by RU; X-UA the same man again, held by UA. P-1 and P-1B:
// one man twice, P-1 proposed for exchange (a round not yet settled).
const CSV = `id,family_name,given_name,patronymic,birth_date,depends_on,held_by,status,held_since
UA-1,Шевченко,Сергій,Петрович,1990-05-01,RU,UA,confirmed_captive,2024-03-01
UA-1B,Shevchenko,Serhii,Petrovych,1990-05-01,RU,UA,confirmed_captive,2024-03-01
RU-1,Коваленко,Андрій,Іванович,1985-02-02,UA,RU,confirmed_captive,2023-11-01
RU-1B,Kovalenko,Andrii,Ivanovych,1985-02-02,UA,RU,confirmed_captive,2023-11-01
X-UA,Коваленко,Андрей,Иванович,1985-02-02,RU,UA,confirmed_captive,2023-11-01
P-1,Мельник,Тарас,Богданович,1985-02-11,RU,UA,confirmed_captive,2023-08-20
P-1B,Melnyk,Taras,Bohdanovych,1985-02-11,RU,UA,confirmed_captive,2023-08-20
`;

let dir, db, srv;
const c = {};
const anon = () => new Client(srv);

before(async () => {
	dir = fs.mkdtempSync(path.join(TMP, 'screens-'));
	db = path.join(dir, 'r.db');
	cartel(db, ['init']);
	fs.writeFileSync(path.join(dir, 'list.csv'), CSV);
	cartel(db, ['import', 'csv', path.join(dir, 'list.csv')]);
	cartel(db, ['event', 'add', 'P-1', 'status', 'proposed', '--by', 'bureau',
		'--source', 'official_list']);
	for (const [u, role, party] of [['root', 'admin'], ['reg-ua', 'registrar', 'UA'],
		['reg-ru', 'registrar', 'RU'], ['med', 'mediator'], ['hot', 'hotline']])
		cartel(db, ['user', 'add', u, '--role', role, '--by', 'test',
			...(party ? ['--party', party] : [])], PASSWORD + '\n');
	srv = await startServer({ db, web: path.join(TOP, 'web') }, ['--login-limit', '1000']);
	for (const u of ['root', 'reg-ua', 'reg-ru', 'med', 'hot']) {
		c[u] = new Client(srv);
		assert.equal((await c[u].login(u)).status, 200);
	}
});

after(async () => {
	if (srv) assert.equal((await srv.stop()).code, 0, 'the server exits cleanly');
	cartel(db, ['audit', 'verify']);
});

const pairOf = (items, a, b) => items.find((p) =>
	(p.a === a && p.b === b) || (p.a === b && p.b === a));

test('duplicates: a registrar sees his party\'s pairs, an admin all; others may not', async () => {
	const ua = await c['reg-ua'].get('/api/duplicates');
	assert.equal(ua.status, 200, ua.text);
	const p = pairOf(ua.json.items, 'UA-1', 'UA-1B');
	assert.ok(p, 'the UA pair is shown to UA\'s registrar');
	assert.equal(p.records.a.id === 'UA-1' ? p.records.b.id : p.records.a.id, 'UA-1B',
		'both records side by side');
	const fam = p.evidence.find((e) => e.field === 'family_name');
	assert.match(fam.how, /^the same (name|surname)/, 'evidence in words');
	assert.ok(!pairOf(ua.json.items, 'RU-1', 'RU-1B'), 'not the pair RU holds');
	assert.ok(!pairOf(ua.json.items, 'RU-1', 'X-UA'), 'not a pair across parties');
	const ru = await c['reg-ru'].get('/api/duplicates');
	assert.ok(pairOf(ru.json.items, 'RU-1', 'RU-1B'));
	assert.ok(!pairOf(ru.json.items, 'UA-1', 'UA-1B'));
	const all = await c.root.get('/api/duplicates?limit=200');
	assert.equal(all.status, 200);
	assert.ok(pairOf(all.json.items, 'UA-1', 'UA-1B') && pairOf(all.json.items, 'RU-1', 'RU-1B'));
	assert.equal(all.json.total, all.json.items.length);
	isError(await c.hot.get('/api/duplicates'), 403, 'forbidden');
	isError(await c.med.get('/api/duplicates'), 403, 'forbidden');
	isError(await anon().get('/api/duplicates'), 401, 'unauthorized');
	isError(await c.root.get('/api/duplicates?limit=0'), 400);
});

test('merge: the library\'s refusals come back as 4xx with its words', async () => {
	const m = (who, body, o) => c[who].post('/api/merges', body, o);
	let r = await m('reg-ua', { keep: 'UA-1', other: 'UA-1', reason: 'same man' });
	isError(r, 422, 'invalid', 'into himself');
	r = await m('reg-ua', { keep: 'P-1', other: 'P-1B', reason: 'same man' });
	isError(r, 422, 'invalid', 'across a pending round');
	assert.match(r.json.detail, /P-1 is proposed for exchange .* not yet settled/);
	r = await m('reg-ua', { keep: 'X-UA', other: 'RU-1', reason: 'same man' });
	isError(r, 403, 'forbidden', 'a registrar across parties');
	assert.match(r.json.detail, /a registrar of UA merges only/);
	isError(await m('hot', { keep: 'UA-1', other: 'UA-1B', reason: 'x' }), 403, 'forbidden');
	isError(await m('med', { keep: 'UA-1', other: 'UA-1B', reason: 'x' }), 403, 'forbidden');
	isError(await anon().post('/api/merges', { keep: 'UA-1', other: 'UA-1B', reason: 'x' }), 401);
	isError(await m('reg-ua', { keep: 'UA-1', other: 'UA-1B', reason: 'x' }, { csrf: false }),
		403, 'forbidden', 'without the CSRF token');
	isError(await m('reg-ua', { keep: 'UA-1', other: 'NOPE', reason: 'x' }), 404);
	isError(await m('reg-ua', { keep: 'UA-1', other: 'UA-1B' }), 422, 'invalid', 'no reason');
	isError(await m('reg-ua', { keep: 'UA-1', other: 'UA-1B', reason: 'x', extra: 1 }), 422);
	// Nothing was merged by any of these.
	const s = await c['reg-ua'].get('/api/persons?q=' + encodeURIComponent('Shevchenko Serhii'));
	assert.deepEqual(s.json.items.map((h) => h.id).sort(), ['UA-1', 'UA-1B']);
});

test('merge and undo: the search shows one man, then two again', async () => {
	let r = await c['reg-ua'].post('/api/merges', { keep: 'UA-1', other: 'UA-1B', reason: 'one man, two lists' });
	assert.equal(r.status, 201, r.text);
	assert.deepEqual({ keep: r.json.keep, other: r.json.other }, { keep: 'UA-1', other: 'UA-1B' });
	let s = await c['reg-ua'].get('/api/persons?q=' + encodeURIComponent('Shevchenko Serhii'));
	assert.deepEqual(s.json.items.map((h) => h.id), ['UA-1'], 'one man');
	const rec = await c['reg-ua'].get('/api/persons/UA-1');
	assert.equal(rec.json.merged[0].id, 'UA-1B', 'the record shows what was merged into it');
	r = await c['reg-ua'].post('/api/merges', { keep: 'UA-1B', other: 'UA-1', reason: 'x' });
	isError(r, 422, 'invalid', 'into a merged record');
	const dup = await c['reg-ua'].get('/api/duplicates');
	assert.ok(!pairOf(dup.json.items, 'UA-1', 'UA-1B'), 'a merged pair is no longer a duplicate');
	isError(await c['reg-ru'].post('/api/merges/UA-1B/undo', { reason: 'x' }), 403, 'forbidden',
		'another party\'s registrar');
	isError(await c.hot.post('/api/merges/UA-1B/undo', { reason: 'x' }), 403, 'forbidden');
	isError(await c['reg-ua'].post('/api/merges/UA-1B/undo', {}), 422, 'invalid', 'no reason');
	r = await c['reg-ua'].post('/api/merges/UA-1B/undo', { reason: 'two men after all' });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { other: 'UA-1B', keep: 'UA-1' });
	s = await c['reg-ua'].get('/api/persons?q=' + encodeURIComponent('Shevchenko Serhii'));
	assert.deepEqual(s.json.items.map((h) => h.id).sort(), ['UA-1', 'UA-1B']);
	r = await c['reg-ua'].post('/api/merges/UA-1B/undo', { reason: 'again' });
	isError(r, 422, 'invalid', 'a record not merged');
	// An admin merges across parties.
	r = await c.root.post('/api/merges', { keep: 'RU-1', other: 'RU-1B', reason: 'one man' });
	assert.equal(r.status, 201, r.text);
});

test('closing an inquiry: a reason required, its history kept, closed once', async () => {
	const f = await c.hot.post('/api/inquiries', { family_name: 'Мельник', given_name: 'Тарас',
		birth_date: '1985-02-11', requester: 'Олена', relation: 'wife', contact: '+380 1' });
	assert.equal(f.status, 201, f.text);
	const id = f.json.id;
	isError(await c.hot.post(`/api/inquiries/${id}/close`, { reason: '' }), 422, 'invalid');
	isError(await c.hot.post(`/api/inquiries/${id}/close`, {}), 422, 'invalid');
	isError(await c.root.post(`/api/inquiries/${id}/close`, { reason: 'x' }), 403, 'forbidden');
	isError(await anon().post(`/api/inquiries/${id}/close`, { reason: 'x' }), 401);
	isError(await c.hot.post(`/api/inquiries/${id}/close`, { reason: 'x' }, { csrf: false }), 403);
	isError(await c.hot.post('/api/inquiries/INQ-999999/close', { reason: 'x' }), 404);
	const r = await c.hot.post(`/api/inquiries/${id}/close`, { reason: 'the family found him' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.state, 'closed');
	assert.equal(r.json.closed.reason, 'the family found him');
	assert.ok(r.json.history.some((h) => /closed/.test(h.what)), 'the closing is in its history');
	assert.ok(r.json.candidates.every((x) => x.state !== 'pending'), 'no candidate left pending');
	const again = await c.med.post(`/api/inquiries/${id}/close`, { reason: 'again' });
	isError(again, 422, 'invalid', 'closed twice');
	assert.match(again.json.detail, /already closed/);
});

test('confirming one candidate closes the inquiry\'s others', async () => {
	const f = await c.hot.post('/api/inquiries', { family_name: 'Kovalenko', given_name: 'Andrii',
		birth_date: '1985-02-02', requester: 'Ірина', relation: 'sister', contact: '+380 2' });
	const id = f.json.id;
	let q = (await c.hot.get(`/api/inquiries/${id}`)).json;
	const pending = q.candidates.filter((x) => x.state === 'pending');
	assert.ok(pending.length >= 2, `two candidates or more: ${JSON.stringify(q.candidates)}`);
	const r = await c.med.post(`/api/review/${id}/${pending[0].person_id}`,
		{ decision: 'confirm', reason: 'the sister knew his scar' });
	assert.equal(r.status, 200, r.text);
	q = (await c.hot.get(`/api/inquiries/${id}`)).json;
	assert.equal(q.state, 'confirmed');
	for (const x of q.candidates.filter((y) => y.person_id !== pending[0].person_id))
		assert.equal(x.state, 'rejected', `${x.person_id} closed with the confirmation`);
});

// n rows of persons UA holds; every 100th held by RU, every 250th with a
// birth date that is no date.
function bigList(n, prefix) {
	const rows = ['id,family_name,given_name,birth_date,held_by,depends_on,status'];
	for (let i = 1; i <= n; i++) {
		const holder = i % 100 === 0 ? 'RU' : 'UA';
		const born = i % 250 === 0 ? '1990-02-30' : `19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`;
		rows.push(`${prefix}-${i},Прізвище${i},Імʼя,${born},${holder},RU,confirmed_captive`);
	}
	return rows.join('\n') + '\n';
}

async function finish(client, id) {
	const seen = [];
	for (let i = 0; i < 600; i++) {
		const r = await client.get(`/api/imports/${id}`);
		assert.equal(r.status, 200, r.text);
		seen.push(r.json);
		if (r.json.state !== 'running')
			return seen;
		await new Promise((res) => setTimeout(res, 50));
	}
	throw new Error('the import did not finish');
}

test('imports: a registrar\'s list goes in; rows of another party are rejected by rule', async () => {
	const csv = bigList(3000, 'IMP');
	const r = await c['reg-ua'].post('/api/imports?name=list.csv', undefined,
		{ raw: csv, headers: { 'Content-Type': 'text/csv' } });
	assert.equal(r.status, 202, r.text);
	assert.match(r.json.id, /^IMP-[0-9a-f]{16}$/);
	assert.equal(r.json.state, 'running');
	const seen = await finish(c['reg-ua'], r.json.id);
	const last = seen[seen.length - 1];
	assert.equal(last.state, 'done', JSON.stringify(last));
	assert.equal(last.done, 3000);
	assert.equal(last.total, 3000);
	for (let i = 1; i < seen.length; i++)
		assert.ok(seen[i].done >= seen[i - 1].done, 'the count never goes back');
	const res = last.result;
	assert.equal(res.rows_read, 3000);
	assert.equal(res.rejected, 30 + 12 - 6, 'by party 30, by date 12, 6 both');
	assert.equal(res.imported, 3000 - res.rejected);
	const byParty = res.rejects.find((x) => x.row === 101);
	assert.equal(byParty.column, 'held_by');
	assert.match(byParty.reason, /a registrar of UA/);
	const byDate = res.rejects.find((x) => x.row === 251);
	assert.equal(byDate.column, 'birth_date');
	assert.doesNotMatch(JSON.stringify(res.rejects), /Прізвище|1990-02-30/, 'never a cell');
	// The register holds them; another's job is not his to read.
	assert.equal((await c['reg-ua'].get('/api/persons/IMP-1')).status, 200);
	isError(await c['reg-ru'].get(`/api/imports/${r.json.id}`), 404);
	isError(await c.hot.get(`/api/imports/${r.json.id}`), 403);
});

test('imports: who may not, what is not a list, and the body limits', async () => {
	const up = (who, body, type = 'text/csv', o = {}) => c[who].post('/api/imports', undefined,
		{ raw: body, headers: { 'Content-Type': type }, ...o });
	const small = 'id,family_name,held_by\nS-1,Тест,UA\n';
	isError(await up('hot', small), 403, 'forbidden');
	isError(await up('med', small), 403, 'forbidden');
	isError(await up('root', small), 403, 'forbidden');
	isError(await up('reg-ua', small, 'text/csv', { csrf: false }), 403, 'forbidden');
	isError(await anon().post('/api/imports', undefined, { raw: small, headers: { 'Content-Type': 'text/csv' } }), 401);
	isError(await up('reg-ua', small, 'application/json'), 415, 'unsupported_media_type');
	// A list of 1 MiB is taken; 9 MiB is over the upload limit.
	const mib = bigList(20000, "BIG");
	assert.ok(mib.length > (1 << 20) && mib.length < (8 << 20));
	const ok = await up('reg-ua', mib);
	assert.equal(ok.status, 202, ok.text);
	const running = await up('reg-ua', small);
	if (running.status !== 202)
		isError(running, 409, 'conflict', 'one import at a time');
	await finish(c['reg-ua'], ok.json.id);
	// Told by Content-Length, the answer comes before the body is sent.
	const u = c['reg-ua'];
	const over = await rawRequest(srv, 'POST /api/imports HTTP/1.1\r\nHost: x\r\n' +
		`Cookie: ${u.cookie}\r\nX-CSRF-Token: ${u.csrf}\r\n` +
		`Content-Type: text/csv\r\nContent-Length: ${9 << 20}\r\n` +
		'Connection: close\r\n\r\nid,family_name\n', { waitMs: 2000 });
	assert.equal(over.status, 413, over.text.slice(0, 200));
	assert.match(over.text, /"error":"too_large".*8 MiB/);
	// Every other route keeps the small limit.
	const other = await c['reg-ua'].post('/api/persons', undefined,
		{ raw: JSON.stringify({ family_name: 'x'.repeat(100 << 10) }),
			headers: { 'Content-Type': 'application/json' } });
	isError(other, 413, 'too_large');
	assert.match(other.json.detail, /64 KiB/);
	// An empty list fails as a job, with the reason.
	const empty = await up('reg-ua', '');
	assert.equal(empty.status, 202, empty.text);
	const seen = await finish(c['reg-ua'], empty.json.id);
	assert.equal(seen[seen.length - 1].state, 'failed');
	assert.match(seen[seen.length - 1].error, /empty/);
});

test('imports: a workbook (XLSX) goes in as its CSV would, rejects named by the sheet\'s rows', async () => {
	// A workbook written by `cartel export xlsx` from another register.
	const other = path.join(dir, 'other.db');
	cartel(other, ['init']);
	fs.writeFileSync(path.join(dir, 'other.csv'), 'id,family_name,given_name,birth_date,held_by,depends_on,status\n' +
		'XL-1,Гнатюк,Петро,1980-01-01,UA,RU,confirmed_captive\n' +
		'XL-2,Гнатюк,Павло,1981-01-01,RU,UA,confirmed_captive\n' +
		'XL-3,Гнатюк,Іван,1982-01-01,UA,RU,confirmed_captive\n');
	cartel(other, ['import', 'csv', path.join(dir, 'other.csv')]);
	const book = path.join(dir, 'list.xlsx');
	cartel(other, ['export', 'xlsx', '-o', book]);
	const r = await c['reg-ua'].post('/api/imports?name=list.xlsx', undefined, { raw: fs.readFileSync(book),
		headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } });
	assert.equal(r.status, 202, r.text);
	const seen = await finish(c['reg-ua'], r.json.id);
	const last = seen[seen.length - 1];
	assert.equal(last.state, 'done', JSON.stringify(last));
	assert.equal(last.result.imported, 2);
	assert.deepEqual(last.result.rejects.map((x) => [x.row, x.column]), [[3, 'held_by']]);
	// A file that is not a workbook fails, with why.
	const bad = await c['reg-ua'].post('/api/imports?name=bad.xlsx', undefined, { raw: 'not a zip',
		headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } });
	const end = (await finish(c['reg-ua'], bad.json.id)).pop();
	assert.equal(end.state, 'failed');
	assert.match(end.error, /bad\.xlsx/);
});

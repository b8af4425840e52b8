// The PFIF feed through the API (GET /api/pfif, docs/api.md): each role
// gets what it may publish and no more, every document passes the PFIF
// 1.4 checker (tests/tools/pfif_validate), pages follow one another by
// min_entry_date and skip without losing or repeating a person, and every
// page is in the transfer log and every decision in the access log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client, makeRegister, startServer, cartel, isError } from './lib.mjs';

const VALIDATE = path.join(process.env.BUILD, 'pfif_validate');
let reg, srv;
const as = {};
let n = 0;

before(async () => {
	reg = makeRegister('pfif');
	// More of UA's own reported missing, all recorded in one import (one
	// second), for the pages.
	let csv = 'id,family_name,given_name,birth_date,depends_on,status\n';
	for (let i = 1; i <= 7; i++)
		csv += `UA-P${i},Мельник,Тарас${i},1990-01-0${i},UA,reported_missing\n`;
	fs.writeFileSync(path.join(reg.dir, 'more.csv'), csv);
	cartel(reg.db, ['import', 'csv', path.join(reg.dir, 'more.csv')]);
	srv = await startServer(reg, ['--login-limit', '1000']);
	for (const u of ['root', 'reg-ua', 'med', 'hot']) {
		as[u] = new Client(srv);
		assert.equal((await as[u].login(u)).status, 200);
	}
});
after(async () => {
	if (srv) assert.equal((await srv.stop()).code, 0);
	cartel(reg.db, ['audit', 'verify']);
});

// A feed as the checker sees it: valid PFIF 1.4, its person record ids.
function check(r) {
	assert.equal(r.status, 200, r.text);
	assert.match(r.headers.get('content-type'), /^application\/xml/);
	const f = path.join(reg.dir, `feed-${++n}.xml`);
	fs.writeFileSync(f, r.text);
	const out = execFileSync(VALIDATE, [f]).toString();
	assert.match(out, /^ok /, out);
	return [...r.text.matchAll(/<pfif:person>\s*<pfif:person_record_id>cartel\.invalid\/([^<]+)</g)]
		.map((m) => m[1]).sort();
}

const MISSING = ['RU-M1', 'UA-M1', 'UA-P1', 'UA-P2', 'UA-P3', 'UA-P4',
	'UA-P5', 'UA-P6', 'UA-P7'];

test('no session: nothing', async () => {
	isError(await new Client(srv).get('/api/pfif'), 401, 'unauthorized');
});

test('the hotline: what may be published, never a captive', async () => {
	assert.deepEqual(check(await as.hot.get('/api/pfif')), MISSING);
	isError(await as.hot.get('/api/pfif?include_captives=1'), 403, 'forbidden');
	isError(await as.hot.get('/api/pfif?with=notes'), 403, 'forbidden');
	isError(await as.hot.get('/api/pfif?with=health'), 403, 'forbidden');
});

test('a registrar: his party\'s persons, captives only when asked', async () => {
	const own = MISSING.filter((id) => id !== 'RU-M1');
	assert.deepEqual(check(await as['reg-ua'].get('/api/pfif')), own);
	// UA holds UA-1; RU-1 is UA's own, held by RU; RU-M1 is neither.
	assert.deepEqual(check(await as['reg-ua'].get('/api/pfif?include_captives=1')),
		['RU-1', 'UA-1', ...own].sort());
});

test('the mediator and the admin: as the command line', async () => {
	const cli = (args) => {
		const f = path.join(reg.dir, `cli-${++n}.xml`);
		cartel(reg.db, ['export', 'pfif', '-o', f, '--quiet', ...args]);
		return check({ status: 200, text: fs.readFileSync(f, 'utf8'),
			headers: new Map([['content-type', 'application/xml']]) });
	};
	for (const u of ['med', 'root']) {
		assert.deepEqual(check(await as[u].get('/api/pfif')), cli([]), u);
		const all = check(await as[u].get('/api/pfif?include_captives=1&with=health,notes'));
		assert.deepEqual(all, cli(['--include-captives']), u);
		assert.ok(all.includes('UA-1') && all.includes('RU-1'), 'captives when asked');
	}
});

test('pages by min_entry_date and skip: nobody lost, nobody twice', async () => {
	const seen = [];
	let url = '/api/pfif?max_results=2';
	let pages = 0;
	while (url) {
		const r = await as.med.get(url);
		const ids = check(r);
		assert.ok(ids.length <= 2, 'a page of at most 2');
		seen.push(...ids);
		const link = r.headers.get('link');
		url = link ? link.match(/^<([^>]+)>; rel="next"$/)[1] : null;
		assert.ok(++pages < 20, 'the pages end');
	}
	assert.equal(pages, 5);
	assert.deepEqual(seen.slice().sort(), MISSING, 'every person once');
	// From the newest entry_date seen: the persons of that second again.
	const last = (await as.med.get('/api/pfif')).text
		.match(/<pfif:entry_date>([^<]+)</g).map((m) => m.slice(17, -1)).sort().pop();
	const again = check(await as.med.get('/api/pfif?min_entry_date=' + last));
	assert.ok(again.length >= 1, 'the last second again');
	assert.equal(check(await as.med.get('/api/pfif?min_entry_date=2999-01-01T00:00:00Z')).length, 0);
});

test('bad questions', async () => {
	isError(await as.med.get('/api/pfif?skip=-1'), 400, 'bad_request');
	isError(await as.med.get('/api/pfif?max_results=1001'), 400, 'bad_request');
	isError(await as.med.get('/api/pfif?include_captives=yes'), 400, 'bad_request');
	isError(await as.med.get('/api/pfif?min_entry_date=yesterday'), 422, 'invalid');
	isError(await as.med.get('/api/pfif?with=rank'), 422, 'invalid');
	isError(await as.med.get('/api/pfif?domain=a%20b'), 422, 'invalid');
	isError(await as.med.get('/api/pfif?to=%01x'), 422, 'invalid');
	isError(await as.med.req('POST', '/api/pfif', { body: {} }), 405);
});

test('every page is a transfer, every decision in the access log', async () => {
	const r = await as.med.get('/api/pfif?to=ICRC%20CTA&max_results=3');
	check(r);
	const sha = crypto.createHash('sha256').update(r.text).digest('hex');
	const t = JSON.parse(cartel(reg.db, ['--json', 'transfers'])).transfers.pop();
	assert.deepEqual([t.kind, t.by, t.to, t.file, t.persons, t.sha256],
		['pfif', 'med', 'ICRC CTA', '/api/pfif', 3, sha]);
	// A HEAD asks for the headers alone: the same type and length as the
	// page, no body, and nothing left, so nothing is recorded.
	const count = () => JSON.parse(cartel(reg.db, ['--json', 'transfers'])).transfers.length;
	const n0 = count();
	const h = await as.med.req('HEAD', '/api/pfif?to=ICRC%20CTA&max_results=3');
	assert.equal(h.status, 200);
	assert.equal(h.text, '');
	assert.match(h.headers.get('content-type'), /^application\/xml/);
	assert.equal(Number(h.headers.get('content-length')), Buffer.byteLength(r.text));
	assert.equal(count(), n0);
	// The hotline's refusal is logged as such; nothing is recorded for it.
	const before = JSON.parse(cartel(reg.db, ['--json', 'transfers'])).transfers.length;
	isError(await as.hot.get('/api/pfif?include_captives=1'), 403);
	assert.equal(JSON.parse(cartel(reg.db, ['--json', 'transfers'])).transfers.length, before);
	const log = (await as.root.get('/api/access-log?limit=200')).json.items;
	assert.ok(log.some((l) => l.user === 'hot' && l.action === 'pfif.protected' && l.decision === 'denied'));
	assert.ok(log.some((l) => l.user === 'med' && l.action === 'pfif.export' && l.decision === 'allowed'));
	assert.ok(log.some((l) => l.user === 'reg-ua' && l.action === 'pfif.protected' && l.decision === 'allowed'));
});

// A round document of 10,000 persons uploaded by a mediator: the route of
// documents takes bodies up to 16 MiB (docs/limits.md), every other route
// 64 KiB; a body over its limit gets 413 before the server keeps it,
// whether Content-Length announces it or it comes in chunks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client, cartel, startServer, isError, rawRequest, TMP, TOP, PASSWORD } from './lib.mjs';

const DOC_MAX = 16 * 1024 * 1024;
const BODY_MAX = 64 * 1024;
let dir, db, srv, doc, persons;
const c = {};

before(async () => {
	dir = fs.mkdtempSync(path.join(TMP, 'upload-'));
	db = path.join(dir, 'r.db');
	cartel(db, ['init']);
	// 14,000 generated captives; at most 5,000 a side, with those
	// repatriated directly outside the count: over 10,000 on the lists.
	cartel(db, ['generate', '--per-side', '7000', '--seed', '1', '--today', '2026-01-01',
		'-o', path.join(dir, 'g.csv')]);
	cartel(db, ['--quiet', 'import', 'csv', path.join(dir, 'g.csv')]);
	fs.writeFileSync(path.join(dir, 'p.yaml'), 'name: five thousand a side\n' +
		'parties: [UA, RU]\nmode: balanced\nratio: "1:1"\nmax_per_side: 5000\n');
	cartel(db, ['plan', '--policy', path.join(dir, 'p.yaml'), '-o', path.join(dir, 'plan.json')]);
	const out = cartel(db, ['round', 'new', '--plan', path.join(dir, 'plan.json'),
		'--kind', 'proposal', '--id', 'R-10K', '-o', path.join(dir, 'r.json')]);
	persons = parseInt(/(\d+) persons on its lists/.exec(out)[1], 10);
	for (const p of ['UA', 'RU']) {
		cartel(db, ['key', 'new', '--party', p, '-o', dir]);
		cartel(db, ['round', 'sign', path.join(dir, 'r.json'), '--key', path.join(dir, `${p}.key`)]);
	}
	doc = fs.readFileSync(path.join(dir, 'r.json'), 'utf8');
	cartel(db, ['user', 'add', 'med', '--role', 'mediator', '--by', 'test'], PASSWORD + '\n');
	srv = await startServer({ db, web: path.join(TOP, 'web') }, ['--login-limit', '1000']);
	c.med = new Client(srv);
	assert.equal((await c.med.login('med')).status, 200);
});

after(async () => {
	if (srv) assert.equal((await srv.stop()).code, 0, 'the server exits cleanly');
});

// A request body of exactly n bytes: {"document":"xxx..."}.
function bodyOf(n) {
	const head = '{"document":"', tail = '"}';
	return head + 'x'.repeat(n - head.length - tail.length) + tail;
}

// A body of exactly n bytes that is not JSON from its first byte (read
// whole, then refused at once).
function notJson(n) {
	return 'x'.repeat(n);
}

test('a signed round document of 10,000 persons goes up and verifies', async () => {
	assert.ok(persons >= 10000, `${persons} persons on the lists`);
	const body = JSON.stringify({ document: doc });
	assert.ok(body.length > 64 * BODY_MAX, `a body of ${body.length} bytes`);
	const up = await c.med.post('/api/documents', { document: doc });
	assert.equal(up.status, 201, up.text.slice(0, 300));
	assert.equal(up.json.round_id, 'R-10K');
	const got = await c.med.get(`/api/documents/${up.json.seq}`);
	assert.equal(got.status, 200);
	const cli = JSON.parse(cartel(db, ['--json', 'round', 'verify', path.join(dir, 'r.json')]));
	assert.equal(got.json.verification.ok, true, JSON.stringify(got.json.verification).slice(0, 300));
	assert.deepEqual(got.json.verification, cli, 'the verification of cartel round verify --json');
});

// A body sent in chunks (no Content-Length): the server counts it.
async function chunked(body) {
	const buf = Buffer.from(body);
	let off = 0;
	const stream = new ReadableStream({
		pull(ctl) {
			if (off >= buf.length) return ctl.close();
			ctl.enqueue(buf.subarray(off, off + (1 << 20)));
			off += 1 << 20;
		},
	});
	const r = await fetch(srv.base + '/api/documents', {
		method: 'POST', body: stream, duplex: 'half',
		headers: { Cookie: c.med.cookie, 'X-CSRF-Token': c.med.csrf,
			'Content-Type': 'application/json' },
	});
	return { status: r.status, json: await r.json() };
}

test('the document route: 16 MiB is taken, one byte more is 413', async () => {
	// At the limit the body is read whole: then it is no JSON (400).
	const at = await c.med.req('POST', '/api/documents', { raw: notJson(DOC_MAX),
		headers: { 'Content-Type': 'application/json' } });
	isError(at, 400, 'bad_request', 'a body of exactly 16 MiB is read');
	const atChunked = await chunked(notJson(DOC_MAX));
	assert.equal(atChunked.status, 400, JSON.stringify(atChunked.json));
	// One byte more, in chunks: counted as it comes, refused.
	const over = await chunked(notJson(DOC_MAX + 1));
	assert.equal(over.status, 413, JSON.stringify(over.json));
	assert.equal(over.json.error, 'too_large');
	assert.match(over.json.detail, /16 MiB/);
});

test('Content-Length over the limit is refused before any body is sent', async () => {
	// Only the headers are sent: the answer comes at once.
	const r = await rawRequest(srv, `POST /api/documents HTTP/1.1\r\nHost: x\r\n` +
		`Cookie: ${c.med.cookie}\r\nX-CSRF-Token: ${c.med.csrf}\r\n` +
		`Content-Type: application/json\r\nContent-Length: ${DOC_MAX + 1}\r\n\r\n`,
	{ waitMs: 1500 });
	assert.equal(r.status, 413, r.text.slice(0, 200));
	assert.match(r.text, /too_large/);
});

test('every other route keeps 64 KiB, and so does an upload without a session', async () => {
	const kib65 = bodyOf(65 * 1024);
	const h = { 'Content-Type': 'application/json' };
	for (const route of ['/api/inquiries', '/api/plan', '/api/policies', '/api/persons']) {
		const r = await c.med.req('POST', route, { raw: kib65, headers: h });
		isError(r, 413, 'too_large', route);
		assert.match(r.json.detail, /64 KiB/);
	}
	// Signed in, without the CSRF token; and without a session at all.
	isError(await c.med.req('POST', '/api/documents', { raw: kib65, headers: h, csrf: false }),
		413, 'too_large', 'no CSRF token');
	isError(await new Client(srv).req('POST', '/api/documents', { raw: kib65, headers: h }),
		413, 'too_large', 'no session');
	// A small body without a session is refused by the route as before.
	isError(await new Client(srv).post('/api/documents', { document: {} }), 401);
	// The server still serves.
	assert.equal((await c.med.get('/api/documents?limit=1')).status, 200);
});

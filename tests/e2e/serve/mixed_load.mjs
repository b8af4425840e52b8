// Many clients at once against cartel serve, mixing searches, reads of a
// person's record and event writes, for a given time; then the check that
// every write the server acknowledged is in the register. Used by
// tests/e2e/serve/load.test.mjs (small, in `make check`) and by
// bench/bench_serve.sh (200 clients for 60 s on a large register):
//
//   node mixed_load.mjs run --base URL --clients N --seconds S \
//        --hotline USER --registrar USER --password PW \
//        --write ID,ID,... --read ID,ID,... --query TEXT --query TEXT \
//        --out ACKED.json
//   node mixed_load.mjs verify --cartel BIN --db DB --acked ACKED.json
//
// `run` prints one JSON line {"requests", "errors", "writes", "by_kind",
// "median_ms", "p99_ms", "first_errors"}; `verify` prints
// {"acknowledged", "found", "missing"} and exits 1 when one is missing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { pathToFileURL } from 'node:url';

// One keep-alive request; resolves {status, text} or {status: 0, text:
// the network error}.
function request(agent, base, method, path, headers, body) {
	return new Promise((resolve) => {
		const u = new URL(base + path);
		const h = { ...headers };
		if (body !== undefined) {
			h['Content-Type'] = 'application/json';
			h['Content-Length'] = Buffer.byteLength(body);
		}
		const rq = http.request({ agent, host: u.hostname, port: u.port,
			method, path: u.pathname + u.search, headers: h }, (res) => {
			let d = '';
			res.setEncoding('utf8');
			res.on('data', (c) => { d += c; });
			res.on('end', () => resolve({ status: res.statusCode, text: d,
				setCookie: res.headers['set-cookie'] }));
		});
		rq.on('error', (e) => resolve({ status: 0, text: String(e) }));
		if (body !== undefined) rq.write(body);
		rq.end();
	});
}

async function login(agent, base, user, password) {
	const r = await request(agent, base, 'POST', '/api/login', {},
		JSON.stringify({ username: user, password }));
	if (r.status !== 200)
		throw new Error(`sign-in of ${user}: ${r.status} ${r.text}`);
	const cookie = String(r.setCookie).split(';')[0];
	return { cookie, csrf: JSON.parse(r.text).csrf_token };
}

function quantile(sorted, q) {
	if (sorted.length === 0) return 0;
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function runMixedLoad(o) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: o.clients });
	const hot = await login(agent, o.base, o.hotline, o.password);
	const reg = await login(agent, o.base, o.registrar, o.password);
	const deadline = Date.now() + o.seconds * 1000;
	const acked = [];
	const times = [];
	const firstErrors = [];
	const byKind = { search: 0, read: 0, write: 0 };
	let requests = 0, errors = 0;
	async function client(k) {
		let n = 0;
		while (Date.now() < deadline) {
			n++;
			// Roughly: half searches, a third reads, a sixth writes.
			const pick = (k * 7 + n * 13) % 6;
			let r, kind, value, id;
			const t0 = process.hrtime.bigint();
			if (pick < 3) {
				kind = 'search';
				const q = o.queries[(k + n) % o.queries.length];
				r = await request(agent, o.base, 'GET',
					'/api/persons?limit=10&q=' + encodeURIComponent(q),
					{ Cookie: hot.cookie });
			} else if (pick < 5) {
				kind = 'read';
				id = o.read[(k + n) % o.read.length];
				r = await request(agent, o.base, 'GET',
					'/api/persons/' + encodeURIComponent(id),
					{ Cookie: hot.cookie });
			} else {
				kind = 'write';
				id = o.write[(k + n) % o.write.length];
				value = `load ${k}.${n}`;
				r = await request(agent, o.base, 'POST',
					`/api/persons/${encodeURIComponent(id)}/events`,
					{ Cookie: reg.cookie, 'X-CSRF-Token': reg.csrf },
					JSON.stringify({ type: 'notes', value }));
			}
			times.push(Number(process.hrtime.bigint() - t0) / 1e6);
			requests++;
			byKind[kind]++;
			const ok = kind === 'write' ? r.status === 201 : r.status === 200;
			if (!ok) {
				errors++;
				if (firstErrors.length < 5)
					firstErrors.push(`${kind} ${r.status} ${r.text.slice(0, 200)}`);
				continue;
			}
			if (kind === 'write') {
				const j = JSON.parse(r.text);
				acked.push({ id, value, seq: j.seq });
			}
		}
	}
	await Promise.all(Array.from({ length: o.clients }, (_, k) => client(k)));
	agent.destroy();
	times.sort((a, b) => a - b);
	if (o.out) fs.writeFileSync(o.out, JSON.stringify(acked));
	return { requests, errors, writes: acked.length, by_kind: byKind,
		median_ms: +quantile(times, 0.5).toFixed(2),
		p99_ms: +quantile(times, 0.99).toFixed(2),
		first_errors: firstErrors, acked };
}

// Every acknowledged write, looked for in the register through the
// command line (the server stopped): the event of its seq, with its value.
export function verifyAcked(cartel, db, acked) {
	const byId = new Map();
	for (const a of acked) {
		if (!byId.has(a.id)) byId.set(a.id, []);
		byId.get(a.id).push(a);
	}
	let found = 0;
	const missing = [];
	for (const [id, list] of byId) {
		const out = execFileSync(cartel, ['--db', db, 'person', 'show',
			'--json', id], { maxBuffer: 1 << 30 }).toString();
		const events = new Map(JSON.parse(out).events.map((e) => [e.seq, e]));
		for (const a of list) {
			const e = events.get(a.seq);
			if (e && e.new === a.value) found++;
			else missing.push(a);
		}
	}
	return { acknowledged: acked.length, found, missing };
}

function args(argv) {
	const o = { queries: [], write: [], read: [] };
	for (let i = 0; i < argv.length; i += 2) {
		const k = argv[i].replace(/^--/, ''), v = argv[i + 1];
		if (k === 'query') o.queries.push(v);
		else if (k === 'write' || k === 'read') o[k] = v.split(',');
		else if (k === 'clients' || k === 'seconds') o[k] = Number(v);
		else o[k] = v;
	}
	return o;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
	const [mode, ...rest] = process.argv.slice(2);
	const o = args(rest);
	if (mode === 'run') {
		const r = await runMixedLoad(o);
		delete r.acked;
		console.log(JSON.stringify(r));
	} else if (mode === 'verify') {
		const acked = JSON.parse(fs.readFileSync(o.acked, 'utf8'));
		const r = verifyAcked(o.cartel, o.db, acked);
		console.log(JSON.stringify({ acknowledged: r.acknowledged,
			found: r.found, missing: r.missing.length }));
		process.exit(r.missing.length === 0 ? 0 : 1);
	} else {
		console.error('usage: mixed_load.mjs run|verify ...');
		process.exit(2);
	}
}

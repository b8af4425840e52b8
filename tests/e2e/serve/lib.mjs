// What the API tests share: a register with known persons and accounts,
// a server on a free loopback port, and a client that keeps its cookie
// and CSRF token as a browser would.
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

export const CARTEL = process.env.CARTEL;
export const TOP = process.env.TOP;
export const TMP = process.env.CARTEL_TEST_TMP ||
	fs.mkdtempSync('/tmp/cartel-serve-');
export const PASSWORD = 'correct horse battery';

export function cartel(db, args, input) {
	return execFileSync(CARTEL, ['--db', db, ...args], {
		input: input ?? '',
		env: { ...process.env, CARTEL_DATA: process.env.CARTEL_DATA },
		stdio: ['pipe', 'pipe', 'pipe'],
	}).toString();
}

// Persons whose holder and party make each rule of the roles show:
// UA-1 held by UA; RU-1 held by RU, one of UA's own; UA-M1 UA's own,
// reported missing and held by no one; RU-M1 RU's own, missing.
const CSV = `id,family_name,given_name,patronymic,birth_date,depends_on,held_by,status,held_since
UA-1,Шевченко,Сергій,Петрович,1990-05-01,RU,UA,confirmed_captive,2024-03-01
RU-1,Коваленко,Андрій,Іванович,1985-02-02,UA,RU,confirmed_captive,2023-11-01
UA-M1,Бондаренко,Олег,Миколайович,1995-07-07,UA,,reported_missing,
RU-M1,Петров,Иван,Сергеевич,1993-03-03,RU,,reported_missing,
`;

export function makeRegister(name) {
	const dir = fs.mkdtempSync(path.join(TMP, name + '-'));
	const db = path.join(dir, 'r.db');
	cartel(db, ['init']);
	fs.writeFileSync(path.join(dir, 'list.csv'), CSV);
	cartel(db, ['import', 'csv', path.join(dir, 'list.csv')]);
	const users = [
		['root', 'admin'], ['reg-ua', 'registrar', 'UA'],
		['reg-ru', 'registrar', 'RU'], ['med', 'mediator'],
		['hot', 'hotline'], ['hot2', 'hotline'], ['gone', 'hotline'],
		['lock', 'hotline'],
	];
	for (const [u, role, party] of users)
		cartel(db, ['user', 'add', u, '--role', role, '--by', 'test',
			...(party ? ['--party', party] : [])], PASSWORD + '\n');
	// A web folder with a page, a script, and links out of it.
	const web = path.join(dir, 'web');
	fs.mkdirSync(path.join(web, 'js'), { recursive: true });
	fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>cartel</title>');
	fs.writeFileSync(path.join(web, 'js', 'app.js'), 'console.log(1);\n');
	fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside the web folder\n');
	fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(web, 'link.txt'));
	fs.symlinkSync(dir, path.join(web, 'up'));
	return { dir, db, web };
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.listen(0, '127.0.0.1', () => {
			const p = s.address().port;
			s.close(() => resolve(p));
		});
		s.on('error', reject);
	});
}

export async function startServer(reg, extra = []) {
	const port = await freePort();
	const log = [];
	const proc = spawn(CARTEL, ['serve', '--db', reg.db, '--listen',
		`127.0.0.1:${port}`, '--web', reg.web, '--threads', '4', ...extra],
		{ stdio: ['ignore', 'ignore', 'pipe'] });
	proc.stderr.on('data', (d) => log.push(d.toString()));
	const base = `http://127.0.0.1:${port}`;
	for (let i = 0; i < 100; i++) {
		try {
			const r = await fetch(base + '/healthz');
			if (r.status === 200) break;
		} catch { /* not up yet */ }
		await new Promise((r) => setTimeout(r, 100));
	}
	const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
	return { port, base, proc, log, exited,
		async stop() {
			if (proc.exitCode === null) proc.kill('SIGTERM');
			return exited;
		} };
}

export class Client {
	constructor(srv) { this.srv = srv; this.cookie = null; this.csrf = null; }
	async req(method, url, { body, headers = {}, raw, csrf = true } = {}) {
		const h = { ...headers };
		if (this.cookie) h.Cookie = this.cookie;
		if (method !== 'GET' && csrf && this.csrf && !('X-CSRF-Token' in h))
			h['X-CSRF-Token'] = this.csrf;
		let b;
		if (raw !== undefined) b = raw;
		else if (body !== undefined) {
			b = JSON.stringify(body);
			h['Content-Type'] ??= 'application/json';
		}
		const r = await fetch(this.srv.base + url, { method, headers: h, body: b });
		const text = await r.text();
		let json = null;
		try { json = JSON.parse(text); } catch { /* not JSON */ }
		const sc = r.headers.get('set-cookie');
		if (sc && sc.startsWith('cartel_session=')) {
			const v = sc.split(';')[0];
			this.cookie = v === 'cartel_session=' ? null : v;
		}
		return { status: r.status, json, text, headers: r.headers, setCookie: sc };
	}
	get(url, o) { return this.req('GET', url, o); }
	post(url, body, o = {}) { return this.req('POST', url, { body, ...o }); }
	async login(user, password = PASSWORD) {
		const r = await this.post('/api/login', { username: user, password });
		if (r.status === 200) this.csrf = r.json.csrf_token;
		return r;
	}
}

// A request from another loopback address (127.0.0.2), as a second
// client machine would make it.
export function getFrom(srv, localAddress, url) {
	return new Promise((resolve, reject) => {
		const rq = http.request({ host: '127.0.0.1', port: srv.port,
			path: url, localAddress }, (res) => {
			let d = '';
			res.on('data', (c) => { d += c; });
			res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(d) }));
		});
		rq.on('error', reject);
		rq.end();
	});
}

// Raw bytes on a socket, for what fetch will not send (dot segments,
// huge headers, a client that never finishes).
export function rawRequest(srv, text, { waitMs = 3000 } = {}) {
	return new Promise((resolve) => {
		const s = net.connect(srv.port, '127.0.0.1');
		let d = '';
		const t0 = Date.now();
		s.on('data', (c) => { d += c.toString('latin1'); });
		s.on('close', () => resolve({ text: d, ms: Date.now() - t0,
			status: parseInt((d.match(/^HTTP\/1\.[01] (\d+)/) || [])[1] || '0', 10) }));
		s.on('error', () => {});
		s.write(text);
		setTimeout(() => s.destroy(), waitMs);
	});
}

// An error answer: its status, and the JSON {"error", "detail"}.
export function isError(r, status, code, why) {
	assert.equal(r.status, status, (why ? why + ': ' : '') + r.text);
	assert.equal(typeof r.json?.error, 'string', 'an error is JSON');
	assert.equal(typeof r.json?.detail, 'string', 'an error has a detail');
	if (code) assert.equal(r.json.error, code);
}

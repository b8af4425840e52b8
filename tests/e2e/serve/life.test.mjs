// The server's life: slow clients dropped, sessions ending when idle,
// sign-ins limited per address, SIGTERM finishing what is in flight.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client, makeRegister, startServer, cartel, getFrom, rawRequest,
	isError, TOP } from './lib.mjs';

let reg;
before(() => { reg = makeRegister('life'); });
after(() => { cartel(reg.db, ['audit', 'verify']); });

test('a client that never finishes its headers is dropped after --timeout', async () => {
	const s4 = await startServer(reg, ['--timeout', '2']);
	try {
		const slow = rawRequest(s4, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ', { waitMs: 10000 });
		// Meanwhile everyone else is served.
		assert.equal((await new Client(s4).get('/healthz')).status, 200);
		const r = await slow;
		assert.ok(r.ms < 8000, `dropped after ${r.ms} ms`);
	} finally {
		assert.equal((await s4.stop()).code, 0);
	}
});

test('sessions end after the idle timeout; sign-ins per address are limited', async () => {
	// Three seconds idle: a loaded machine still asks again well inside
	// them, and the clock's whole seconds cannot end the session early.
	const s2 = await startServer(reg, ['--idle-timeout', '3', '--login-limit', '5']);
	try {
		const c = new Client(s2);
		assert.equal((await c.login('hot')).status, 200);
		assert.equal((await c.get('/api/session')).status, 200);
		await new Promise((r) => setTimeout(r, 4500));
		isError(await c.get('/api/session'), 401, 'unauthorized');
		// Sign-in attempts from one address are limited (--login-limit a
		// minute; the one above counts).
		const x = new Client(s2);
		let last;
		for (let i = 0; i < 5; i++)
			last = await x.login('nobody-' + i, 'some long password');
		isError(last, 429, 'too_many_requests');
		assert.equal((await getFrom(s2, '127.0.0.2', '/healthz')).status, 200);
	} finally {
		assert.equal((await s2.stop()).code, 0);
	}
});

test('SIGTERM lets a request in flight finish, then exits 0', async () => {
	const s3 = await startServer(reg);
	// A request whose headers are in and whose body is still coming when
	// the signal arrives: it must still be answered.
	const net = await import('node:net');
	const body = JSON.stringify({ username: 'hot', password: 'correct horse battery' });
	const sock = net.connect(s3.port, '127.0.0.1');
	let text = '';
	sock.on('data', (d) => { text += d.toString(); });
	const closed = new Promise((r) => sock.on('close', r));
	// Expect: 100-continue makes the server say when it has read the
	// headers: the signal is sent only then, however loaded the machine.
	const headersRead = new Promise((r) => sock.on('data', () => {
		if (/^HTTP\/1\.1 100/.test(text))
			r();
	}));
	sock.write(`POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
	await headersRead;
	s3.proc.kill('SIGTERM');
	await new Promise((r) => setTimeout(r, 300));
	sock.write(body);
	await closed;
	assert.match(text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200/, text.slice(0, 60));
	assert.match(text, /csrf_token/);
	const { code } = await s3.exited;
	assert.equal(code, 0);
	await assert.rejects(fetch(s3.base + '/healthz'), 'no longer listening');
});


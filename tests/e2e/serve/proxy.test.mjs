// cartel serve behind a reverse proxy (docs/deploy.md): with
// --trusted-proxy, the address the proxy puts last in X-Forwarded-For is
// the client's, for the access log and the per-address limits; from any
// other peer, and without the option, the header is ignored.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Client, makeRegister, startServer, CARTEL } from './lib.mjs';

const WRONG = '/api/cases/AAAA-AAAA-AAAA-AAAA-AAAA';

// The addresses of the access log's wrong-case lines, oldest first.
async function caseAddresses(srv) {
	const root = new Client(srv);
	assert.equal((await root.login('root')).status, 200);
	const r = await root.get('/api/access-log?limit=200');
	assert.equal(r.status, 200, r.text);
	return r.json.items.filter((i) => i.action === 'case.read')
		.map((i) => i.address).reverse();
}

let reg;
before(() => { reg = makeRegister('proxy'); });

function wrongCase(srv, xff) {
	return new Client(srv).get(WRONG, { headers: xff === undefined ? {} : { 'X-Forwarded-For': xff } });
}

test('from the trusted proxy, the last X-Forwarded-For address is logged', async () => {
	const srv = await startServer(reg, ['--trusted-proxy', '127.0.0.1',
		'--trusted-proxy', '::1']);
	try {
		assert.equal((await wrongCase(srv, '203.0.113.7')).status, 404);
		// What the client wrote itself comes first: only the last is
		// the proxy's word.
		assert.equal((await wrongCase(srv, '6.6.6.6, 198.51.100.9')).status, 404);
		assert.equal((await wrongCase(srv, '2001:DB8::1')).status, 404);
		assert.equal((await wrongCase(srv, 'not an address')).status, 404);
		assert.equal((await wrongCase(srv, undefined)).status, 404);
		assert.deepEqual((await caseAddresses(srv)).slice(-5), ['203.0.113.7',
			'198.51.100.9', '2001:db8::1', '127.0.0.1', '127.0.0.1']);
		// The wrong-code limit counts each client apart, not the proxy.
		for (let i = 0; i < 12; i++) await wrongCase(srv, '192.0.2.50');
		assert.equal((await wrongCase(srv, '192.0.2.50')).status, 429);
		assert.equal((await wrongCase(srv, '192.0.2.51')).status, 404,
			'another client behind the same proxy is not locked out');
	} finally {
		assert.equal((await srv.stop()).code, 0);
	}
});

test('without --trusted-proxy, or from another peer, the header is ignored', async () => {
	for (const extra of [[], ['--trusted-proxy', '127.0.0.2']]) {
		const srv = await startServer(reg, extra);
		try {
			const seen = (a) => a.filter((x) => x === '203.0.113.7').length;
			const before = seen(await caseAddresses(srv));
			assert.equal((await wrongCase(srv, '203.0.113.7')).status, 404);
			const a = await caseAddresses(srv);
			assert.equal(a[a.length - 1], '127.0.0.1', extra.join(' '));
			assert.equal(seen(a), before, 'the header was not believed');
		} finally {
			assert.equal((await srv.stop()).code, 0);
		}
	}
});

test('--trusted-proxy takes an IP address', () => {
	const r = spawnSync(CARTEL, ['serve', '--trusted-proxy', 'proxy.example']);
	assert.equal(r.status, 2);
	assert.match(r.stderr.toString(), /--trusted-proxy takes an IP address/);
});

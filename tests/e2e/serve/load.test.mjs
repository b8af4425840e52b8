// cartel serve under many clients at once (docs/api.md, "The access
// log"): 50 clients for a few seconds mixing searches, reads and event
// writes against a small register. No request fails, every acknowledged
// write is in the register after the server stops, every read and search
// answered has its line in the access log, and the audit chain holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeRegister, startServer, cartel, CARTEL, PASSWORD } from './lib.mjs';
import { runMixedLoad, verifyAcked } from './mixed_load.mjs';

test('50 clients mixing searches, reads and writes: no error, no lost write, no unlogged read', async () => {
	const reg = makeRegister('load');
	const srv = await startServer(reg, ['--login-limit', '1000']);
	let r;
	try {
		r = await runMixedLoad({ base: srv.base, clients: 50, seconds: 4,
			hotline: 'hot', registrar: 'reg-ua', password: PASSWORD,
			write: ['UA-1', 'UA-M1'], read: ['UA-1', 'RU-1', 'UA-M1', 'RU-M1'],
			queries: ['Шевченко Сергій', 'Sergey Shevchenko', 'Коваленко'] });
	} finally {
		const { code } = await srv.stop();
		assert.equal(code, 0, 'SIGTERM ends the server with status 0: ' + srv.log.join('').slice(-500));
	}
	console.log(JSON.stringify({ ...r, acked: undefined }));
	assert.deepEqual(r.first_errors, []);
	assert.equal(r.errors, 0);
	for (const k of ['search', 'read', 'write'])
		assert.ok(r.by_kind[k] > 20, `${k}: ${r.by_kind[k]} requests`);
	const v = verifyAcked(CARTEL, reg.db, r.acked);
	assert.deepEqual(v.missing, [], 'every acknowledged write is in the register');
	assert.equal(v.found, r.writes);
	// The access log: one "search" line per search answered, and a
	// "person.read" line for every record read (more: search hits too).
	const count = (action) => Number(execFileSync('sqlite3', ['-cmd', '.timeout 20000', reg.db,
		`SELECT count(*) FROM access_log WHERE user = 'hot' AND action = '${action}'`]).toString());
	assert.equal(count('search'), r.by_kind.search, 'each search has its line');
	assert.ok(count('person.read') >= r.by_kind.read, 'each read has its line');
	cartel(reg.db, ['audit', 'verify']);
});

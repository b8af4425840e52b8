// Rounds through the API: the handover sheet and check-offs by role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client, makeRegister, startServer, cartel, getFrom, rawRequest,
	isError, TOP } from './lib.mjs';

let reg;
before(() => { reg = makeRegister('rounds'); });
after(() => { cartel(reg.db, ['audit', 'verify']); });

test('rounds: the handover sheet, and check-offs by role', async () => {
	// A round agreed and signed at the command line, loaded for handover.
	const dir = fs.mkdtempSync(path.join(reg.dir, 'round-'));
	const db = path.join(dir, 'r.db');
	const D = path.join(TOP, 'tests', 'e2e', 'data');
	cartel(db, ['init']);
	cartel(db, ['import', 'csv', path.join(D, 'round_persons.csv')]);
	cartel(db, ['plan', '--policy', path.join(D, 'round_policy.yaml'), '-o', path.join(dir, 'plan.json')]);
	cartel(db, ['key', 'new', '--party', 'UA', '-o', dir]);
	cartel(db, ['key', 'new', '--party', 'RU', '-o', dir]);
	const doc = path.join(dir, 'r.json');
	cartel(db, ['round', 'new', '--plan', path.join(dir, 'plan.json'), '--kind', 'agreed', '--id', 'R-T', '-o', doc]);
	cartel(db, ['round', 'sign', doc, '--key', path.join(dir, 'UA.key')]);
	cartel(db, ['round', 'sign', doc, '--key', path.join(dir, 'RU.key')]);
	cartel(db, ['handover', 'start', doc]);
	for (const [u, role, party] of [['med', 'mediator'], ['hot', 'hotline'], ['reg-ua', 'registrar', 'UA'], ['reg-xx', 'registrar', 'XX']])
		cartel(db, ['user', 'add', u, '--role', role, '--by', 'test', ...(party ? ['--party', party] : [])], 'correct horse battery\n');
	const rs = await startServer({ db, web: reg.web }, ['--login-limit', '1000']);
	try {
		const c = {};
		for (const u of ['med', 'hot', 'reg-ua', 'reg-xx']) {
			c[u] = new Client(rs);
			assert.equal((await c[u].login(u)).status, 200);
		}
		const sheet = await c.med.get('/api/rounds/R-T/handover');
		assert.equal(sheet.status, 200, sheet.text);
		const cli = JSON.parse(cartel(db, ['handover', 'status', 'R-T', '--json']));
		assert.deepEqual(sheet.json, cli, 'the same sheet as the command line');
		isError(await c.hot.get('/api/rounds/R-T/handover'), 403, 'forbidden');
		isError(await c.med.get('/api/rounds/R-NONE/handover'), 404);
		const p = sheet.json.persons.find((x) => x.outcome === 'pending');
		assert.ok(p, 'a pending person');
		const person = (await c.med.get('/api/persons/' + p.id)).json.person;
		isError(await c['reg-xx'].post(`/api/rounds/R-T/handover/${p.id}`, { outcome: 'absent' }), 403, 'forbidden', 'a registrar of a third party');
		isError(await c.hot.post(`/api/rounds/R-T/handover/${p.id}`, { outcome: 'absent' }), 403);
		isError(await c.med.post(`/api/rounds/R-T/handover/${p.id}`, { outcome: 'vanished' }), 422);
		isError(await c.med.post(`/api/rounds/R-T/handover/${p.id}`, { outcome: 'absent', extra: 1 }), 422);
		const outcome = person.consent === 'willing' ? 'handed_over' : 'absent';
		const ok = await c['reg-ua'].post(`/api/rounds/R-T/handover/${p.id}`, { outcome, where: 'point A' });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.outcome, outcome);
		assert.equal(ok.json.already, false);
		const again = await c.med.post(`/api/rounds/R-T/handover/${p.id}`, { outcome });
		assert.equal(again.json.already, true, 'checking again changes nothing');
		const after = await c.med.get('/api/rounds/R-T/handover');
		assert.equal(after.json.persons.find((x) => x.id === p.id).outcome, outcome);
	} finally {
		assert.equal((await rs.stop()).code, 0);
	}
	cartel(db, ['audit', 'verify']);
});


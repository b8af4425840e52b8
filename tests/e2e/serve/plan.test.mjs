// Planning a round and the documents received, through the API: the plan
// with both lists, the balance and each exclusion's reason in the
// reader's language; documents stored, verified again and compared as at
// the command line; the check-off at the exchange point by the holding
// and the receiving party; every role's refusal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client, startServer, cartel, isError, TOP, TMP, PASSWORD } from './lib.mjs';

const D = path.join(TOP, 'tests', 'e2e', 'data');
const POLICY = path.join(D, 'round_policy.yaml');
let dir, db, srv;
const c = {};

before(async () => {
	dir = fs.mkdtempSync(path.join(TMP, 'plan-'));
	db = path.join(dir, 'r.db');
	cartel(db, ['init']);
	cartel(db, ['import', 'csv', path.join(D, 'round_persons.csv')]);
	cartel(db, ['plan', '--policy', POLICY, '-o', path.join(dir, 'plan.json')]);
	cartel(db, ['key', 'new', '--party', 'UA', '-o', dir]);
	cartel(db, ['key', 'new', '--party', 'RU', '-o', dir]);
	const v1 = path.join(dir, 'v1.json');
	cartel(db, ['round', 'new', '--plan', path.join(dir, 'plan.json'), '--kind', 'proposal', '--id', 'R-P', '-o', v1]);
	cartel(db, ['round', 'sign', v1, '--key', path.join(dir, 'UA.key')]);
	cartel(db, ['round', 'sign', v1, '--key', path.join(dir, 'RU.key')]);
	const v2 = path.join(dir, 'v2.json');
	cartel(db, ['round', 'amend', v1, '--remove', 'UA:RU-4', '--remove', 'RU:UA-4', '--kind', 'counter', '-o', v2]);
	cartel(db, ['round', 'sign', v2, '--key', path.join(dir, 'UA.key')]);
	// An agreed round, loaded for handover by the last test (its men
	// are then agreed, and no longer planned).
	const ag = path.join(dir, 'agreed.json');
	cartel(db, ['round', 'new', '--plan', path.join(dir, 'plan.json'), '--kind', 'agreed', '--id', 'R-A', '-o', ag]);
	cartel(db, ['round', 'sign', ag, '--key', path.join(dir, 'UA.key')]);
	cartel(db, ['round', 'sign', ag, '--key', path.join(dir, 'RU.key')]);
	for (const [u, role, party] of [['med', 'mediator'], ['hot', 'hotline'], ['root', 'admin'],
		['reg-ua', 'registrar', 'UA'], ['reg-ru', 'registrar', 'RU'], ['reg-xx', 'registrar', 'XX']])
		cartel(db, ['user', 'add', u, '--role', role, '--by', 'test', ...(party ? ['--party', party] : [])], PASSWORD + '\n');
	srv = await startServer({ db, web: path.join(TOP, 'web') }, ['--login-limit', '1000']);
	for (const u of ['med', 'hot', 'root', 'reg-ua', 'reg-ru', 'reg-xx']) {
		c[u] = new Client(srv);
		assert.equal((await c[u].login(u)).status, 200);
	}
});

after(async () => {
	if (srv) assert.equal((await srv.stop()).code, 0, 'the server exits cleanly');
	cartel(db, ['audit', 'verify']);
});

const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8');

test('policies: a mediator stores one; the others may not', async () => {
	const yaml = fs.readFileSync(POLICY, 'utf8');
	const r = await c.med.post('/api/policies', { name: 'one for one', yaml });
	assert.equal(r.status, 201, r.text);
	assert.match(r.json.digest, /^[0-9a-f]{64}$/);
	isError(await c.med.post('/api/policies', { name: 'one for one', yaml }), 409, 'conflict');
	const bad = await c.med.post('/api/policies', { name: 'broken', yaml: 'parties: [UA]\nratio: banana\n' });
	isError(bad, 422, 'invalid');
	isError(await c.med.post('/api/policies', { name: 'x', yaml, extra: 1 }), 422, 'invalid', 'an unknown field');
	const list = await c.med.get('/api/policies?limit=1');
	assert.equal(list.status, 200);
	assert.equal(list.json.total, 1);
	assert.deepEqual(list.json.items.map((p) => p.name), ['one for one']);
	for (const u of ['hot', 'reg-ua', 'root']) {
		isError(await c[u].get('/api/policies'), 403, 'forbidden', u);
		isError(await c[u].post('/api/policies', { name: 'p-' + u, yaml }), 403, 'forbidden', u);
	}
	isError(await c.med.post('/api/policies', { name: 'nocsrf', yaml }, { csrf: false }), 403, 'forbidden');
});

test('plan: both lists, the balance, each exclusion with its reason in words', async () => {
	const r = await c.med.post('/api/plan', { policy: 'one for one' });
	assert.equal(r.status, 200, r.text);
	const { plan, balance, exclusions, names } = r.json;
	assert.deepEqual(plan.parties, ['UA', 'RU']);
	assert.ok(plan.sides.UA.gives.length > 0 && plan.sides.RU.gives.length > 0, 'both lists');
	assert.deepEqual(balance.sides.map((s) => [s.party, s.gives]),
		[['UA', plan.sides.UA.gives.length], ['RU', plan.sides.RU.gives.length]]);
	assert.equal(balance.ratio, '1:1');
	assert.equal(names['RU-1'], 'Иванов Николай Петрович', 'listed men by name');
	// RU-5 is under criminal proceedings: withheld, and told why.
	const ru5 = exclusions.find((e) => e.id === 'RU-5');
	assert.ok(ru5, 'the withheld man is among the exclusions');
	assert.equal(ru5.withheld, true);
	assert.equal(ru5.code, 'proceedings');
	const cli = JSON.parse(cartel(db, ['--json', 'plan', 'explain', '--policy', POLICY, 'RU-5']));
	assert.equal(ru5.words, cli.words, 'the same words as cartel plan explain');
	assert.equal(r.json.policy.name, 'one for one');
	// Every person excluded or withheld in the document has a reason.
	const ids = [...plan.excluded, ...plan.withheld].map((e) => e.id).sort();
	assert.deepEqual(exclusions.map((e) => e.id).sort(), ids);
	for (const e of exclusions)
		assert.ok(e.words.length > 10, `${e.id} has a reason in words`);
	// In Ukrainian, the words of `cartel --lang uk plan explain`.
	const uk = await c.med.post('/api/plan?lang=uk', { policy: 'one for one' });
	const ukCli = JSON.parse(cartel(db, ['--lang', 'uk', '--json', 'plan', 'explain', '--policy', POLICY, 'RU-5']));
	assert.equal(uk.json.exclusions.find((e) => e.id === 'RU-5').words, ukCli.words);
	assert.notEqual(ukCli.words, cli.words, 'Ukrainian is not English');
	// A policy sent as YAML plans the same lists.
	const sent = await c.med.post('/api/plan', { policy_yaml: fs.readFileSync(POLICY, 'utf8') });
	assert.equal(sent.status, 200, sent.text);
	assert.deepEqual(sent.json.plan.sides.UA.gives, plan.sides.UA.gives);
});

test('plan: bad requests and forbidden roles', async () => {
	isError(await c.med.post('/api/plan', {}), 422, 'invalid', 'no policy');
	isError(await c.med.post('/api/plan', { policy: 'one for one', policy_yaml: 'x' }), 422, 'invalid', 'both');
	isError(await c.med.post('/api/plan', { policy: 'no such' }), 404, 'not_found');
	isError(await c.med.post('/api/plan', { policy: 7 }), 422, 'invalid', 'a wrong type');
	isError(await c.med.post('/api/plan', { policy_yaml: 'mode: [' }), 422, 'invalid', 'YAML that does not parse');
	isError(await c.med.post('/api/plan', { policy: 'one for one' }, { csrf: false }), 403, 'forbidden', 'no CSRF token');
	for (const u of ['hot', 'reg-ua', 'root'])
		isError(await c[u].post('/api/plan', { policy: 'one for one' }), 403, 'forbidden', u);
	const anon = new Client(srv);
	isError(await anon.post('/api/plan', { policy: 'one for one' }), 401, 'unauthorized');
});

test('documents: stored, verified again, compared as at the command line', async () => {
	const up1 = await c.med.post('/api/documents', { document: read('v1.json') });
	assert.equal(up1.status, 201, up1.text);
	assert.equal(up1.json.round_id, 'R-P');
	assert.equal(up1.json.already, false);
	const again = await c.med.post('/api/documents', { document: JSON.parse(read('v1.json')) });
	assert.equal(again.json.already, true, 'the same document, sent as an object, is not stored twice');
	assert.equal(again.json.seq, up1.json.seq);
	const up2 = await c.med.post('/api/documents', { document: read('v2.json') });
	assert.equal(up2.status, 201, up2.text);
	// A copy whose name was changed after signing: stored, and it fails.
	const forged = JSON.parse(read('v1.json'));
	const first = forged.sides.UA.gives[0];
	first.family_name = 'Другий';
	const up3 = await c.med.post('/api/documents', { document: forged });
	assert.equal(up3.status, 201, up3.text);

	const list = await c.med.get('/api/documents?limit=2');
	assert.equal(list.status, 200);
	assert.equal(list.json.total, 3);
	assert.equal(list.json.items.length, 2, 'paginated');
	assert.deepEqual(list.json.items[0].parties, ['UA', 'RU']);
	const byRound = await c.med.get('/api/documents?round=R-NONE');
	assert.equal(byRound.json.total, 0);

	const v1 = await c.med.get(`/api/documents/${up1.json.seq}`);
	assert.equal(v1.status, 200, v1.text);
	const cliV1 = JSON.parse(cartel(db, ['--json', 'round', 'verify', path.join(dir, 'v1.json')]));
	assert.deepEqual(v1.json.verification, cliV1, 'the verification of cartel round verify --json');
	assert.equal(v1.json.verification.ok, true);
	assert.ok(v1.json.verification.signatures.every((s) => s.valid && s.key_is_pinned));
	assert.equal(v1.json.rules.ok, true);
	assert.equal(v1.json.document.round_id, 'R-P');

	const v2 = await c.med.get(`/api/documents/${up2.json.seq}`);
	assert.equal(v2.json.verification.ok, false, 'only one party signed the counter-proposal');
	assert.deepEqual(v2.json.verification.signatures.map((s) => [s.party, s.present]), [['UA', true], ['RU', false]]);

	const v3 = await c.med.get(`/api/documents/${up3.json.seq}`);
	assert.equal(v3.json.verification.ok, false);
	assert.ok(v3.json.verification.problems.length > 0, 'the breach is named');
	assert.equal(v3.json.verification.manifest_ok, false);

	const d = await c.med.get(`/api/documents/${up1.json.seq}/diff/${up2.json.seq}`);
	assert.equal(d.status, 200, d.text);
	const cliD = JSON.parse(cartel(db, ['--json', 'round', 'diff', path.join(dir, 'v1.json'), path.join(dir, 'v2.json')]));
	const { from, to, ...rest } = d.json;
	assert.deepEqual(rest, cliD, 'the comparison of cartel round diff --json');
	assert.deepEqual(d.json.removed.map((x) => x.id).sort(), ['RU-4', 'UA-4']);
	assert.equal(from.version, 1);
	assert.equal(to.version, 2);

	isError(await c.med.get('/api/documents/999'), 404, 'not_found');
	isError(await c.med.get('/api/documents/abc'), 404, 'not_found');
	isError(await c.med.get(`/api/documents/${up1.json.seq}/diff/999`), 404, 'not_found');
	isError(await c.med.post('/api/documents', { document: { round_id: 'R-X' } }), 422, 'invalid', 'not a list document');
	isError(await c.med.post('/api/documents', { document: 'not json' }), 422, 'invalid');
	isError(await c.med.post('/api/documents', { document: read('v1.json'), x: 1 }), 422, 'invalid');
	isError(await c.med.post('/api/documents', { document: read('v1.json') }, { csrf: false }), 403, 'forbidden');

	// A registrar of one of the round's parties reads, never stores.
	const ua = await c['reg-ua'].get(`/api/documents/${up1.json.seq}`);
	assert.equal(ua.status, 200, ua.text);
	isError(await c['reg-ua'].post('/api/documents', { document: read('v1.json') }), 403, 'forbidden');
	// A registrar of a third party sees none of them.
	isError(await c['reg-xx'].get(`/api/documents/${up1.json.seq}`), 403, 'forbidden');
	assert.equal((await c['reg-xx'].get('/api/documents')).json.total, 0);
	isError(await c['reg-xx'].get(`/api/documents/${up1.json.seq}/diff/${up2.json.seq}`), 403, 'forbidden');
	for (const u of ['hot', 'root']) {
		isError(await c[u].get('/api/documents'), 403, 'forbidden', u);
		isError(await c[u].get(`/api/documents/${up1.json.seq}`), 403, 'forbidden', u);
	}
});

test('check-off: the holding party hands over, the receiving party receives', async () => {
	cartel(db, ['handover', 'start', path.join(dir, 'agreed.json')]);
	const sheet = (await c.med.get('/api/rounds/R-A/handover')).json;
	const pending = sheet.persons.filter((p) => p.outcome === 'pending');
	const heldByUA = pending.find((p) => p.id.startsWith('RU-')); // UA holds RU's men
	const heldByRU = pending.find((p) => p.id.startsWith('UA-'));
	assert.ok(heldByUA && heldByRU, 'men of both sides on the sheet');
	const at = (p) => `/api/rounds/R-A/handover/${p.id}`;
	isError(await c['reg-ru'].post(at(heldByUA), { outcome: 'handed_over' }), 403, 'forbidden',
		'RU does not hold him: it cannot say he was handed over');
	isError(await c['reg-ua'].post(at(heldByUA), { outcome: 'received' }), 403, 'forbidden',
		'UA does not receive him');
	isError(await c.hot.post(at(heldByUA), { outcome: 'handed_over' }), 403, 'forbidden');
	isError(await c.root.post(at(heldByUA), { outcome: 'handed_over' }), 403, 'forbidden');
	// A family has no account: nothing to check off with.
	isError(await new Client(srv).post(at(heldByUA), { outcome: 'received' }), 401, 'unauthorized');
	isError(await c['reg-ua'].post(at(heldByUA), { outcome: 'handed_over' }, { csrf: false }), 403, 'forbidden');
	const ok = await c['reg-ua'].post(at(heldByUA), { outcome: 'handed_over' });
	assert.equal(ok.status, 200, ok.text);
	isError(await c['reg-ru'].post(at(heldByRU), { outcome: 'received' }), 403, 'forbidden',
		'RU holds him: the receiving party (UA) says he was received');
	const rec = await c['reg-ua'].post(at(heldByRU), { outcome: 'received' });
	assert.equal(rec.status, 200, rec.text);
	const after = (await c.med.get('/api/rounds/R-A/handover')).json;
	assert.equal(after.persons.find((p) => p.id === heldByUA.id).outcome, 'handed_over');
	assert.equal(after.persons.find((p) => p.id === heldByRU.id).outcome, 'received');
});

test('tamper: a document or a policy changed behind the register is refused', async () => {
	const { execFileSync } = await import('node:child_process');
	const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 20000', db, q]).toString().trim();
	const verify = () => {
		try {
			cartel(db, ['audit', 'verify']);
			return '';
		} catch (e) {
			return e.stdout.toString() + e.stderr.toString();
		}
	};
	assert.equal(verify(), '', 'the untouched register holds');
	const seq = sql('SELECT min(seq) FROM round_received');
	const kind = sql(`SELECT kind FROM round_received WHERE seq = ${seq}`);
	sql(`UPDATE round_received SET kind = 'agreed' WHERE seq = ${seq}`);
	isError(await c.med.get(`/api/documents/${seq}`), 500, 'internal', 'a changed document is not shown');
	assert.match(verify(), /round_received/);
	sql(`UPDATE round_received SET kind = '${kind}' WHERE seq = ${seq}`);
	assert.equal((await c.med.get(`/api/documents/${seq}`)).status, 200);

	const yaml = sql("SELECT yaml FROM plan_policy WHERE name = 'one for one'");
	sql("UPDATE plan_policy SET yaml = replace(yaml, '1:1', '1:3') WHERE name = 'one for one'");
	isError(await c.med.post('/api/plan', { policy: 'one for one' }), 500, 'internal', 'a changed policy plans nothing');
	assert.match(verify(), /plan_policy/);
	sql("UPDATE plan_policy SET yaml = replace(yaml, '1:3', '1:1') WHERE name = 'one for one'");
	assert.equal(sql("SELECT yaml FROM plan_policy WHERE name = 'one for one'"), yaml);
	assert.equal(verify(), '', 'put back, the register holds again');
});

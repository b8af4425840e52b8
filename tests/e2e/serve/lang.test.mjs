// The library's reasons in the request's language: an error's `detail`
// comes in the language of ?lang= or Accept-Language (docs/i18n.md,
// docs/api.md), and in English without either.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client, makeRegister, startServer, isError, TMP, TOP } from './lib.mjs';

let reg, srv;
const as = {};

before(async () => {
	reg = makeRegister('lang');
	srv = await startServer(reg, ['--login-limit', '1000']);
	for (const u of ['reg-ua', 'reg-ru']) {
		as[u] = new Client(srv);
		const r = await as[u].login(u);
		assert.equal(r.status, 200, `login of ${u}: ${r.text}`);
	}
});

after(async () => {
	const { code } = await srv.stop();
	assert.equal(code, 0, 'SIGTERM ends the server with status 0');
});

test('a value the register does not take: the reason in the asked language', async () => {
	const body = { type: 'health', value: 'dancing' };
	const en = await as['reg-ua'].post('/api/persons/UA-1/events', body);
	isError(en, 422, 'invalid');
	assert.match(en.json.detail, /health: the value is not one of: /);
	const uk = await as['reg-ua'].post('/api/persons/UA-1/events?lang=uk', body);
	isError(uk, 422, 'invalid');
	assert.match(uk.json.detail, /health: значення не є одним із: /);
	const ru = await as['reg-ua'].post('/api/persons/UA-1/events', body,
		{ headers: { 'Accept-Language': 'ru-RU,ru;q=0.9' } });
	isError(ru, 422, 'invalid');
	assert.match(ru.json.detail, /health: значение не является одним из: /);
	// The codes it lists stay codes in every language.
	for (const r of [en, uk, ru]) assert.match(r.json.detail, /\bgood\b/);
	// The worker thread does not keep the last request's language.
	const again = await as['reg-ua'].post('/api/persons/UA-1/events', body);
	assert.equal(again.json.detail, en.json.detail);
});

test('a refusal by role: the reason in the asked language', async () => {
	const body = { type: 'health', value: 'good' };
	const en = await as['reg-ru'].post('/api/persons/UA-1/events', body);
	isError(en, 403, 'forbidden');
	assert.match(en.json.detail, /a registrar of RU changes only the records of persons RU holds/);
	const uk = await as['reg-ru'].post('/api/persons/UA-1/events?lang=uk', body);
	isError(uk, 403, 'forbidden');
	assert.match(uk.json.detail, /реєстратор сторони RU змінює лише записи осіб, яких утримує RU/);
	const ru = await as['reg-ru'].post('/api/persons/UA-1/events?lang=ru', body);
	isError(ru, 403, 'forbidden');
	assert.match(ru.json.detail, /регистратор стороны RU изменяет только записи лиц, которых удерживает RU/);
});

// The page's texts come from the same catalogues (docs/i18n.md, "The
// page's texts"): GET /api/i18n/{lang}, without a session.
test('the page texts in three languages, from the catalogues', async () => {
	const anon = new Client(srv);
	const got = {};
	for (const l of ['en', 'uk', 'ru']) {
		const r = await anon.get(`/api/i18n/${l}`);
		assert.equal(r.status, 200, `${l}: ${r.text}`);
		got[l] = r.json;
	}
	const keys = Object.keys(got.en);
	assert.ok(keys.length > 300, `${keys.length} texts`);
	for (const l of ['uk', 'ru']) {
		assert.deepEqual(Object.keys(got[l]).sort(), [...keys].sort());
		for (const k of keys) assert.ok(got[l][k].trim(), `${l}: ${k} empty`);
	}
	assert.equal(got.en['nav.skip'], 'Skip to the content');
	assert.equal(got.uk['nav.skip'], 'Перейти до змісту');
	assert.equal(got.ru['nav.skip'], 'Перейти к содержанию');
	// The language of the path wins over the header's.
	const r = await anon.get('/api/i18n/uk', { headers: { 'Accept-Language': 'ru' } });
	assert.equal(r.json['nav.skip'], 'Перейти до змісту');
	for (const bad of ['de', 'uk_UA', 'UK', '..', 'en.json'])
		isError(await anon.get(`/api/i18n/${bad}`), 404, 'not_found');
});

test('a text changed in a catalogue changes on the page', async () => {
	// A Ukrainian catalogue with one page text and one reason changed,
	// compiled as `make` does, read by a second server.
	const dir = fs.mkdtempSync(path.join(TMP, 'locale-'));
	const mo = path.join(dir, 'uk', 'LC_MESSAGES');
	fs.mkdirSync(mo, { recursive: true });
	const po = fs.readFileSync(path.join(TOP, 'po', 'uk.po'), 'utf8')
		.replace('msgstr "Перейти до змісту"', 'msgstr "До змісту сторінки"');
	assert.ok(po.includes('До змісту сторінки'));
	fs.writeFileSync(path.join(dir, 'uk.po'), po);
	execFileSync('msgfmt', ['-o', path.join(mo, 'cartel.mo'), path.join(dir, 'uk.po')]);
	process.env.CARTEL_LOCALEDIR = dir;
	let other;
	try {
		other = await startServer(reg, ['--login-limit', '1000']);
	} finally {
		delete process.env.CARTEL_LOCALEDIR;
	}
	try {
		const r = await new Client(other).get('/api/i18n/uk');
		assert.equal(r.status, 200);
		assert.equal(r.json['nav.skip'], 'До змісту сторінки');
	} finally {
		await other.stop();
	}
});

// The library's reasons in the request's language: an error's `detail`
// comes in the language of ?lang= or Accept-Language (docs/i18n.md,
// docs/api.md), and in English without either.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, makeRegister, startServer, isError } from './lib.mjs';

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

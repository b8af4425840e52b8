// The browser tests' harness: a small register built with the command
// line, the real `cartel serve` on a free loopback port, and Debian's
// chromium driven by playwright-core (installed by `make` into the build
// folder from tests/web/package-lock.json; nothing is fetched here).

import {createRequire} from 'node:module';
import {spawn, execFileSync} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

const CARTEL = process.env.CARTEL;
const TOP = process.env.TOP;
const BUILD = process.env.BUILD;
if (!CARTEL || !TOP || !BUILD) {
	console.error('harness: CARTEL, TOP and BUILD must be set (ctest sets them)');
	process.exit(1);
}
const require = createRequire(path.join(BUILD, 'web-node', 'package.json'));
const {chromium} = require('playwright-core');

export const CHROMIUM = process.env.CARTEL_CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'correct horse battery staple';
export {assert};

// The test register's accounts: NAME -> [role, party].
const USERS = {
	hotline1: ['hotline', null],
	'reg-ru': ['registrar', 'RU'],
	'reg-ua': ['registrar', 'UA'],
	mediator1: ['mediator', null],
};

export function cli(db, args, input) {
	return execFileSync(CARTEL, ['--db', db, ...args], {
		input: input === undefined ? '' : input,
		encoding: 'utf8',
		env: {...process.env, CARTEL_DATA: path.join(TOP, 'data')},
		stdio: ['pipe', 'pipe', 'pipe'],
	});
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const {port} = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

async function healthy(url) {
	try {
		const r = await fetch(`${url}/healthz`);
		return r.ok;
	} catch {
		return false;
	}
}

async function startServer(db, log) {
	for (let attempt = 0; attempt < 3; attempt++) {
		const port = await freePort();
		const url = `http://127.0.0.1:${port}`;
		const out = fs.openSync(log, 'a');
		const proc = spawn(CARTEL, ['--db', db, 'serve',
			'--listen', `127.0.0.1:${port}`, '--web', path.join(TOP, 'web')], {
			stdio: ['ignore', out, out],
			env: {...process.env, CARTEL_DATA: path.join(TOP, 'data')},
		});
		let exited = false;
		proc.on('exit', () => {
			exited = true;
		});
		const until = Date.now() + 15000;
		while (!exited && Date.now() < until) {
			if (await healthy(url))
				return {url, proc};
			await new Promise((r) => setTimeout(r, 100));
		}
		if (!exited)
			proc.kill('SIGKILL');
	}
	throw new Error(`cartel serve did not start; its log: ${fs.readFileSync(log, 'utf8')}`);
}

// One test: a register in a fresh folder, the server, a browser.
export async function setup(name) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cartel-web-${name}-`));
	const db = path.join(dir, 'reg.db');
	cli(db, ['init']);
	cli(db, ['import', 'csv', path.join(TOP, 'tests', 'web', 'register.csv')]);
	for (const [user, [role, party]] of Object.entries(USERS)) {
		const args = ['user', 'add', user, '--role', role];
		if (party)
			args.push('--party', party);
		cli(db, args, `${PASSWORD}\n`);
	}
	const {url, proc} = await startServer(db, path.join(dir, 'serve.log'));
	const shots = path.join(BUILD, 'web-screenshots');
	let browser;
	try {
		fs.mkdirSync(shots, {recursive: true});
		for (const f of fs.readdirSync(shots))
			if (f.startsWith(`${name}-`))
				fs.rmSync(path.join(shots, f), {force: true});
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
		});
	} catch (e) {
		// Nothing is left running to keep the test from ending.
		proc.kill('SIGKILL');
		throw e;
	}
	const problems = [];
	const pages = [];
	let shot = 0;
	const t = {
		dir, db, url, browser,
		cli: (args, input) => cli(db, args, input),
		// A fresh browser profile (no cookies, no stored language) in
		// the given locale and size.
		async page(opts = {}) {
			const ctx = await browser.newContext({
				locale: opts.locale || 'en-GB',
				viewport: opts.viewport || {width: 1280, height: 900},
			});
			const page = await ctx.newPage();
			pages.push(page);
			page.setDefaultTimeout(10000);
			page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
			page.on('console', (m) => {
				if (/Content Security Policy/i.test(m.text()))
					problems.push(`CSP: ${m.text()}`);
			});
			await page.goto(`${url}/${opts.hash || ''}`);
			await page.waitForSelector('body[data-ready="1"]');
			return page;
		},
		async shot(page, step) {
			shot += 1;
			await page.screenshot({path: path.join(shots,
				`${name}-${String(shot).padStart(2, '0')}-${step}.png`), fullPage: true});
		},
		// Nothing went wrong in any page so far: no uncaught error, no
		// CSP refusal (the pages have no inline script or style).
		clean() {
			assert.deepEqual(problems, [], 'the pages ran without errors');
		},
		// Stops the browser, then the server with SIGTERM: it must
		// exit 0 (a crash, or a leak under ASan, fails the test).
		// Returns the server's exit status.
		async close() {
			await browser.close();
			if (proc.exitCode === null && proc.signalCode === null) {
				const done = new Promise((r) => proc.on('exit', r));
				proc.kill('SIGTERM');
				await done;
			}
			return proc.exitCode;
		},
		// What a failed test leaves to read: whether the server still
		// runs, and what each page shows.
		async state() {
			const out = [proc.exitCode !== null ? `server exited with status ${proc.exitCode}` :
				proc.signalCode !== null ? `server killed by ${proc.signalCode}` :
				'server still running'];
			for (const [i, p] of pages.entries()) {
				const text = await p.locator('main').innerText({timeout: 1000})
					.catch((e) => `(not read: ${e.message.split('\n')[0]})`);
				out.push(`page ${i + 1} (${p.url()}):\n${text.slice(0, 1500)}`);
			}
			return out.join('\n');
		},
		remove() {
			fs.rmSync(dir, {recursive: true, force: true});
		},
	};
	return t;
}

export async function signIn(page, user) {
	await page.goto(`${page.url().split('#')[0]}#/login`);
	await page.getByLabel(/Account name|Ім'я облікового запису|Имя учётной записи/).fill(user);
	await page.locator('#password').fill(PASSWORD);
	await page.locator('form button[type="submit"]').click();
	await page.locator('#logout').waitFor({state: 'visible'});
}

// Files an inquiry on the intake screen; the case code's groups.
export async function fileInquiry(page, sought) {
	await page.getByRole('link', {name: 'New inquiry'}).click();
	await page.getByRole('heading', {name: 'New inquiry'}).waitFor();
	for (const [label, value] of Object.entries(sought))
		await page.getByLabel(label, {exact: true}).fill(value);
	await page.getByRole('button', {name: 'File the inquiry'}).click();
	const code = page.locator('.case-code');
	await code.waitFor();
	const groups = await code.locator('.grp').allTextContents();
	return groups;
}

// Every control has a label, every button and link a name, and every
// piece of text passes WCAG AA contrast against what is behind it.
export async function checkA11y(page, where) {
	const problems = await page.evaluate(() => {
		const out = [];
		for (const el of document.querySelectorAll('input, select, textarea')) {
			if (el.type === 'hidden' || el.closest('[hidden]'))
				continue;
			const named = (el.labels && el.labels.length) ||
				el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
			if (!named)
				out.push(`no label: ${el.outerHTML.slice(0, 80)}`);
		}
		for (const el of document.querySelectorAll('button, a[href]')) {
			if (!el.textContent.trim() && !el.getAttribute('aria-label'))
				out.push(`no name: ${el.outerHTML.slice(0, 80)}`);
		}
		function rgb(s) {
			const m = /rgba?\(([^)]+)\)/.exec(s || '');
			if (!m)
				return null;
			const p = m[1].split(/[\s,/]+/).filter((x) => x).map(Number);
			return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
		}
		function lum(c) {
			const f = (v) => {
				const x = v / 255;
				return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
			};
			return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
		}
		function behind(el) {
			for (let e = el; e; e = e.parentElement) {
				const c = rgb(getComputedStyle(e).backgroundColor);
				if (c && c.a > 0.5)
					return c;
			}
			return {r: 255, g: 255, b: 255, a: 1};
		}
		const seen = new Set();
		const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		while (walk.nextNode()) {
			const n = walk.currentNode;
			const el = n.parentElement;
			if (!n.textContent.trim() || !el || seen.has(el))
				continue;
			seen.add(el);
			const cs = getComputedStyle(el);
			const box = el.getBoundingClientRect();
			if (cs.visibility === 'hidden' || cs.display === 'none' ||
			    box.width <= 1 || box.height <= 1 || box.bottom < 0)
				continue;
			const inSvg = !!el.closest('svg');
			const fg = rgb(inSvg ? cs.fill : cs.color);
			if (!fg)
				continue;
			const bg = inSvg ? behind(el.closest('svg')) : behind(el);
			const a = lum(fg);
			const b = lum(bg);
			const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
			const size = parseFloat(cs.fontSize);
			const bold = parseInt(cs.fontWeight, 10) >= 700;
			const large = size >= 24 || (bold && size >= 18.66);
			if (ratio < (large ? 3 : 4.5))
				out.push(`contrast ${ratio.toFixed(2)}: "${n.textContent.trim().slice(0, 40)}"`);
		}
		return out;
	});
	assert.deepEqual(problems, [], `accessibility of ${where}`);
}

// Runs the named steps in order; any failure fails the test with the step
// named. Prints one line per step and a closing count.
export async function run(name, fn) {
	let t;
	let passed = 0;
	const step = async (what, body) => {
		try {
			await body();
			passed += 1;
			console.log(`ok ${passed} - ${what}`);
		} catch (e) {
			console.log(`not ok - ${what}`);
			throw e;
		}
	};
	const log = () => (t && fs.existsSync(path.join(t.dir, 'serve.log')) ?
		fs.readFileSync(path.join(t.dir, 'serve.log'), 'utf8').slice(-6000) : '');
	let closed = false;
	try {
		t = await setup(name);
		await fn(t, step);
		t.clean();
		closed = true;
		await step('cartel serve stops cleanly on SIGTERM', async () => {
			assert.equal(await t.close(), 0, 'the server\'s exit status');
		});
		console.log(`${passed} passed, 0 failed`);
	} catch (e) {
		console.error(`${name}: ${e.stack || e}`);
		if (t)
			console.error(await t.state().catch((x) => `state not read: ${x}`));
		console.error(`server log:\n${log()}`);
		process.exitCode = 1;
	} finally {
		if (t && !closed)
			await t.close().catch(() => {});
		if (t)
			t.remove();
	}
}

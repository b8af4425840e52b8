// Accessibility of every screen (WCAG 2.1 AA, docs/web.md): each control
// has an accessible name as the browser computes it, every control of a
// screen is reached with Tab and shows where the focus is, the main flows
// work with the keyboard alone (Tab, Enter, arrow keys), and the page's
// colours pass the contrast ratios: 4.5:1 for text, 3:1 for large text,
// for the borders of fields and for the focus ring.
import fs from 'node:fs';
import path from 'node:path';
import {run, assert, checkA11y, PASSWORD} from './harness.mjs';

// ---- The colours of web/css/app.css, checked from the file itself.

function hex(s) {
	let m = /^#([0-9a-f]{3})$/i.exec(s);
	if (m)
		return [...m[1]].map((c) => parseInt(c + c, 16));
	m = /^#([0-9a-f]{6})$/i.exec(s);
	if (m)
		return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
	if (s === 'white')
		return [255, 255, 255];
	if (s === 'black')
		return [0, 0, 0];
	return null;
}
function luminance([r, g, b]) {
	const f = (v) => {
		const x = v / 255;
		return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
	};
	return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}
export function ratio(a, b) {
	const [x, y] = [luminance(a), luminance(b)];
	return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

function cssColours() {
	const css = fs.readFileSync(path.join(process.env.TOP, 'web', 'css', 'app.css'), 'utf8')
		.replace(/\/\*[\s\S]*?\*\//g, '');
	const vars = {};
	for (const m of css.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g))
		vars[m[1]] = m[2].trim();
	const colour = (v) => {
		if (!v)
			return null;
		v = v.trim().replace(/\s*!important$/, '');
		const m = /^var\((--[\w-]+)\)$/.exec(v);
		return hex(m ? vars[m[1]] || '' : v);
	};
	const rules = [];
	for (const m of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
		const decl = {};
		for (const d of m[2].matchAll(/([\w-]+)\s*:\s*([^;]+)/g))
			decl[d[1]] = d[2].trim();
		rules.push({sel: m[1].trim(), decl, colour});
	}
	return {vars, rules, colour};
}

const problems = [];
const {vars, rules, colour} = cssColours();
const surfaces = {paper: colour('var(--paper)'), wash: colour('var(--wash)')};
let pairs = 0;
for (const {sel, decl} of rules) {
	const fg = colour(decl.color) ||
		(/label|value|text/.test(sel) ? colour(decl.fill) : null);
	const bgText = decl['background-color'] || decl.background;
	const bg = bgText ? colour(bgText.split(/\s+/)[0]) : null;
	if (fg && bg) {
		pairs += 1;
		if (ratio(fg, bg) < 4.5)
			problems.push(`${sel}: text ${decl.color || decl.fill} on ${bgText}: ${ratio(fg, bg).toFixed(2)}:1`);
	} else if (fg) {
		// Text without its own background lies on the page or on a
		// washed panel (the header, table heads, tags).
		for (const [name, s] of Object.entries(surfaces)) {
			pairs += 1;
			if (ratio(fg, s) < 4.5)
				problems.push(`${sel}: text ${decl.color || decl.fill} on --${name}: ${ratio(fg, s).toFixed(2)}:1`);
		}
	}
}
// Non-text contrast (1.4.11): the field's border and the focus ring
// against the surfaces they sit on.
for (const v of ['--line', '--focus'])
	for (const [name, s] of Object.entries(surfaces)) {
		pairs += 1;
		const c = hex(vars[v] || '');
		assert.ok(c, `${v} is a colour of app.css`);
		if (ratio(c, s) < 3)
			problems.push(`${v} on --${name}: ${ratio(c, s).toFixed(2)}:1, under 3:1`);
	}

// ---- In the browser.

const CONTROL_ROLES = new Set(['button', 'link', 'textbox', 'searchbox', 'combobox',
	'checkbox', 'radio', 'spinbutton', 'listbox', 'slider', 'switch', 'menuitem',
	'tab', 'option']);

// Every control's accessible name, as Chromium computes it for a screen
// reader (labels, aria-label, aria-labelledby, the text of a button):
// none is empty, and none is a text's key shown for a missing text.
async function names(page, where) {
	const cdp = await page.context().newCDPSession(page);
	const {nodes} = await cdp.send('Accessibility.getFullAXTree');
	await cdp.detach();
	const out = [];
	let n = 0;
	for (const node of nodes) {
		const role = node.role && node.role.value;
		if (node.ignored || !CONTROL_ROLES.has(role))
			continue;
		n += 1;
		const name = ((node.name && node.name.value) || '').trim();
		if (!name)
			out.push(`${where}: a ${role} without an accessible name`);
		else if (/^[a-z_]+\.[a-z_.:-]+$/.test(name))
			out.push(`${where}: a ${role} named by a key: ${name}`);
	}
	assert.ok(n > 0, `${where}: controls found`);
	return out;
}

// Tab from the top of the page through to where the focus comes back
// around: every visible control is reached, each shows a focus ring.
async function tabWalk(page, where) {
	await page.evaluate(() => {
		for (const el of document.querySelectorAll('[data-tabbed]'))
			el.removeAttribute('data-tabbed');
		document.activeElement && document.activeElement.blur();
		window.scrollTo(0, 0);
	});
	await page.locator('body').click({position: {x: 1, y: 1}});
	const out = [];
	let first = null;
	for (let i = 0; i < 250; i++) {
		await page.keyboard.press('Tab');
		const r = await page.evaluate(() => {
			const el = document.activeElement;
			if (!el || el === document.body)
				return {none: true};
			const again = el.hasAttribute('data-tabbed');
			el.setAttribute('data-tabbed', '1');
			const cs = getComputedStyle(el);
			const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) ||
				(cs.boxShadow && cs.boxShadow !== 'none');
			return {again, ring, what: el.outerHTML.slice(0, 80)};
		});
		if (r.none)
			continue;
		if (r.again) {
			if (first === null || r.what === first)
				break;
			continue;
		}
		if (first === null)
			first = r.what;
		if (!r.ring)
			out.push(`${where}: no visible focus on ${r.what}`);
	}
	const missed = await page.evaluate(() => {
		const sel = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]';
		return [...document.querySelectorAll(sel)].filter((el) => {
			if (el.disabled || el.getAttribute('tabindex') === '-1' || el.closest('[hidden]') ||
			    el.closest('[inert]'))
				return false;
			const cs = getComputedStyle(el);
			const box = el.getBoundingClientRect();
			if (cs.visibility === 'hidden' || cs.display === 'none' || box.width < 1 || box.height < 1)
				return false;
			// A summary's details, a closed one's inside not shown.
			if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY')
				return false;
			// The skip link is off screen until it has the focus.
			return !el.hasAttribute('data-tabbed') && !el.classList.contains('skip');
		}).map((el) => el.outerHTML.slice(0, 80));
	});
	for (const m of missed)
		out.push(`${where}: not reached with Tab: ${m}`);
	return out;
}

async function screen(page, where) {
	await page.locator('main:not([aria-busy])').waitFor();
	problems.push(...await names(page, where));
	problems.push(...await tabWalk(page, where));
	assert.deepEqual(problems, [], where);
	await checkA11y(page, where);
}

// Presses Tab until the focus is on what the selector finds (at most n
// presses); fails when it never gets there.
async function tabTo(page, selector, n = 80) {
	const target = page.locator(selector).first();
	await target.waitFor();
	for (let i = 0; i < n; i++) {
		if (await target.evaluate((el) => el === document.activeElement))
			return;
		await page.keyboard.press('Tab');
	}
	assert.fail(`${selector} is not reached with Tab`);
}

// Goes to a screen through its link in the navigation, by keyboard.
async function navTo(page, name, title) {
	await tabTo(page, `#nav a[href="#/${name}"]`);
	await page.keyboard.press('Enter');
	await page.getByRole('heading', {name: title, exact: true}).first().waitFor();
	// A move to a screen puts the focus on its heading (docs/web.md),
	// so that the next Tab goes into the screen.
}

async function signInByKeys(page, user) {
	await page.goto(`${page.url().split('#')[0]}#/login`);
	await page.getByRole('heading', {name: 'Sign in'}).waitFor();
	await tabTo(page, '#username');
	await page.keyboard.type(user);
	await tabTo(page, '#password');
	await page.keyboard.type(PASSWORD);
	await page.keyboard.press('Enter');
	await page.locator('#logout').waitFor({state: 'visible'});
}

await run('a11y', async (t, step) => {
	await step('the colours of app.css pass WCAG AA', async () => {
		assert.ok(pairs > 20, `${pairs} pairs of colours checked`);
		assert.deepEqual(problems.splice(0), [], 'contrast of app.css');
	});

	const anon = await t.page();
	await step('without an account: sign-in, family page, statistics', async () => {
		await anon.getByRole('heading', {name: 'Sign in'}).waitFor();
		await screen(anon, 'sign-in');
		await navTo(anon, 'family', 'Your case');
		await screen(anon, 'family page');
		await navTo(anon, 'stats', 'Statistics');
		await screen(anon, 'statistics');
		assert.deepEqual(problems.splice(0), []);
	});

	const hot = await t.page();
	let code;
	await step('the hotline by keyboard alone: sign in, search, the card, an inquiry', async () => {
		await signInByKeys(hot, 'hotline1');
		await hot.getByRole('heading', {name: 'Find a person'}).waitFor();
		await tabTo(hot, '#q');
		await hot.keyboard.type('Sergey Voloshin');
		await hot.keyboard.press('Enter');
		await hot.locator('.hit').first().waitFor();
		await screen(hot, 'search results');
		// The first hit's card, opened with Enter on its link.
		await tabTo(hot, '.hit h2 a');
		await hot.keyboard.press('Enter');
		await hot.locator('.timeline').waitFor();
		await screen(hot, 'person card');
		// An inquiry typed in, filed with Enter.
		await navTo(hot, 'inquiry', 'New inquiry');
		await screen(hot, 'inquiry intake');
		for (const [id, text] of [['#inq-family_name', 'Ковальчук'], ['#inq-given_name', 'Александр'],
			['#inq-birth_date', '1988'], ['#inq-requester', 'Марія'], ['#inq-contact', '+380 50 000 0002']]) {
			await tabTo(hot, id);
			await hot.keyboard.type(text);
		}
		await hot.keyboard.press('Enter');
		await hot.locator('.case-code').waitFor();
		code = (await hot.locator('.case-code .grp').allTextContents()).join('-');
		await screen(hot, 'case code');
		await navTo(hot, 'callbacks', 'Families to call back');
		await screen(hot, 'call-backs');
		await navTo(hot, 'review', 'Potential matches');
		await hot.locator('.card').first().waitFor();
		await screen(hot, 'potential matches');
		assert.deepEqual(problems.splice(0), []);
	});

	await step('a registrar: a potential match confirmed by keyboard; capture card, documents, handover', async () => {
		const reg = await t.page();
		await signInByKeys(reg, 'reg-ua');
		await navTo(reg, 'review', 'Potential matches');
		await reg.locator('.card').first().waitFor();
		await screen(reg, 'potential matches, a registrar');
		await tabTo(reg, 'main .card button:not(.secondary)');
		assert.match(await reg.evaluate(() => document.activeElement.textContent), /Confirm/);
		// Without a reason: refused, said, and the focus goes to the
		// reason's field, where the keyboard user types it.
		await reg.keyboard.press('Enter');
		await reg.locator('main .card .error').first().waitFor();
		await screen(reg, 'a decision without its reason');
		await tabTo(reg, 'main .card input');
		await reg.keyboard.type('service number given by the mother');
		await reg.keyboard.press('Tab');
		assert.match(await reg.evaluate(() => document.activeElement.textContent), /Confirm/);
		await reg.keyboard.press('Enter');
		await reg.locator('main .notice').first().waitFor();
		await screen(reg, 'a match confirmed');
		await navTo(reg, 'capture', 'Capture card');
		await screen(reg, 'capture card');
		await navTo(reg, 'documents', 'Documents received');
		await screen(reg, 'documents');
		await navTo(reg, 'rounds', 'Handover at the exchange point');
		await screen(reg, 'handover');
		assert.deepEqual(problems.splice(0), []);
	});

	await step('the family reads the case by keyboard', async () => {
		await tabTo(anon, '#nav a[href="#/family"]');
		await anon.keyboard.press('Enter');
		await tabTo(anon, '#case-code');
		await anon.keyboard.type(code);
		await anon.keyboard.press('Enter');
		await anon.locator('main .status, main .family-status, main h2').first().waitFor();
		await screen(anon, 'family page with a case');
		assert.deepEqual(problems.splice(0), []);
	});

	await step('the language switched with the keyboard', async () => {
		await tabTo(anon, '#lang');
		// Down from English: Ukrainian; the screen follows at once.
		await anon.keyboard.press('ArrowDown');
		await anon.waitForFunction(() => document.documentElement.lang === 'uk');
		await anon.locator('main:not([aria-busy])').waitFor();
		await anon.getByRole('heading', {level: 1}).filter({hasNotText: 'Your case'}).waitFor();
		assert.equal(await anon.evaluate(() => document.activeElement.id), 'lang',
			'the focus stays on the switch');
		await screen(anon, 'family page in Ukrainian');
		await tabTo(anon, '#lang');
		await anon.keyboard.press('ArrowDown');
		await anon.waitForFunction(() => document.documentElement.lang === 'ru');
		await screen(anon, 'family page in Russian');
		assert.deepEqual(problems.splice(0), []);
	});

	await step('a mediator plans a round by keyboard and reads the exclusions', async () => {
		const med = await t.page();
		await signInByKeys(med, 'mediator1');
		await navTo(med, 'plan', 'Plan a round');
		await screen(med, 'plan');
		await tabTo(med, '#plan-yaml');
		await med.keyboard.insertText(fs.readFileSync(path.join(process.env.TOP, 'examples',
			'policies', 'one-for-one.yaml'), 'utf8'));
		await tabTo(med, 'main form button[type="submit"]');
		await med.keyboard.press('Enter');
		await med.getByRole('heading', {name: /The plan under/}).waitFor();
		await med.locator('.exclusions li').first().waitFor();
		await screen(med, 'a plan made');
		await navTo(med, 'stats', 'Statistics');
		await screen(med, 'statistics signed in');
		assert.deepEqual(problems.splice(0), []);
	});
});

// What the accessibility tests share (tests/web/a11y_*.test.mjs, WCAG 2.1
// AA, docs/web.md): each control has an accessible name as the browser
// computes it, every control of a screen is reached with Tab and shows
// where the focus is, the flows are driven by the keyboard alone (Tab,
// Enter, arrow keys), and the page's colours pass the contrast ratios:
// 4.5:1 for text, 3:1 for large text, for the borders of fields and for
// the focus ring.
import fs from 'node:fs';
import path from 'node:path';
import {assert, checkA11y, PASSWORD} from './harness.mjs';

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
function ratio(a, b) {
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

// Every pair of colours of app.css that fails, and how many were checked.
export function cssContrast() {
	const problems = [];
	const {vars, rules, colour} = cssColours();
	const surfaces = {paper: colour('var(--paper)'), wash: colour('var(--wash)')};
	let pairs = 0;
	for (const {sel, decl} of rules) {
		const fg = colour(decl.color) ||
			(/label|value|text/.test(sel) ? colour(decl.fill) : null);
		const bgText = decl['background-color'] || decl.background;
		const bg = bgText ? colour(bgText.split(/\s+/)[0]) : null;
		const said = decl.color || decl.fill;
		if (fg && bg) {
			pairs += 1;
			if (ratio(fg, bg) < 4.5)
				problems.push(`${sel}: text ${said} on ${bgText}: ${ratio(fg, bg).toFixed(2)}:1`);
		} else if (fg) {
			// Text without its own background lies on the page or on
			// a washed panel (the header, table heads, tags).
			for (const [name, s] of Object.entries(surfaces)) {
				pairs += 1;
				if (ratio(fg, s) < 4.5)
					problems.push(`${sel}: text ${said} on --${name}: ${ratio(fg, s).toFixed(2)}:1`);
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
	return {problems, pairs};
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

// Tab from the top of the page once around: every control a keyboard
// user must reach on the screen as it stands is reached, and each shows
// a focus ring when it has the focus.
async function tabWalk(page, where) {
	const n = await page.evaluate(() => {
		window.__reachable = () => {
			const sel = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]';
			return [...document.querySelectorAll(sel)].filter((el) => {
				if (el.disabled || el.getAttribute('tabindex') === '-1' ||
				    el.closest('[hidden]') || el.closest('[inert]'))
					return false;
				const cs = getComputedStyle(el);
				const box = el.getBoundingClientRect();
				if (cs.visibility === 'hidden' || cs.display === 'none' ||
				    box.width < 1 || box.height < 1)
					return false;
				// Inside a closed details only its summary shows.
				if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY')
					return false;
				// The skip link is off screen until it has the focus.
				return !el.classList.contains('skip');
			});
		};
		window.__tabbed = new Map();
		if (!window.__listening) {
			window.__listening = true;
			document.addEventListener('focusin', (e) => {
				const el = e.target;
				const cs = getComputedStyle(el);
				const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) ||
					(cs.boxShadow && cs.boxShadow !== 'none');
				if (!window.__tabbed.has(el))
					window.__tabbed.set(el, ring);
			});
		}
		if (document.activeElement)
			document.activeElement.blur();
		window.scrollTo(0, 0);
		return window.__reachable().length;
	});
	await page.locator('body').click({position: {x: 1, y: 1}});
	// The controls, the skip link, and a few to spare.
	for (let i = 0; i < n + 4; i++)
		await page.keyboard.press('Tab');
	return page.evaluate((where) => {
		const out = [];
		const tag = (el) => el.outerHTML.slice(0, 80);
		for (const [el, ring] of window.__tabbed)
			if (!ring)
				out.push(`${where}: no visible focus on ${tag(el)}`);
		for (const el of window.__reachable())
			if (!window.__tabbed.has(el))
				out.push(`${where}: not reached with Tab: ${tag(el)}`);
		window.__tabbed = new Map();
		return out;
	}, where);
}

// Checks one screen as it stands; fails naming what is wrong.
export async function screen(page, where) {
	await page.locator('main:not([aria-busy])').waitFor();
	const problems = [...await names(page, where), ...await tabWalk(page, where)];
	assert.deepEqual(problems, [], where);
	await checkA11y(page, where);
}

// Presses Tab until the focus is on what the selector finds (at most n
// presses); fails when it never gets there.
export async function tabTo(page, selector, n = 80) {
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
export async function navTo(page, name, title) {
	await tabTo(page, `#nav a[href="#/${name}"]`);
	await page.keyboard.press('Enter');
	await page.getByRole('heading', {name: title, exact: true}).first().waitFor();
	// A move to a screen puts the focus on its heading (docs/web.md),
	// so that the next Tab goes into the screen.
}

export async function signInByKeys(page, user) {
	await page.goto(`${page.url().split('#')[0]}#/login`);
	await page.getByRole('heading', {name: 'Sign in'}).waitFor();
	await tabTo(page, '#username');
	await page.keyboard.type(user);
	await tabTo(page, '#password');
	await page.keyboard.type(PASSWORD);
	await page.keyboard.press('Enter');
	await page.locator('#logout').waitFor({state: 'visible'});
}


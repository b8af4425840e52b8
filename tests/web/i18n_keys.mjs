// The page's texts: every key the code names is a text of the table in
// src/lib/io/web_texts.c, and every text of the table is in the message
// catalogues po/uk.po and po/ru.po (context: the key), translated, not
// fuzzy, with the same {places} as the English. Runs without a browser.
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

const top = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const web = path.join(top, 'web');
const TABLE = 'src/lib/io/web_texts.c';
const HOWTO = `a page text is a line WEB_TEXT("key", "English") in ${TABLE}; then ` +
	'`make po-update` and its Ukrainian and Russian in po/uk.po and po/ru.po ' +
	'(docs/i18n.md, "The page\'s texts")';
const failures = [];
let checks = 0;

// Page texts kept in JSON files are no longer read by anyone.
const old = path.join(web, 'i18n');
if (fs.existsSync(old) && fs.readdirSync(old).some((f) => f.endsWith('.json')))
	failures.push(`web/i18n/*.json is not read any more: ${HOWTO}; ` +
		'`node scripts/web-texts-import.mjs web/i18n` moves the keys of ' +
		'these files there, then delete them');

function unc(s) {
	return s.replace(/\\(.)/g, (m, c) => ({n: '\n', t: '\t'}[c] ?? c));
}
const en = {};
const src = fs.readFileSync(path.join(top, TABLE), 'utf8');
for (const m of src.matchAll(/WEB_TEXT\("((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"\)/g)) {
	checks += 1;
	const k = unc(m[1]);
	if (k in en)
		failures.push(`${TABLE}: "${k}" twice`);
	en[k] = unc(m[2]);
}

// A catalogue's entries, by "context\u0004msgid": {str, fuzzy}.
function readPo(file) {
	const out = {};
	let e = {flags: ''}, field = null;
	const done = () => {
		if (e.msgid !== undefined && e.msgctxt !== undefined)
			out[`${e.msgctxt}\u0004${e.msgid}`] = {
				str: e.msgstr || '', fuzzy: /\bfuzzy\b/.test(e.flags),
			};
		e = {flags: ''};
		field = null;
	};
	for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
		let m;
		if (line.trim() === '' || line.startsWith('#~')) {
			done();
		} else if (line.startsWith('#,')) {
			e.flags += line;
		} else if ((m = /^(msgctxt|msgid|msgstr) "(.*)"$/.exec(line))) {
			field = m[1];
			e[field] = unc(m[2]);
		} else if ((m = /^"(.*)"$/.exec(line)) && field) {
			e[field] += unc(m[1]);
		}
	}
	done();
	return out;
}

function places(s) {
	return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
}

for (const l of ['uk', 'ru']) {
	const po = readPo(path.join(top, 'po', `${l}.po`));
	for (const [k, v] of Object.entries(en)) {
		checks += 1;
		const e = po[`${k}\u0004${v}`];
		if (!e)
			failures.push(`po/${l}.po lacks the page text "${k}" (${HOWTO})`);
		else if (!e.str.trim() || e.fuzzy)
			failures.push(`po/${l}.po: the page text "${k}" is ${e.fuzzy ? 'fuzzy' : 'not translated'}`);
		else if (places(e.str) !== places(v))
			failures.push(`po/${l}.po: "${k}" has places {${places(e.str)}}, the English {${places(v)}}`);
	}
}

// Keys named literally in the code: t('x'), heading('x'), data-i18n="x".
function walk(dir) {
	return fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
		e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}
const sources = [...walk(path.join(web, 'js')), path.join(web, 'index.html')];
const used = new Set();
for (const f of sources) {
	const text = fs.readFileSync(f, 'utf8');
	for (const m of text.matchAll(/\b(?:t|heading)\('([a-z_0-9.:-]+)'/g))
		used.add(m[1]);
	for (const m of text.matchAll(/data-i18n(?:-aria)?="([a-z_0-9.:-]+)"/g))
		used.add(m[1]);
	// Coded values shown through word('group', code) need every code.
	for (const m of text.matchAll(/word\('(\w+)'/g))
		used.add(`group:${m[1]}`);
}
const groups = {
	status: ['reported_missing', 'confirmed_captive', 'proposed', 'agreed',
		'repatriated', 'released', 'transferred', 'escaped', 'deceased'],
	health: ['unknown', 'good', 'not_wounded', 'recovered', 'convalescent', 'sick',
		'slightly_wounded', 'seriously_wounded'],
	consent: ['not_asked', 'willing', 'refuses', 'undecided'],
	legal_hold: ['none', 'proceedings', 'convicted'],
	category: ['unknown', 'military', 'civilian', 'medical', 'chaplain'],
	source: ['official_list', 'capture_card', 'icrc_visit', 'counterpart_list',
		'video_testimony', 'family_report'],
	time_held: ['lt_3m', '3_6m', '6_12m', '12_24m', 'gt_24m', 'unknown'],
	band: ['match', 'review', 'non-match'],
	outcome: ['pending', 'handed_over', 'received', 'refused', 'absent'],
	field: ['status', 'held_by', 'health', 'consent', 'legal_hold', 'family_name',
		'given_name', 'patronymic', 'birth_date', 'birth_place', 'service_number'],
};
for (const k of used) {
	checks += 1;
	if (k.startsWith('group:')) {
		const g = k.slice(6);
		for (const code of groups[g] || [])
			if (!(`${g}.${code}` in en))
				failures.push(`the code shows "${g}.${code}", ${TABLE} lacks it (${HOWTO})`);
	} else if (!(k in en)) {
		failures.push(`the code uses "${k}", ${TABLE} lacks it (${HOWTO})`);
	}
}
// Keys built from a name: the screens' links and the family statuses the
// server answers with (docs/api.md).
for (const m of fs.readFileSync(path.join(web, 'js', 'app.js'), 'utf8')
	.matchAll(/\{name: '(\w+)', view/g)) {
	if (m[1] !== 'person' && !(`nav.${m[1]}` in en))
		failures.push(`${TABLE} lacks "nav.${m[1]}" (${HOWTO})`);
}
for (const s of ['searching', 'reported_missing', 'held', 'on_list', 'handed_over',
	'released', 'contact_hotline', 'closed', 'unknown'])
	if (!(`family.status.${s}` in en))
		failures.push(`${TABLE} lacks "family.status.${s}" (${HOWTO})`);

assert.ok(checks > 500, `checked ${checks} keys`);
if (failures.length) {
	console.error(failures.join('\n'));
	console.log(`0 passed, ${failures.length} failed`);
	process.exit(1);
}
console.log(`${checks} passed, 0 failed`);

// The page's texts: every language has every key, with the same {places};
// every key the code names literally exists. Runs without a browser.
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

const web = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'web');
const LANGS = ['en', 'uk', 'ru'];
const dicts = Object.fromEntries(LANGS.map((l) =>
	[l, JSON.parse(fs.readFileSync(path.join(web, 'i18n', `${l}.json`), 'utf8'))]));
const failures = [];
let checks = 0;

function places(s) {
	return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
}

for (const l of LANGS) {
	for (const other of LANGS) {
		for (const k of Object.keys(dicts[other])) {
			checks += 1;
			if (!(k in dicts[l]))
				failures.push(`${l}.json lacks "${k}" (${other}.json has it)`);
		}
	}
	for (const [k, v] of Object.entries(dicts[l])) {
		checks += 1;
		if (typeof v !== 'string' || !v.trim())
			failures.push(`${l}.json: "${k}" is empty`);
		else if (l !== 'en' && k in dicts.en && places(v) !== places(dicts.en[k]))
			failures.push(`${l}.json: "${k}" has places {${places(v)}}, en.json {${places(dicts.en[k])}}`);
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
	for (const m of text.matchAll(/\b(?:t|heading)\('([a-z_0-9.-]+)'/g))
		used.add(m[1]);
	for (const m of text.matchAll(/data-i18n(?:-aria)?="([a-z_0-9.-]+)"/g))
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
			if (!(`${g}.${code}` in dicts.en))
				failures.push(`en.json lacks "${g}.${code}"`);
	} else if (!(k in dicts.en)) {
		failures.push(`the code uses "${k}", en.json lacks it`);
	}
}
// Keys built from a name: the screens' links and the family statuses the
// server answers with (docs/api.md).
for (const m of fs.readFileSync(path.join(web, 'js', 'app.js'), 'utf8')
	.matchAll(/\{name: '(\w+)', view/g)) {
	if (m[1] !== 'person' && !(`nav.${m[1]}` in dicts.en))
		failures.push(`en.json lacks "nav.${m[1]}"`);
}
for (const s of ['searching', 'reported_missing', 'held', 'on_list', 'handed_over',
	'released', 'contact_hotline', 'closed', 'unknown'])
	if (!(`family.status.${s}` in dicts.en))
		failures.push(`en.json lacks "family.status.${s}"`);

assert.ok(checks > 500, `checked ${checks} keys`);
if (failures.length) {
	console.error(failures.join('\n'));
	console.log(`0 passed, ${failures.length} failed`);
	process.exit(1);
}
console.log(`${checks} passed, 0 failed`);

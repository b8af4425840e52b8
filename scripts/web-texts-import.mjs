#!/usr/bin/env node
// Moves page texts kept as JSON files ({"key": "text"} in en.json, uk.json
// and ru.json of one folder, the form the web app once read) into the
// message catalogues: each key missing from the table of the page's texts
// (src/lib/io/web_texts.c) gets a line there with its English, then the
// catalogues are merged (scripts/po-update.sh) and the new entries of
// po/uk.po and po/ru.po are filled with the JSON's Ukrainian and Russian.
// A key the table already has is left as it is (a different English in
// the JSON is reported, not applied). docs/i18n.md, "The page's texts".
//
// Usage: node scripts/web-texts-import.mjs [DIR]   (DIR: default web/i18n;
// run from the top of the source tree; the JSON files may then go.)
import fs from 'node:fs';
import path from 'node:path';
import {execFileSync} from 'node:child_process';

const dir = process.argv[2] || 'web/i18n';
const TABLE = 'src/lib/io/web_texts.c';
const END = '\t/* The end of the page\'s texts: new ones go above this line. */';

const json = {};
for (const l of ['en', 'uk', 'ru']) {
	const f = path.join(dir, `${l}.json`);
	json[l] = fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : {};
}

// A C string literal, UTF-8 kept as it is.
function cstr(s) {
	return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
		.replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
}

let table = fs.readFileSync(TABLE, 'utf8');
const have = new Map();
for (const m of table.matchAll(/WEB_TEXT\("((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"\)/g))
	have.set(m[1], m[2]);
if (!table.includes(END)) {
	console.error(`${TABLE}: the end mark of the table is missing`);
	process.exit(1);
}
const added = [];
let lines = '';
for (const [k, en] of Object.entries(json.en)) {
	if (have.has(k)) {
		if (cstr(en) !== `"${have.get(k)}"`)
			console.error(`${k}: kept the table's English, the JSON says ${JSON.stringify(en)}`);
		continue;
	}
	if (!/^[a-z_0-9.:-]+$/.test(k)) {
		console.error(`${k}: a key is lower-case letters, digits and . _ : -`);
		process.exit(1);
	}
	// A text with a per cent sign is no printf format.
	if (en.includes('%'))
		lines += '\t/* xgettext:no-c-format */\n';
	lines += `\tWEB_TEXT(${cstr(k)}, ${cstr(en)}),\n`;
	added.push(k);
}
table = table.replace(END, lines + END);
fs.writeFileSync(TABLE, table);
console.error(`${TABLE}: ${added.length} texts added`);

execFileSync('sh', ['scripts/po-update.sh'], {stdio: 'inherit'});

// A .po string (no-wrap, as po-update.sh writes them): its C escapes.
function postr(s) {
	return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
		.replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
}
function unpo(s) {
	return s.replace(/\\(.)/g, (m, c) => ({n: '\n', t: '\t'}[c] ?? c));
}

for (const l of ['uk', 'ru']) {
	const f = `po/${l}.po`;
	const lines = fs.readFileSync(f, 'utf8').split('\n');
	const out = [];
	let filled = 0;
	const missing = [];
	for (let i = 0; i < lines.length; i++) {
		const m = /^msgctxt "(.*)"$/.exec(lines[i]);
		const k = m ? unpo(m[1]) : null;
		if (!m || !added.includes(k)) {
			out.push(lines[i]);
			continue;
		}
		// A new entry: msgmerge left it empty, or guessed it from a
		// like one (fuzzy, with the guess's "#|" lines): the JSON's
		// translation replaces either.
		while (out.length && out[out.length - 1].startsWith('#')) {
			const c = out[out.length - 1];
			if (c.startsWith('#|') || c === '#, fuzzy')
				out.pop();
			else if (c.startsWith('#,') && c.includes('fuzzy'))
				out[out.length - 1] = c.replace(/ fuzzy,?/, '').replace(/,$/, '');
			else
				break;
		}
		let j = i;
		out.push(lines[j++]);
		while (j < lines.length && !lines[j].startsWith('msgstr '))
			out.push(lines[j++]);
		let end = j + 1;
		while (end < lines.length && lines[end].startsWith('"'))
			end++;
		const tr = json[l][k];
		if (typeof tr === 'string' && tr.trim()) {
			out.push(`msgstr ${postr(tr)}`);
			filled++;
		} else {
			out.push(...lines.slice(j, end));
			missing.push(k);
		}
		i = end - 1;
	}
	fs.writeFileSync(f, out.join('\n'));
	console.error(`${f}: ${filled} translations filled` +
		(missing.length ? `; still to translate: ${missing.join(', ')}` : ''));
}

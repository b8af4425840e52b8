// Duplicates and merging: Волошин Сергій is in the register twice (a
// second list wrote him in Latin letters). RU's registrar sees both
// records side by side with the evidence in words, keeps the first and
// merges; the search then shows one man, not two. The merge is undone from
// the screen, and the search shows two records again. A refusal of the
// library (a merge across a round not yet settled) is shown on the page,
// and a hotline account may not use the screen at all.
import fs from 'node:fs';
import path from 'node:path';
import {run, assert, checkA11y, signIn} from './harness.mjs';

// The hits of a search whose name is Волошин's, in either script.
async function voloshyns(page) {
	await page.goto(`${page.url().split('#')[0]}#/search?q=${encodeURIComponent('Sergey Voloshyn')}`);
	await page.locator('.hit').first().waitFor();
	const ids = [];
	for (const meta of await page.locator('.hit .meta').allTextContents()) {
		const m = /\b(UA-1B?)\b/.exec(meta);
		if (m)
			ids.push(m[1]);
	}
	return ids.sort();
}

await run('merge', async (t, step) => {
	const extra = path.join(t.dir, 'second.csv');
	fs.writeFileSync(extra,
		'id,family_name,given_name,patronymic,birth_date,sex,depends_on,held_by,status,held_since\n' +
		'UA-1B,Voloshyn,Serhii,Pavlovych,1990-03-02,male,UA,RU,confirmed_captive,2024-03-10\n' +
		'UA-3B,Haidamaka,Mykola,Yuriiovych,1975-12-01,male,UA,RU,confirmed_captive,2023-11-02\n');
	t.cli(['import', 'csv', extra]);
	// UA-3 is proposed for exchange: a round not yet settled.
	t.cli(['event', 'add', 'UA-3', 'status', 'proposed', '--by', 'bureau',
		'--source', 'official_list']);
	const page = await t.page();
	await signIn(page, 'reg-ru');
	await step('before the merge the search finds him twice', async () => {
		assert.deepEqual(await voloshyns(page), ['UA-1', 'UA-1B']);
	});
	let pair;
	await step('both records side by side, each field compared in words', async () => {
		await page.getByRole('link', {name: 'Duplicates'}).click();
		await page.getByRole('heading', {name: 'Duplicates and merging'}).waitFor();
		pair = page.locator('.dup-pair').filter({hasText: 'UA-1B'});
		await pair.waitFor();
		const table = await pair.locator('table').textContent();
		assert.match(table, /Record UA-1/);
		assert.match(table, /Record UA-1B/);
		assert.match(table, /Волошин/);
		assert.match(table, /Voloshyn/);
		assert.match(table, /the same name in another script|the same surname in either language/,
			'the evidence in plain words');
		assert.match(table, /the same date/);
		await checkA11y(page, 'duplicates');
		await t.shot(page, 'pairs');
	});
	await step('a merge across a round not yet settled is refused, in the library\'s words', async () => {
		const p3 = page.locator('.dup-pair').filter({hasText: 'UA-3B'});
		await p3.getByLabel('Why they are one man').fill('same man');
		await p3.getByRole('button', {name: 'Merge'}).click();
		await p3.getByText(/UA-3 is proposed for exchange .* not yet settled/).waitFor();
	});
	await step('keeping UA-1, the registrar merges with the keyboard', async () => {
		await pair.getByLabel(/Keep UA-1 \(/).check();
		await pair.getByLabel('Why they are one man').fill('one man on two lists');
		await pair.getByLabel('Why they are one man').press('Tab');
		await page.keyboard.press('Enter');
		// The screen drawn again: the notice and the list come together.
		await page.locator('main .notice').getByText('UA-1B was merged into UA-1.').waitFor();
		assert.equal(await page.locator('.dup-pair').filter({hasText: 'UA-1B'}).count(), 0,
			'the pair is no longer offered');
		await t.shot(page, 'merged');
	});
	await step('the search shows one man, not two', async () => {
		assert.deepEqual(await voloshyns(page), ['UA-1']);
		await page.getByRole('link', {name: 'Волошин Сергій Павлович'}).click();
		await page.getByRole('heading', {name: 'Records merged into this one'}).waitFor();
		assert.match(await page.locator('.merges').textContent(), /UA-1B, merged on .* by reg-ru: one man on two lists/);
		await t.shot(page, 'one-man');
	});
	await step('the merge is undone from the card; the search shows both records again', async () => {
		await page.getByLabel('Why the merge is undone').fill('two men after all');
		await page.getByRole('button', {name: 'Undo the merge of UA-1B'}).click();
		await page.locator('main').getByText('The merge was undone: UA-1B and UA-1 are two records again.').waitFor();
		assert.deepEqual(await voloshyns(page), ['UA-1', 'UA-1B']);
		await t.shot(page, 'undone');
	});
	await step('a hotline account may not see the duplicates', async () => {
		const hot = await t.page();
		await signIn(hot, 'hotline1');
		assert.equal(await hot.getByRole('link', {name: 'Duplicates'}).count(), 0, 'no link');
		await hot.goto(`${t.url}/#/duplicates`);
		await hot.getByText('Your account may not do this.').waitFor();
	});
	await step('the page in Ukrainian', async () => {
		await page.locator('#lang').selectOption('uk');
		await page.getByRole('link', {name: 'Дублікати'}).click();
		await page.getByRole('heading', {name: 'Дублікати й об\'єднання'}).waitFor();
		await page.locator('.dup-pair').first().waitFor();
		assert.match(await page.locator('.dup-pair').first().textContent(), /Який запис залишається\?/);
	});
});

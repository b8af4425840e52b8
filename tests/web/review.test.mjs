// Potential-match review: what the family said and the record side by
// side with the evidence per field; a decision needs a reason and takes
// the pair off the list.
import fs from 'node:fs';
import path from 'node:path';
import {run, assert, checkA11y, signIn, cli} from './harness.mjs';

await run('review', async (t, step) => {
	await step('an inquiry by Latin spelling leaves a potential match to review', async () => {
		t.cli(['inquiry', 'add', '--by', 'hotline', '--name', 'Hajdamaka Mykola',
			'--requester', 'brother', '--contact', '+380 50 000 0003']);
		const pending = JSON.parse(t.cli(['review', 'list', '--json']));
		assert.ok(pending.some((m) => m.person_id === 'UA-3'));
	});
	await step('UA declares the men it holds; a probable identity link joins the queue', async () => {
		// UA's own register names RU's soldiers its own way (Ukrainian
		// spelling, its own ids); one is written with another given name
		// and birth month, so that linking leaves him to a person.
		const ua = path.join(t.dir, 'ua.db');
		fs.writeFileSync(path.join(t.dir, 'ua.csv'),
			'id,family_name,given_name,patronymic,birth_date,sex,rank,depends_on,held_by,category,status\n' +
			'P-1,Іванов,Дмитро,Сергійович,1993-04-04,male,рядовий,RU,UA,military,confirmed_captive\n' +
			'P-3,Кузнецов,Олег,Петрович,1987-02-21,male,сержант,RU,UA,military,confirmed_captive\n');
		cli(ua, ['init', '--party', 'UA']);
		cli(ua, ['import', 'csv', path.join(t.dir, 'ua.csv')]);
		cli(ua, ['key', 'new', '--party', 'UA', '-o', t.dir]);
		cli(ua, ['declare', 'held', '-o', path.join(t.dir, 'held.json'),
			'--key', path.join(t.dir, 'UA.key')]);
		t.cli(['key', 'import', path.join(t.dir, 'UA.pub'), '--party', 'UA']);
		t.cli(['receive', path.join(t.dir, 'held.json')]);
		const out = t.cli(['links', 'make', 'UA:held', 'register', '--by', 'clerk',
			'--threshold', '0.99']);
		assert.match(out, /1 linked, 1 for review/, out);
		const pending = JSON.parse(t.cli(['review', 'list', '--json']));
		assert.ok(pending.some((m) => m.inquiry_id === 'link:UA:P-3' && m.person_id === 'RU-3'));
	});
	const page = await t.page();
	await signIn(page, 'reg-ru');
	await step('both records side by side, field by field, with the evidence', async () => {
		await page.getByRole('link', {name: 'Potential matches'}).click();
		const item = page.locator('.review-item').filter({hasText: 'UA-3'});
		await item.waitFor();
		const table = item.locator('table.side-by-side');
		const row = table.locator('tr').filter({hasText: 'Family name'});
		const cells = await row.locator('td').allTextContents();
		assert.equal(cells[0], 'Hajdamaka', 'what the family said');
		assert.equal(cells[1], 'Гайдамака', 'the register\'s record');
		// How they agree, in words: never the engine's bits.
		assert.equal(cells[2], 'the same surname in either language',
			`evidence for the family name: ${cells[2]}`);
		const dates = await table.locator('tr').filter({hasText: 'Date of birth'})
			.locator('td').allTextContents();
		assert.equal(dates[2], 'known on one side only');
		for (const e of await table.locator('tbody tr td:nth-child(4)').allTextContents())
			assert.doesNotMatch(e, /bits|\d/, `no score where a sentence fits: ${e}`);
		const given = await table.locator('tr').filter({hasText: 'Given name'})
			.locator('td').allTextContents();
		assert.equal(given[1], 'Микола');
		await checkA11y(page, 'review');
		await t.shot(page, 'side-by-side');
	});
	await step('the agreement is said in words, in the page\'s language', async () => {
		const item = page.locator('.review-item').filter({hasText: 'UA-3'});
		const band = await item.locator('.band').textContent();
		assert.match(band, /found by surname and given name/, band);
		assert.doesNotMatch(band, /bits|probability/, 'no score where a sentence fits');
		const uk = await t.page({locale: 'uk-UA'});
		await signIn(uk, 'reg-ru');
		await uk.goto(`${t.url}/#/review`);
		const ukItem = uk.locator('.review-item').filter({hasText: 'UA-3'});
		await ukItem.waitFor();
		const ukBand = await ukItem.locator('.band').textContent();
		assert.match(ukBand, /знайдено за прізвищем і ім'ям/, ukBand);
		const ukRow = ukItem.locator('table.side-by-side tr').filter({hasText: 'Прізвище'});
		const ukCells = await ukRow.locator('td').allTextContents();
		assert.equal(ukCells[2], 'те саме прізвище будь-якою мовою', ukCells.join(' | '));
	});
	await step('the link: UA\'s declared man beside the record, in words, and confirmed', async () => {
		await page.goto(`${t.url}/#/`);
		await page.getByRole('link', {name: 'Potential matches'}).click();
		const item = page.locator('.review-item').filter({hasText: 'RU-3'});
		await item.waitFor();
		assert.equal(await page.locator('main .card .error').count(), 0,
			'no card fails to load');
		const table = item.locator('table.side-by-side');
		assert.equal(await table.locator('caption').textContent(),
			"UA's declared person P-3 against record RU-3, field by field");
		assert.equal(await table.locator('thead th').nth(1).textContent(), 'As UA declared him');
		const given = await table.locator('tr').filter({hasText: 'Given name'})
			.locator('td').allTextContents();
		assert.deepEqual(given, ['Олег', 'Алексей', 'different']);
		const band = await item.locator('.band').textContent();
		assert.match(band, /found by surname, patronymic and date of birth/, band);
		assert.match(band, /the given name differs: Олег and Алексей/, band);
		assert.doesNotMatch(band, /bits|probability/, band);
		await checkA11y(page, 'review of a link');
		await item.getByLabel('Reason for the decision').fill('same unit, the same capture');
		await item.getByRole('button', {name: 'Confirm: this is him'}).click();
		await page.locator('main').getByText('The match was confirmed.').waitFor();
		await item.waitFor({state: 'detached'});
		const links = t.cli(['links', 'list']);
		assert.match(links, /^UA:P-3 -> RU-3 {2}confirmed .* by reg-ru/m, links);
	});
	await step('a decision without a reason is not sent', async () => {
		const item = page.locator('.review-item').filter({hasText: 'UA-3'});
		await item.getByRole('button', {name: 'Confirm: this is him'}).click();
		await item.getByText('Please give the reason for the decision.').waitFor();
		const pending = JSON.parse(t.cli(['review', 'list', '--json']));
		assert.ok(pending.some((m) => m.person_id === 'UA-3' && m.state === 'pending'));
	});
	await step('confirming takes it off the list and is recorded', async () => {
		const item = page.locator('.review-item').filter({hasText: 'UA-3'});
		await item.getByLabel('Reason for the decision').fill('the brother gave the birth date');
		await item.getByRole('button', {name: 'Confirm: this is him'}).click();
		// Off the list once the server has it (the words above may still
		// stand from the link confirmed before).
		await page.locator('.review-item').filter({hasText: 'UA-3'}).waitFor({state: 'detached'});
		await page.locator('main').getByText('The match was confirmed.').waitFor();
		const all = JSON.parse(t.cli(['review', 'list', '--all', '--json']));
		const m = all.find((x) => x.person_id === 'UA-3');
		assert.equal(m.state, 'confirmed');
		assert.equal(m.reason, 'the brother gave the birth date');
	});
});

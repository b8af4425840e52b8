// Potential-match review: what the family said and the record side by
// side with the evidence per field; a decision needs a reason and takes
// the pair off the list.
import {run, assert, checkA11y, signIn} from './harness.mjs';

await run('review', async (t, step) => {
	await step('an inquiry by Latin spelling leaves a potential match to review', async () => {
		t.cli(['inquiry', 'add', '--by', 'hotline', '--name', 'Hajdamaka Mykola',
			'--requester', 'brother', '--contact', '+380 50 000 0003']);
		const pending = JSON.parse(t.cli(['review', 'list', '--json']));
		assert.ok(pending.some((m) => m.person_id === 'UA-3'));
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
		await page.locator('main').getByText('The match was confirmed.').waitFor();
		assert.equal(await page.locator('.review-item').filter({hasText: 'UA-3'}).count(), 0);
		const all = JSON.parse(t.cli(['review', 'list', '--all', '--json']));
		const m = all.find((x) => x.person_id === 'UA-3');
		assert.equal(m.state, 'confirmed');
		assert.equal(m.reason, 'the brother gave the birth date');
	});
});

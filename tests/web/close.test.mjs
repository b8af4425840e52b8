// Closing an inquiry on the hotline screens. A mother asks for Ковальчук
// Олександр, who is in the register twice: the inquiry has two candidates.
// A registrar confirms one on the review screen; the inquiry's page then
// shows the other closed with the library's reason and the history line
// by line. A second inquiry is closed by the hotline with a reason, which
// the page then shows; a closing without a reason is refused.
import fs from 'node:fs';
import path from 'node:path';
import {run, assert, checkA11y, signIn, fileInquiry} from './harness.mjs';

await run('close', async (t, step) => {
	const extra = path.join(t.dir, 'second.csv');
	fs.writeFileSync(extra,
		'id,family_name,given_name,patronymic,birth_date,sex,depends_on,status\n' +
		'UA-2B,Kovalchuk,Oleksandr,Petrovych,1988-07-15,male,UA,reported_missing\n');
	t.cli(['import', 'csv', extra]);
	const page = await t.page();
	await signIn(page, 'hotline1');
	let id;
	await step('an inquiry with two candidates opens from the intake', async () => {
		await fileInquiry(page, {
			'Family name': 'Kovalchuk',
			'Given name': 'Oleksandr',
			'Date of birth': '1988-07-15',
			"Caller's name": 'Марія Ковальчук',
			'Relation to the person sought': 'mother',
			'How to call back': '+380 50 000 0001',
		});
		const link = page.getByRole('link', {name: /^Open inquiry INQ-\d+$/});
		id = (await link.textContent()).replace('Open inquiry ', '');
		await link.click();
		await page.getByRole('heading', {name: `Inquiry ${id}`, exact: true}).waitFor();
		const rows = page.locator('table.candidates tbody tr');
		assert.equal(await rows.count(), 2, 'UA-2 and UA-2B are candidates');
		assert.match(await rows.allTextContents().then((x) => x.join(' ')), /awaiting review.*awaiting review/);
		assert.match(await page.locator('.history').textContent(), /recorded/);
	});
	await step('confirming one candidate closes the other; the page shows it', async () => {
		const reg = await t.page();
		await signIn(reg, 'reg-ua');
		await reg.getByRole('link', {name: 'Potential matches'}).click();
		const item = reg.locator('.review-item').filter({hasText: `${id}`}).filter({hasText: '(record UA-2)'});
		await item.getByLabel('Reason for the decision').fill('his mother knew the scar on his hand');
		await item.getByRole('button', {name: 'Confirm: this is him'}).click();
		await reg.locator('main').getByText('The match was confirmed.').waitFor();
		await page.reload();
		await page.getByRole('heading', {name: `Inquiry ${id}`, exact: true}).waitFor();
		const row = (pid) => page.locator('table.candidates tbody tr')
			.filter({has: page.getByRole('link', {name: pid, exact: true})});
		const ua2 = row('UA-2');
		const ua2b = row('UA-2B');
		assert.match(await ua2.textContent(), /confirmed/);
		assert.match(await ua2b.textContent(), /closed.*another candidate confirmed/);
		const hist = await page.locator('.history').textContent();
		assert.match(hist, /confirmed \(UA-2\): his mother knew the scar/);
		assert.match(hist, /candidate closed \(UA-2B\)/);
		await checkA11y(page, 'inquiry confirmed');
		await t.shot(page, 'confirmed');
	});
	await step('the hotline closes the inquiry with a reason, and the page shows it', async () => {
		await page.getByRole('button', {name: 'Close the inquiry'}).click();
		await page.getByText(/closing an inquiry needs its reason/).waitFor();
		await page.getByLabel('Reason for closing').fill('the family has found him');
		await page.getByLabel('Reason for closing').press('Enter');
		await page.locator('main .notice').getByText('The inquiry was closed.').waitFor();
		assert.match(await page.locator('.closed-reason').textContent(),
			/^Closed on .* by hotline1: the family has found him$/);
		assert.match(await page.locator('.history').textContent(), /inquiry closed: the family has found him/);
		assert.equal(await page.getByRole('button', {name: 'Close the inquiry'}).count(), 0,
			'a closed inquiry offers no closing');
		await checkA11y(page, 'inquiry closed');
		await t.shot(page, 'closed');
	});
	await step('the list and the page in Russian', async () => {
		await page.locator('#lang').selectOption('ru');
		await page.getByRole('link', {name: 'Запросы'}).click();
		await page.getByRole('heading', {name: 'Запросы'}).waitFor();
		await page.getByRole('link', {name: 'Показать все запросы'}).click();
		await page.getByRole('link', {name: id}).click();
		await page.getByRole('heading', {name: `Запрос ${id}`, exact: true}).waitFor();
		assert.match(await page.locator('.closed-reason').textContent(), /^Закрыт .*: the family has found him$/);
	});
});

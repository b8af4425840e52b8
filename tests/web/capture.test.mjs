// A registrar types in a capture card: the card opens with the record's
// first event and its source, the man is found by a Latin spelling, a
// wrong date is refused with the field named, and a man the other party
// holds is not his to add.
import {run, assert, checkA11y, signIn} from './harness.mjs';

await run('capture', async (t, step) => {
	const page = await t.page();
	await signIn(page, 'reg-ru');
	async function fill(values) {
		await page.getByRole('link', {name: 'New capture card'}).click();
		await page.getByRole('heading', {name: 'Capture card'}).waitFor();
		for (const [label, value] of Object.entries(values))
			await page.getByLabel(label, {exact: true}).fill(value);
	}
	await step('the form is accessible and knows the registrar\'s party', async () => {
		await fill({});
		assert.equal(await page.getByLabel('Held by', {exact: true}).inputValue(), 'RU');
		await checkA11y(page, 'capture card');
	});
	await step('a wrong date is refused with the field named, nothing added', async () => {
		await fill({'Family name': 'Литвиненко', 'Given name': 'Остап',
			'Date of birth': '1997-13-45', 'Power he depends on': 'UA'});
		await page.getByRole('button', {name: 'Add to the register'}).click();
		const err = page.locator('main .error');
		await err.waitFor();
		assert.match(await err.textContent(), /birth_date|birth date/);
		assert.doesNotMatch(t.cli(['person', 'list']), /Литвиненко/);
	});
	await step('the card opens with the record created from a capture card', async () => {
		await fill({'Family name': 'Литвиненко', 'Given name': 'Остап',
			Patronymic: 'Ігорович', 'Date of birth': '1997-02-14', Rank: 'солдат',
			'Service number': 'ЮА-123456', 'Power he depends on': 'UA',
			'Captured on': '2026-04-01', 'Captured at': 'Бахмут'});
		await page.getByLabel('Health').selectOption('slightly_wounded');
		await page.getByRole('button', {name: 'Add to the register'}).click();
		await page.getByRole('heading', {name: 'Литвиненко Остап Ігорович'}).waitFor();
		assert.match(await page.locator('.standing').textContent(), /Confirmed held by RU/);
		const tl = await page.locator('.timeline').textContent();
		assert.match(tl, /Record created/);
		assert.match(tl, /Source: a capture card/);
		await t.shot(page, 'card');
	});
	await step('he is found by the Latin spelling of his name', async () => {
		await page.getByRole('link', {name: 'Search'}).click();
		await page.getByLabel('Name', {exact: true}).fill('Ostap Lytvynenko');
		await page.getByRole('button', {name: 'Search'}).click();
		await page.locator('.hit h2').filter({hasText: 'Литвиненко Остап Ігорович'}).waitFor();
	});
	await step('a man held by the other party is not his to add', async () => {
		await fill({'Family name': 'Петренко', 'Given name': 'Іван', 'Held by': 'UA',
			'Power he depends on': 'RU'});
		await page.getByRole('button', {name: 'Add to the register'}).click();
		await page.locator('main').getByText('Your account may not do this.').waitFor();
		assert.doesNotMatch(t.cli(['person', 'list']), /Петренко/);
	});
});

// Search across scripts: "Sergey Voloshyn" typed in Latin finds Волошин
// Сергій, with where he stands, who holds him and why he was found.
import {run, assert, checkA11y, signIn} from './harness.mjs';

await run('search', async (t, step) => {
	const page = await t.page();
	await signIn(page, 'hotline1');
	await step('Sergey finds Сергій, with status, holder and evidence', async () => {
		await page.getByLabel('Name', {exact: true}).fill('Sergey Voloshyn');
		await page.getByRole('button', {name: 'Search'}).click();
		const hit = page.locator('.hit').first();
		await hit.waitFor();
		assert.match(await hit.locator('h2').textContent(), /Волошин Сергій Павлович/);
		assert.match(await hit.locator('.standing').textContent(),
			/Confirmed held by RU since 2024-03/);
		await hit.getByText('Why this person was found').click();
		const ev = await hit.locator('.evidence').textContent();
		assert.match(ev, /Sergey = Сергій/, 'the evidence names the given-name equivalence');
		await checkA11y(page, 'search results');
		await t.shot(page, 'sergey');
	});
	await step('the birth date narrows the search; the card opens from the result', async () => {
		await page.getByLabel('Date of birth (optional)').fill('1990');
		await page.getByRole('button', {name: 'Search'}).click();
		await page.locator('.hit').first().waitFor();
		await page.getByRole('link', {name: 'Волошин Сергій Павлович'}).click();
		await page.getByRole('heading', {name: 'Волошин Сергій Павлович'}).waitFor();
		await page.getByText('What happened, newest first').waitFor();
		assert.ok(await page.locator('.timeline .event').count() >= 1,
			'the timeline lists the record\'s events');
		assert.match(await page.locator('.timeline').textContent(), /Source: an official list|Source:/);
		await checkA11y(page, 'person card');
		await t.shot(page, 'card');
	});
	await step('a name nobody has says so in plain words', async () => {
		await page.goto(`${t.url}/#/search?q=${encodeURIComponent('Qqqqxyz Zzzzqw')}`);
		await page.locator('main').getByText('Nobody in the register matches this name.').waitFor();
	});
});

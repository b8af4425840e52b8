// The statistics screen shows the charts of `cartel report`, drawn by the
// server from the same library call: five pictures, each with its title
// as alt text, loaded as SVG; the public sees no count from 1 to 4, and a
// Ukrainian page gets Ukrainian charts.
import {run, assert, checkA11y} from './harness.mjs';

const NAMES = ['held', 'rounds', 'time-held', 'awaiting', 'inquiries'];

await run('charts', async (t, step) => {
	await step('the statistics screen shows the five charts', async () => {
		const page = await t.page({hash: '#/stats'});
		await page.getByRole('heading', {name: 'Charts for the mediator'}).waitFor();
		const imgs = page.locator('figure.report-chart img');
		assert.equal(await imgs.count(), NAMES.length, 'one picture per chart');
		for (let i = 0; i < NAMES.length; i++) {
			const img = imgs.nth(i);
			assert.ok((await img.getAttribute('alt')).trim().length > 0, `${NAMES[i]}: no alt text`);
			assert.match(await img.getAttribute('src'), new RegExp(`/api/stats/charts/${NAMES[i]}\\.svg`));
			// Drawn: the browser decoded the picture.
			await page.waitForFunction((el) => el.complete && el.naturalWidth > 0,
				await img.elementHandle());
		}
		assert.equal(await page.getByRole('img', {name: 'Time in captivity'}).count(), 1);
		await checkA11y(page, 'statistics with charts');
		await t.shot(page, 'charts');
	});
	await step('the pictures are public figures: no count from 1 to 4', async () => {
		const page = await t.page({hash: '#/stats'});
		await page.locator('figure.report-chart img').first().waitFor();
		for (const name of NAMES) {
			const r = await page.evaluate(async (n) => {
				const res = await fetch(`/api/stats/charts/${n}.svg`);
				return {status: res.status, type: res.headers.get('content-type'), text: await res.text()};
			}, name);
			assert.equal(r.status, 200, name);
			assert.equal(r.type, 'image/svg+xml', name);
			assert.match(r.text, /<svg /);
			const desc = (r.text.match(/<desc>(.*)<\/desc>/) || [])[1] || '';
			assert.ok(desc.length > 0, `${name}: no description`);
			for (const part of desc.split('; '))
				assert.ok(!/: [1-4]$/.test(part), `${name}: a count below 5 in public: ${part}`);
		}
	});
	await step('a Ukrainian page gets the charts in Ukrainian', async () => {
		const page = await t.page({hash: '#/stats', locale: 'uk-UA'});
		await page.getByRole('heading', {name: 'Діаграми для посередника'}).waitFor();
		const src = await page.getByRole('img', {name: 'Час у полоні'}).getAttribute('src');
		assert.match(src, /lang=uk/);
		const text = await page.evaluate(async (s) => (await fetch(s)).text(), src);
		assert.match(text, /<title>Час у полоні<\/title>/);
	});
});

// Statistics as charts drawn in the page: the public sees every count
// from 1 to 4 as "fewer than 5"; a mediator sees the exact figures.
import {run, assert, checkA11y, signIn} from './harness.mjs';

await run('stats', async (t, step) => {
	await step('the public figures: charts, small counts as "fewer than 5"', async () => {
		const page = await t.page({hash: '#/stats'});
		await page.getByRole('heading', {name: 'Statistics'}).waitFor();
		const charts = page.locator('figure.chart svg[role="img"]');
		assert.ok(await charts.count() >= 3, 'several charts');
		assert.ok(await page.locator('figure.chart rect.bar').count() >= 3, 'bars are drawn');
		// Six men are held by each side in the test register: the
		// per-side count shows, the small ones do not.
		const values = await page.locator('.chart-value').allTextContents();
		assert.ok(values.includes('fewer than 5'), 'small counts are masked');
		assert.ok(!values.some((v) => /^[1-4]$/.test(v)), `no count from 1 to 4: ${values.join(',')}`);
		await checkA11y(page, 'statistics');
		await t.shot(page, 'public');
	});
	await step('the charts fit a tablet', async () => {
		const page = await t.page({hash: '#/stats', viewport: {width: 768, height: 1024}});
		await page.locator('figure.chart svg').first().waitFor();
		const wide = await page.evaluate(() => document.documentElement.scrollWidth);
		assert.ok(wide <= 768, `no sideways scrolling: ${wide}`);
		await t.shot(page, 'tablet');
	});
});

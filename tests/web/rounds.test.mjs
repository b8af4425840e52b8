// The handover check-off at the exchange point, on a tablet: an agreed
// round (planned, signed by both parties and loaded at the command line)
// opens as a sheet of both sides' men with their names; one tap checks a
// man off, and the register follows.
import path from 'node:path';
import {run, assert, checkA11y, signIn} from './harness.mjs';

await run('rounds', async (t, step) => {
	await step('a round is planned, signed by both parties and loaded', async () => {
		const d = t.dir;
		t.cli(['plan', '--policy', path.join(process.env.TOP, 'examples', 'policies',
			'one-for-one.yaml'), '-o', path.join(d, 'plan.json')]);
		t.cli(['key', 'new', '--party', 'UA', '-o', d]);
		t.cli(['key', 'new', '--party', 'RU', '-o', d]);
		t.cli(['round', 'new', '--plan', path.join(d, 'plan.json'), '--kind', 'agreed',
			'--id', 'R-1', '-o', path.join(d, 'r.json')]);
		t.cli(['round', 'sign', path.join(d, 'r.json'), '--key', path.join(d, 'UA.key')]);
		t.cli(['round', 'sign', path.join(d, 'r.json'), '--key', path.join(d, 'RU.key')]);
		t.cli(['handover', 'start', path.join(d, 'r.json'), '--by', 'mediator']);
	});
	const page = await t.page({viewport: {width: 768, height: 1024}});
	await signIn(page, 'mediator1');
	await step('the sheet lists both sides by name, with large targets, on a tablet', async () => {
		await page.getByRole('link', {name: 'Handover', exact: false}).click();
		await page.getByLabel('Round', {exact: true}).fill('R-1');
		// The address changed to one naming the same screen (a mediator's
		// home is this one) leaves what was typed in place.
		await page.evaluate(() => new Promise((r) => {
			location.hash = '#/';
			setTimeout(r, 200);
		}));
		assert.equal(await page.getByLabel('Round', {exact: true}).inputValue(), 'R-1',
			'the round typed is kept');
		await page.getByRole('button', {name: 'Open the sheet'}).click();
		await page.getByRole('heading', {name: 'Round R-1, version 1'}).waitFor();
		await page.getByRole('heading', {name: 'RU hands over'}).waitFor();
		await page.getByRole('heading', {name: 'UA hands over'}).waitFor();
		const row = page.locator('.checkoff li').filter({hasText: 'Волошин Сергій Павлович'});
		await row.waitFor();
		const box = await row.getByRole('button', {name: 'Received'}).boundingBox();
		assert.ok(box.height >= 48 && box.width >= 48, `a large target: ${JSON.stringify(box)}`);
		const wide = await page.evaluate(() => document.documentElement.scrollWidth);
		assert.ok(wide <= 768, `no sideways scrolling: ${wide}`);
		assert.match(await page.locator('.stages').textContent(), /8 listed, 8 still to check/);
		await checkA11y(page, 'handover sheet');
		await t.shot(page, 'sheet');
	});
	await step('one tap checks a man off, and the register records him repatriated', async () => {
		const row = page.locator('.checkoff li').filter({hasText: 'Волошин Сергій Павлович'});
		await row.getByRole('button', {name: 'Received'}).click();
		await page.locator('main').getByText('Волошин Сергій Павлович: Received').waitFor();
		const done = page.locator('.checkoff li').filter({hasText: 'Волошин Сергій Павлович'});
		assert.match(await done.locator('.checked').textContent(), /^Received/);
		assert.equal(await done.getByRole('button').count(), 0, 'no second check-off offered');
		assert.match(await page.locator('.stages').textContent(), /7 still to check, 1 handed over/);
		assert.match(t.cli(['person', 'show', 'UA-1']), /status\s+repatriated/);
		await t.shot(page, 'checked');
	});
	await step('a check-off the rules refuse is explained, and the sheet is unchanged', async () => {
		// His consent is withdrawn after the round was agreed: he may
		// not be handed over against his will (Art. 109).
		t.cli(['event', 'add', 'UA-3', 'consent', 'refuses', '--by', 'ICRC delegate',
			'--source', 'icrc_visit']);
		const row = page.locator('.checkoff li').filter({hasText: 'Гайдамака'});
		await row.getByRole('button', {name: 'Handed over'}).click();
		await row.locator('.error').waitFor();
		assert.match(await row.locator('.error').textContent(), /A value is not right|not right|consent/i);
		assert.match(t.cli(['person', 'show', 'UA-3']), /status\s+agreed/);
	});
});

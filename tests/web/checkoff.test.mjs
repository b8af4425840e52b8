// The check-off at the exchange point by the parties' registrars, on a
// tablet: the holding party's registrar is offered "handed over",
// "refused" and "absent" for the men it holds, the receiving party's only
// "received" for its own; every button is large, labelled and reached
// with the keyboard; the server refuses what the party may not say.
import path from 'node:path';
import {run, assert, checkA11y, signIn} from './harness.mjs';

await run('checkoff', async (t, step) => {
	await step('an agreed round is loaded for handover', async () => {
		const d = t.dir;
		t.cli(['plan', '--policy', path.join(process.env.TOP, 'examples', 'policies',
			'one-for-one.yaml'), '-o', path.join(d, 'plan.json')]);
		t.cli(['key', 'new', '--party', 'UA', '-o', d]);
		t.cli(['key', 'new', '--party', 'RU', '-o', d]);
		t.cli(['round', 'new', '--plan', path.join(d, 'plan.json'), '--kind', 'agreed',
			'--id', 'R-9', '-o', path.join(d, 'r.json')]);
		t.cli(['round', 'sign', path.join(d, 'r.json'), '--key', path.join(d, 'UA.key')]);
		t.cli(['round', 'sign', path.join(d, 'r.json'), '--key', path.join(d, 'RU.key')]);
		t.cli(['handover', 'start', path.join(d, 'r.json'), '--by', 'mediator']);
	});
	const page = await t.page({viewport: {width: 768, height: 1024}});
	await signIn(page, 'reg-ru');
	await page.goto(`${t.url}/#/rounds/R-9`);
	await page.getByRole('heading', {name: 'Round R-9, version 1'}).waitFor();
	await step('RU\'s registrar: hand over the men RU holds, receive RU\'s own', async () => {
		// UA-1 is held by RU: RU says whether he crossed.
		const held = page.locator('.checkoff li').filter({hasText: 'Волошин Сергій Павлович'});
		await held.waitFor();
		const heldButtons = await held.getByRole('button').allTextContents();
		assert.deepEqual(heldButtons, ['Handed over', 'Refused', 'Absent']);
		// RU-1 is RU's own, held by UA: RU only says it received him.
		const own = page.locator('.checkoff li').filter({hasText: 'Иванов Дмитрий Сергеевич'});
		assert.deepEqual(await own.getByRole('button').allTextContents(), ['Received']);
		for (const b of await page.locator('.checkoff button').all()) {
			const box = await b.boundingBox();
			assert.ok(box.height >= 56 && box.width >= 56, `a large target: ${JSON.stringify(box)}`);
		}
		assert.equal(await held.getByRole('group').getAttribute('aria-label'),
			'Check off Волошин Сергій Павлович');
		const wide = await page.evaluate(() => document.documentElement.scrollWidth);
		assert.ok(wide <= 768, `no sideways scrolling: ${wide}`);
		await checkA11y(page, 'check-off by a party');
		await t.shot(page, 'registrar-sheet');
	});
	await step('a man is checked off with the keyboard alone', async () => {
		const held = page.locator('.checkoff li').filter({hasText: 'Волошин Сергій Павлович'});
		const target = held.getByRole('button', {name: 'Handed over'});
		let reached = false;
		for (let i = 0; i < 80 && !reached; i++) {
			await page.keyboard.press('Tab');
			reached = await target.evaluate((b) => b === document.activeElement);
		}
		assert.ok(reached, 'the button is reached with Tab');
		await page.keyboard.press('Enter');
		await page.locator('main').getByText('Волошин Сергій Павлович: Handed over').waitFor();
		assert.match(t.cli(['handover', 'status', 'R-9', '--persons']), /UA-1\s.*handed_over/);
		await t.shot(page, 'checked-by-keyboard');
	});
	await step('what the party may not say is refused by the server', async () => {
		// A request the page would not offer: RU says a man UA holds
		// (RU-2) was handed over.
		const r = await page.evaluate(async () => {
			const s = JSON.parse(sessionStorage.getItem('cartel.session'));
			const res = await fetch('/api/rounds/R-9/handover/RU-2', {method: 'POST',
				headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token},
				body: JSON.stringify({outcome: 'handed_over'})});
			return res.status;
		});
		assert.equal(r, 403);
		assert.match(t.cli(['handover', 'status', 'R-9', '--persons']), /RU-2\s.*pending/);
	});
});

// Accessibility (tests/web/a11y.mjs, docs/web.md) of the registrar's and
// the mediator's screens, driven by the keyboard alone: a potential match
// refused for want of a reason, then confirmed; the capture card,
// documents, handover; a round planned and its exclusions; statistics.
import fs from 'node:fs';
import path from 'node:path';
import {run, assert} from './harness.mjs';
import {screen, tabTo, navTo, signInByKeys} from './a11y.mjs';

await run('a11y_staff', async (t, step) => {
	t.cli(['inquiry', 'add', '--by', 'hotline', '--family', 'Ковальчук',
		'--given', 'Александр', '--born', '1988', '--requester', 'Марія',
		'--contact', '+380 50 000 0002']);

	await step('a registrar: a potential match confirmed by keyboard; capture card, documents, handover', async () => {
		const reg = await t.page();
		await signInByKeys(reg, 'reg-ua');
		await navTo(reg, 'review', 'Potential matches');
		await reg.locator('.card').first().waitFor();
		await screen(reg, 'potential matches, a registrar');
		await tabTo(reg, 'main .card button:not(.secondary)');
		assert.match(await reg.evaluate(() => document.activeElement.textContent), /Confirm/);
		// Without a reason: refused, said, and the focus goes to the
		// reason's field, where the keyboard user types it.
		await reg.keyboard.press('Enter');
		await reg.locator('main .card .error').first().waitFor();
		await screen(reg, 'a decision without its reason');
		await tabTo(reg, 'main .card input');
		await reg.keyboard.type('service number given by the mother');
		await reg.keyboard.press('Tab');
		assert.match(await reg.evaluate(() => document.activeElement.textContent), /Confirm/);
		await reg.keyboard.press('Enter');
		await reg.locator('main .notice').first().waitFor();
		await screen(reg, 'a match confirmed');
		await navTo(reg, 'capture', 'Capture card');
		await screen(reg, 'capture card');
		await navTo(reg, 'documents', 'Documents received');
		await screen(reg, 'documents');
		await navTo(reg, 'rounds', 'Handover at the exchange point');
		await screen(reg, 'handover');
	});

	await step('a mediator plans a round by keyboard and reads the exclusions', async () => {
		const med = await t.page();
		await signInByKeys(med, 'mediator1');
		await navTo(med, 'plan', 'Plan a round');
		await screen(med, 'plan');
		await tabTo(med, '#plan-yaml');
		await med.keyboard.insertText(fs.readFileSync(path.join(process.env.TOP, 'examples',
			'policies', 'one-for-one.yaml'), 'utf8'));
		await tabTo(med, 'main form button[type="submit"]');
		await med.keyboard.press('Enter');
		await med.getByRole('heading', {name: /The plan under/}).waitFor();
		await med.locator('.exclusions li').first().waitFor();
		await screen(med, 'a plan made');
		await navTo(med, 'stats', 'Statistics');
		await screen(med, 'statistics signed in');
	});
});

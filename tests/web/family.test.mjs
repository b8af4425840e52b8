// The family's page after a registrar's event: the hotline files the
// inquiry, the match is confirmed, the holding party's registrar records
// the capture on the person's card, and the family reads "Confirmed held
// since ..." with its code.
import {run, assert, signIn, fileInquiry} from './harness.mjs';

await run('family', async (t, step) => {
	let groups;
	await step('the hotline files the inquiry and reads the code', async () => {
		const page = await t.page();
		await signIn(page, 'hotline1');
		groups = await fileInquiry(page, {
			'Family name': 'Ковальчук',
			'Given name': 'Александр',
			'Date of birth': '1988',
			"Caller's name": 'Марія',
			'How to call back': '+380 50 000 0002',
		});
		assert.ok(groups.length >= 4);
	});
	await step('the bureau confirms the potential match', async () => {
		const id = t.cli(['inquiry', 'list', '--json']).match(/INQ-\d+/)[0];
		t.cli(['review', 'confirm', id, 'UA-2', '--by', 'bureau',
			'--why', 'service number given by the mother']);
	});
	await step('the registrar of the holding party records the capture on the card, against the version he read', async () => {
		const page = await t.page({hash: '#/person/UA-2'});
		await signIn(page, 'reg-ru');
		await page.goto(`${t.url}/#/person/UA-2`);
		await page.getByRole('heading', {name: 'Ковальчук Олександр Петрович'}).waitFor();
		// Meanwhile another registrar records his health from the
		// command line: the page's version is now old, the server
		// refuses, and the page shows the record as it stands.
		t.cli(['event', 'add', 'UA-2', 'health', 'sick', '--by', 'other desk',
			'--source', 'icrc_visit']);
		await page.getByLabel('What changed').selectOption('status');
		await page.getByLabel('New value').selectOption('confirmed_captive');
		await page.getByRole('button', {name: 'Record', exact: true}).click();
		await page.locator('main').getByText('Someone else changed this record').waitFor();
		assert.match(await page.locator('.timeline').textContent(), /Health: .* → sick/);
		assert.match(t.cli(['person', 'show', 'UA-2']), /status\s+reported_missing/,
			'nothing of the stale change was written');
		await t.shot(page, 'conflict');
		// Recorded again against the record as it now stands.
		await page.getByLabel('What changed').selectOption('status');
		await page.getByLabel('New value').selectOption('confirmed_captive');
		await page.getByLabel('Source').selectOption('capture_card');
		await page.getByRole('button', {name: 'Record', exact: true}).click();
		await page.locator('main').getByText('The event was recorded.').waitFor();
		// The capture card gives the day he was taken.
		await page.getByLabel('What changed').selectOption('held_since');
		await page.getByLabel('New value').fill('2026-05-02');
		await page.getByRole('button', {name: 'Record', exact: true}).click();
		await page.locator('.facts').getByText('2026-05-02').first().waitFor();
		const tl = await page.locator('.timeline').textContent();
		assert.match(tl, /Status: Reported missing → Confirmed held/);
		assert.match(tl, /Source: a capture card/);
		await t.shot(page, 'registrar-event');
	});
	await step('the family page says "Confirmed held since ..."', async () => {
		const fam = await t.page({hash: '#/family'});
		await fam.getByLabel('Case code').fill(groups.join('-'));
		await fam.getByRole('button', {name: 'Show the status'}).click();
		const card = fam.locator('.status-card');
		await card.waitFor();
		assert.match(await card.textContent(), /Confirmed held since 2026-05-02\./);
		await fam.getByText('A place on an exchange list is never sold').waitFor();
		await t.shot(fam, 'confirmed-held');
	});
});

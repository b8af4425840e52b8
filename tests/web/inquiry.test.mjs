// A hotline files a mother's inquiry and reads the case code out in
// groups; the family page answers that code, and only that one.
import {execFileSync} from 'node:child_process';
import {run, assert, checkA11y, signIn, fileInquiry} from './harness.mjs';

await run('inquiry', async (t, step) => {
	const page = await t.page();
	await signIn(page, 'hotline1');
	let groups;
	await step('the intake form is accessible and warns that list places are never sold', async () => {
		await page.getByRole('link', {name: 'New inquiry'}).click();
		await page.getByRole('heading', {name: 'New inquiry'}).waitFor();
		await page.getByText('A place on an exchange list is never sold').waitFor();
		await checkA11y(page, 'inquiry intake');
	});
	await step('an inquiry without a name is refused before it is sent', async () => {
		await page.getByLabel("Caller's name").fill('Марія');
		await page.getByRole('button', {name: 'File the inquiry'}).click();
		await page.getByText('Please give at least a family name or a given name.').waitFor();
	});
	await step('filing gives a case code in groups a person can read out', async () => {
		groups = await fileInquiry(page, {
			'Family name': 'Kovalchuk',
			'Given name': 'Oleksandr',
			"Caller's name": 'Марія Ковальчук',
			'Relation to the person sought': 'mother',
			'How to call back': '+380 50 000 0001',
		});
		assert.ok(groups.length >= 4, `several groups: ${groups.join('-')}`);
		for (const g of groups)
			assert.match(g, /^[0-9A-Z]{4}$/, `a group of four: ${g}`);
		assert.ok(groups.join('').length >= 16, '80 bits at least');
		await page.locator('main').getByText(/Inquiry INQ-\d+ was filed/).waitFor();
		await checkA11y(page, 'case code');
		await t.shot(page, 'case-code');
	});
	await step('the family page, without an account, answers that code', async () => {
		const fam = await t.page({hash: '#/family'});
		await fam.getByText('A place on an exchange list is never sold').waitFor();
		// Typed as a family would read it off a note: lower case, spaces.
		await fam.getByLabel('Case code').fill(groups.join(' ').toLowerCase());
		await fam.getByRole('button', {name: 'Show the status'}).click();
		await fam.getByRole('heading', {name: 'What is known'}).waitFor();
		const text = await fam.locator('.status-card').textContent();
		assert.match(text, /still looking|recorded as missing/);
		assert.doesNotMatch(text, /Ковальчук|Kovalchuk|UA-2/, 'no record is named');
		await checkA11y(fam, 'family page');
		await t.shot(fam, 'family-searching');
	});
	await step('a wrong code is answered with "no case", nothing else', async () => {
		const fam = await t.page({hash: '#/family'});
		const wrong = groups.map((g, i) => (i === 0 ? (g[0] === 'Z' ? 'Y' : 'Z') + g.slice(1) : g));
		await fam.getByLabel('Case code').fill(wrong.join('-'));
		await fam.getByRole('button', {name: 'Show the status'}).click();
		await fam.getByText('No case has this code.', {exact: false}).waitFor();
	});
	await step('an inquiry that could not be compared says so, and still gives its code', async () => {
		// The register refuses to keep any potential match (a trigger
		// put in by hand, then taken out).
		const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 20000', t.db, q], {encoding: 'utf8'});
		sql("CREATE TRIGGER no_keep BEFORE INSERT ON match_candidate BEGIN SELECT RAISE(ABORT, 'kept nowhere'); END");
		try {
			const again = await fileInquiry(page, {
				'Family name': 'Kovalchuk',
				'Given name': 'Oleksandr',
				"Caller's name": 'Ірина Ковальчук',
				'Relation to the person sought': 'sister',
			});
			assert.ok(again.length >= 4, 'a case code all the same');
		} finally {
			sql('DROP TRIGGER no_keep');
		}
		const notice = page.locator('main .done .notice');
		assert.match(await notice.textContent(),
			/recorded, but it could not be compared with the register.*cartel inquiry match/);
		await checkA11y(page, 'inquiry not compared');
	});
});

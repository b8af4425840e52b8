// The documents received, in the browser: a mediator stores a round's
// signed list and its counter-proposal; each opens verified again (both
// signatures against the pinned keys, the round's rules); the
// counter-proposal, signed by one party only, says so; the two versions
// compared show who was taken off. A registrar of a party reads them,
// without the form to store one.
import fs from 'node:fs';
import path from 'node:path';
import {run, assert, checkA11y, signIn} from './harness.mjs';

await run('documents', async (t, step) => {
	const d = t.dir;
	await step('a round and its counter-proposal are made and signed at the command line', async () => {
		t.cli(['plan', '--policy', path.join(process.env.TOP, 'examples', 'policies',
			'one-for-one.yaml'), '-o', path.join(d, 'plan.json')]);
		t.cli(['key', 'new', '--party', 'UA', '-o', d]);
		t.cli(['key', 'new', '--party', 'RU', '-o', d]);
		t.cli(['round', 'new', '--plan', path.join(d, 'plan.json'), '--kind', 'proposal',
			'--id', 'R-7', '-o', path.join(d, 'v1.json')]);
		t.cli(['round', 'sign', path.join(d, 'v1.json'), '--key', path.join(d, 'UA.key')]);
		t.cli(['round', 'sign', path.join(d, 'v1.json'), '--key', path.join(d, 'RU.key')]);
		t.cli(['round', 'amend', path.join(d, 'v1.json'), '--remove', 'UA:RU-4', '--kind',
			'counter', '-o', path.join(d, 'v2.json')]);
		t.cli(['round', 'sign', path.join(d, 'v2.json'), '--key', path.join(d, 'RU.key')]);
	});
	const page = await t.page();
	await signIn(page, 'mediator1');
	await step('a signed document stored from its file verifies', async () => {
		await page.getByRole('link', {name: 'Documents'}).click();
		await page.getByRole('heading', {name: 'Documents received', level: 1}).waitFor();
		await page.getByText('No document has been received yet.').waitFor();
		await page.getByLabel('Document file').setInputFiles(path.join(d, 'v1.json'));
		await page.waitForFunction(() => document.getElementById('doc-text').value.length > 100);
		await page.getByRole('button', {name: 'Store'}).click();
		await page.getByRole('heading', {name: 'Document 1', level: 1}).waitFor();
		const verdict = page.locator('#doc-verify-h + .verdict');
		assert.equal((await verdict.textContent()).trim(),
			'Verified: both signatures hold under the pinned keys.');
		const sigs = await page.locator('table.sigs tbody').textContent();
		assert.match(sigs, /UA\s*yes\s*yes\s*yes/);
		assert.match(sigs, /RU\s*yes\s*yes\s*yes/);
		assert.match(await page.locator('#doc-rules-h + .verdict').textContent(), /Every rule holds/);
		await page.getByRole('heading', {name: 'UA hands over 4'}).waitFor();
		await checkA11y(page, 'document');
		await t.shot(page, 'verified');
	});
	await step('a counter-proposal signed by one party says it does not verify, and why', async () => {
		await page.getByRole('link', {name: 'Documents'}).click();
		await page.getByLabel('Or its text').fill(fs.readFileSync(path.join(d, 'v2.json'), 'utf8'));
		await page.getByRole('button', {name: 'Store'}).click();
		await page.getByRole('heading', {name: 'Document 2', level: 1}).waitFor();
		assert.match(await page.locator('#doc-verify-h + .verdict').textContent(), /Does not verify/);
		assert.match(await page.locator('table.sigs tbody tr').first().textContent(), /UA\s*no/);
		assert.ok(await page.locator('ul.problems li').count() > 0, 'what fails is named');
		await t.shot(page, 'not-verified');
	});
	await step('two versions compared show who was taken off', async () => {
		await page.getByRole('link', {name: 'Documents'}).click();
		await page.locator('table.docs tbody tr').nth(1).waitFor();
		assert.match(await page.locator('.pager').textContent(), /1–2 of 2/);
		await page.getByLabel(/Pick No\. 1:/).check();
		await page.getByLabel(/Pick No\. 2:/).check();
		await page.getByRole('button', {name: 'Compare the two picked'}).click();
		await page.getByRole('heading', {name: 'Documents 1 and 2 compared'}).waitFor();
		await page.getByRole('heading', {name: 'Removed: 1'}).waitFor();
		assert.match(await page.locator('main').textContent(), /RU-4 removed from sides\.UA\.gives/);
		await checkA11y(page, 'diff');
		await t.shot(page, 'diff');
	});
	await step('a registrar reads the documents, and may not store one', async () => {
		const reg = await t.page();
		await signIn(reg, 'reg-ua');
		await reg.getByRole('link', {name: 'Documents'}).click();
		await reg.locator('table.docs tbody tr').nth(1).waitFor();
		assert.equal(await reg.getByRole('button', {name: 'Store'}).count(), 0);
		assert.equal(await reg.getByRole('link', {name: 'Plan a round'}).count(), 0);
	});
});

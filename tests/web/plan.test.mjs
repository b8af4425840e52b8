// Planning a round in the browser: a mediator pastes a policy, the
// register proposes both sides' lists with the balance, and every man
// left out has his reason in words, the words of `cartel plan explain`,
// in the reader's language. Other roles have no such screen.
import fs from 'node:fs';
import path from 'node:path';
import {run, assert, checkA11y, signIn} from './harness.mjs';

const POLICY = path.join(process.env.TOP, 'examples', 'policies', 'one-for-one.yaml');

await run('plan', async (t, step) => {
	const page = await t.page();
	await signIn(page, 'mediator1');
	await step('a pasted policy plans both lists and the balance', async () => {
		await page.getByRole('link', {name: 'Plan a round'}).click();
		await page.getByRole('heading', {name: 'Plan a round', level: 1}).waitFor();
		await page.getByLabel('Policy', {exact: true}).selectOption({label: 'Paste a policy (YAML)'});
		await page.getByLabel('The policy\'s text (YAML)').fill(fs.readFileSync(POLICY, 'utf8'));
		await page.getByRole('button', {name: 'Plan the round'}).click();
		await page.getByRole('heading', {name: /The plan under/}).waitFor();
		await page.getByRole('heading', {name: 'UA hands over 4'}).waitFor();
		await page.getByRole('heading', {name: 'RU hands over 4'}).waitFor();
		const bal = await page.locator('table.balance tbody').textContent();
		assert.match(bal, /UA\s*4\s*4/);
		assert.match(bal, /RU\s*4\s*4/);
		assert.match(await page.locator('table.balance caption').textContent(), /1:1/);
		// Listed men by name, not only by id.
		await page.locator('.plan-list li').filter({hasText: 'Иванов Дмитрий Сергеевич'}).waitFor();
		await checkA11y(page, 'plan');
		await t.shot(page, 'plan');
	});
	await step('an exclusion\'s reason reads as cartel plan explain says it', async () => {
		// RU-6 refused repatriation: never listed against his will.
		const row = page.locator('.exclusions li').filter({hasText: 'Лебедев Роман Ильич'});
		await row.waitFor();
		const cli = t.cli(['plan', 'explain', '--policy', POLICY, 'RU-6']).trim();
		const words = cli.replace(/^RU-6: /, '');
		assert.equal((await row.locator('.reason').textContent()).trim(), words);
		assert.match(words, /refus/i);
		// The withheld man (criminal proceedings) is there too, marked.
		const withheld = page.locator('.exclusions li').filter({hasText: 'Соколов Павел Олегович'});
		assert.match(await withheld.textContent(), /withheld/);
		await t.shot(page, 'reason');
	});
	await step('in Ukrainian the reasons come in Ukrainian', async () => {
		await page.locator('#lang').selectOption('uk');
		await page.getByRole('heading', {name: 'Планування раунду', level: 1}).waitFor();
		await page.getByLabel('Політика', {exact: true}).selectOption({label: 'Вставити політику (YAML)'});
		await page.getByLabel('Текст політики (YAML)').fill(fs.readFileSync(POLICY, 'utf8'));
		await page.getByRole('button', {name: 'Спланувати раунд'}).click();
		const row = page.locator('.exclusions li').filter({hasText: 'Лебедев Роман Ильич'});
		await row.waitFor();
		const cli = t.cli(['--lang', 'uk', 'plan', 'explain', '--policy', POLICY, 'RU-6']).trim();
		assert.equal((await row.locator('.reason').textContent()).trim(), cli.replace(/^RU-6: /, ''));
		await t.shot(page, 'reason-uk');
	});
	await step('a policy that does not parse is refused, naming what is wrong', async () => {
		await page.locator('#lang').selectOption('en');
		await page.getByRole('heading', {name: 'Plan a round', level: 1}).waitFor();
		await page.getByLabel('Policy', {exact: true}).selectOption({label: 'Paste a policy (YAML)'});
		await page.getByLabel('The policy\'s text (YAML)').fill('parties: [UA, RU]\nratio: banana\n');
		await page.getByRole('button', {name: 'Plan the round'}).click();
		await page.locator('main .error').waitFor();
		assert.match(await page.locator('main .error').textContent(), /ratio/);
	});
	await step('a hotline operator has no planning screen, and the server refuses', async () => {
		const other = await t.page();
		await signIn(other, 'hotline1');
		assert.equal(await other.getByRole('link', {name: 'Plan a round'}).count(), 0);
		await other.goto(`${t.url}/#/plan`);
		await other.locator('main .error').waitFor();
		assert.match(await other.locator('main .error').textContent(), /may not/i);
	});
});

// Sign in with the keyboard alone; a wrong password is refused in plain
// words; signing out ends the session; a session the server ended leads
// back to the sign-in screen with the reason.
import {run, assert, checkA11y, signIn, PASSWORD} from './harness.mjs';

await run('signin', async (t, step) => {
	const page = await t.page();
	await step('the sign-in screen is the first a visitor sees, and is accessible', async () => {
		await page.getByRole('heading', {name: 'Sign in'}).waitFor();
		await checkA11y(page, 'sign-in');
		await t.shot(page, 'sign-in');
	});
	await step('a wrong password is refused in plain words', async () => {
		await page.getByLabel('Account name').fill('hotline1');
		await page.getByLabel('Password').fill('not the password at all');
		await page.getByRole('button', {name: 'Sign in'}).click();
		await page.getByText('The account name or password is wrong.').waitFor();
		assert.equal(await page.locator('#logout').isVisible(), false);
	});
	await step('keyboard only: Tab to the fields, type, Enter signs in', async () => {
		await page.getByLabel('Account name').fill('');
		await page.getByLabel('Password').fill('');
		await page.locator('body').click({position: {x: 1, y: 1}});
		let tabs = 0;
		while (tabs < 20 && await page.evaluate(() => document.activeElement.id) !== 'username') {
			await page.keyboard.press('Tab');
			tabs += 1;
		}
		assert.equal(await page.evaluate(() => document.activeElement.id), 'username',
			'the account name field is reached with Tab');
		await page.keyboard.type('hotline1');
		await page.keyboard.press('Tab');
		assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
		await page.keyboard.type(PASSWORD);
		await page.keyboard.press('Enter');
		await page.locator('#logout').waitFor({state: 'visible'});
		await page.getByRole('heading', {name: 'Find a person'}).waitFor();
		assert.match(await page.locator('#who').textContent(), /hotline1/);
		await checkA11y(page, 'search after sign-in');
		await t.shot(page, 'signed-in');
	});
	await step('sign out ends the session: the API answers 401 again', async () => {
		await page.getByRole('button', {name: 'Sign out'}).click();
		await page.getByRole('heading', {name: 'Sign in'}).waitFor();
		const status = await page.evaluate(async () =>
			(await fetch('/api/persons?q=Volosh', {credentials: 'same-origin'})).status);
		assert.equal(status, 401);
	});
	await step('a session ended on the server (account disabled) leads back to sign-in, saying why', async () => {
		await signIn(page, 'reg-ua');
		await page.getByRole('heading', {name: 'Find a person'}).waitFor();
		t.cli(['user', 'disable', 'reg-ua', '--by', 'admin']);
		await page.getByLabel('Name', {exact: true}).fill('Ivanov');
		await page.getByRole('button', {name: 'Search'}).click();
		await page.getByRole('heading', {name: 'Sign in'}).waitFor();
		await page.locator('main').getByText('Your session ended').waitFor();
		assert.equal(await page.locator('#logout').isVisible(), false);
	});
});

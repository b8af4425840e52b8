// Accessibility (tests/web/a11y.mjs, docs/web.md) of the screens without
// an account and of the hotline's, driven by the keyboard alone: the
// colours of app.css; sign-in, the family page, statistics; a search and
// a hit's card, an inquiry filed and its case code, call-backs, potential
// matches; the family reading its case; the language switched.
import {run, assert} from './harness.mjs';
import {cssContrast, screen, tabTo, navTo, signInByKeys} from './a11y.mjs';

await run('a11y_public', async (t, step) => {
	await step('the colours of app.css pass WCAG AA', async () => {
		const {problems, pairs} = cssContrast();
		assert.ok(pairs > 20, `${pairs} pairs of colours checked`);
		assert.deepEqual(problems, [], 'contrast of app.css');
	});

	const anon = await t.page();
	await step('without an account: sign-in, family page, statistics', async () => {
		await anon.getByRole('heading', {name: 'Sign in'}).waitFor();
		await screen(anon, 'sign-in');
		await navTo(anon, 'family', 'Your case');
		await screen(anon, 'family page');
		await navTo(anon, 'stats', 'Statistics');
		await screen(anon, 'statistics');
	});

	const hot = await t.page();
	let code;
	await step('the hotline by keyboard alone: sign in, search, the card, an inquiry', async () => {
		await signInByKeys(hot, 'hotline1');
		await hot.getByRole('heading', {name: 'Find a person'}).waitFor();
		await tabTo(hot, '#q');
		await hot.keyboard.type('Sergey Voloshin');
		await hot.keyboard.press('Enter');
		await hot.locator('.hit').first().waitFor();
		await screen(hot, 'search results');
		// The first hit's card, opened with Enter on its link.
		await tabTo(hot, '.hit h2 a');
		await hot.keyboard.press('Enter');
		await hot.locator('.timeline').waitFor();
		await screen(hot, 'person card');
		// An inquiry typed in, filed with Enter.
		await navTo(hot, 'inquiry', 'New inquiry');
		await screen(hot, 'inquiry intake');
		for (const [id, text] of [['#inq-family_name', 'Ковальчук'], ['#inq-given_name', 'Александр'],
			['#inq-birth_date', '1988'], ['#inq-requester', 'Марія'], ['#inq-contact', '+380 50 000 0002']]) {
			await tabTo(hot, id);
			await hot.keyboard.type(text);
		}
		await hot.keyboard.press('Enter');
		await hot.locator('.case-code').waitFor();
		code = (await hot.locator('.case-code .grp').allTextContents()).join('-');
		await screen(hot, 'case code');
		await navTo(hot, 'callbacks', 'Families to call back');
		await screen(hot, 'call-backs');
		await navTo(hot, 'review', 'Potential matches');
		await hot.locator('.card').first().waitFor();
		await screen(hot, 'potential matches');
	});

	await step('the family reads the case by keyboard', async () => {
		await tabTo(anon, '#nav a[href="#/family"]');
		await anon.keyboard.press('Enter');
		await tabTo(anon, '#case-code');
		await anon.keyboard.type(code);
		await anon.keyboard.press('Enter');
		await anon.locator('#family-result-h').waitFor();
		await screen(anon, 'family page with a case');
	});

	await step('the language switched with the keyboard', async () => {
		await tabTo(anon, '#lang');
		// Down from English: Ukrainian; the screen follows at once, and
		// the focus stays on the switch for the next language.
		await anon.keyboard.press('ArrowDown');
		await anon.waitForFunction(() => document.documentElement.lang === 'uk');
		await anon.locator('main:not([aria-busy])').waitFor();
		await anon.getByRole('heading', {level: 1}).filter({hasNotText: 'Your case'}).waitFor();
		assert.equal(await anon.evaluate(() => document.activeElement.id), 'lang',
			'the focus stays on the switch');
		await anon.keyboard.press('ArrowDown');
		await anon.waitForFunction(() => document.documentElement.lang === 'ru');
		await anon.locator('main:not([aria-busy])').waitFor();
		await screen(anon, 'family page in Russian');
	});
});

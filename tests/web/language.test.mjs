// The language follows the browser's and can be switched; the choice is
// kept when the page is opened again.
import {run, assert, checkA11y, PASSWORD} from './harness.mjs';

await run('language', async (t, step) => {
	const page = await t.page({locale: 'uk-UA'});
	await step('a Ukrainian browser gets the Ukrainian page', async () => {
		await page.getByRole('heading', {name: 'Вхід'}).waitFor();
		assert.equal(await page.locator('html').getAttribute('lang'), 'uk');
		assert.equal(await page.getByLabel('Мова').inputValue(), 'uk');
		await checkA11y(page, 'Ukrainian sign-in');
		await t.shot(page, 'uk');
	});
	await step('signed in, the screens speak Ukrainian', async () => {
		await page.getByLabel("Ім'я облікового запису").fill('hotline1');
		await page.getByLabel('Пароль').fill(PASSWORD);
		await page.getByRole('button', {name: 'Увійти'}).click();
		await page.getByRole('heading', {name: 'Знайти особу'}).waitFor();
		await page.getByLabel("Ім'я", {exact: true}).fill('Сергей Волошин');
		await page.getByRole('button', {name: 'Шукати'}).click();
		await page.locator('.hit').first().waitFor();
		assert.match(await page.locator('.hit .standing').first().textContent(),
			/Підтверджено: утримується RU з 2024-03/);
		// The library's words for why he was found come in the page's
		// language too, through the same catalogue.
		assert.match(await page.locator('.hit .words').first().textContent(),
			/^знайдено за /);
	});
	await step('switching to Russian redraws the screen in Russian', async () => {
		await page.getByLabel('Мова').selectOption('ru');
		await page.getByRole('heading', {name: 'Найти человека'}).waitFor();
		assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
		await page.locator('.hit').first().waitFor();
		assert.match(await page.locator('.hit .standing').first().textContent(),
			/Подтверждено: удерживается RU с 2024-03/);
		assert.match(await page.locator('.hit .words').first().textContent(),
			/^найдено по /);
		await t.shot(page, 'ru');
	});
	await step('the choice is kept when the page is opened again', async () => {
		await page.reload();
		await page.waitForSelector('body[data-ready="1"]');
		await page.getByRole('heading', {name: 'Найти человека'}).waitFor();
		await page.getByLabel('Язык').selectOption('en');
		await page.getByRole('heading', {name: 'Find a person'}).waitFor();
	});
	await step('an English browser gets English, a Russian one Russian', async () => {
		const en = await t.page({locale: 'en-US'});
		await en.getByRole('heading', {name: 'Sign in'}).waitFor();
		const ru = await t.page({locale: 'ru-RU'});
		await ru.getByRole('heading', {name: 'Вход'}).waitFor();
	});
});

// Importing a list through the page: RU's registrar chooses a CSV of
// several thousand rows; the progress bar's value rises while the rows go
// in (every value it took is recorded in the page), then the count
// imported and the reject report: row, column and rule, never a cell's
// content. Rows of persons RU may not change are rejected by rule.
import {run, assert, checkA11y, signIn} from './harness.mjs';

// Enough rows that the import takes a few seconds even on an idle
// machine (the page asks for the progress every 100 ms).
const N = 75000;
const fmt = (n) => n.toLocaleString('en-US');

// N rows of men RU holds; every 500th held by UA (not RU's to import),
// every 1,000th with a birth date that is no date.
function list() {
	const rows = ['id,family_name,given_name,patronymic,birth_date,sex,depends_on,held_by,status,held_since'];
	for (let i = 1; i <= N; i++) {
		const holder = i % 500 === 250 ? 'UA' : 'RU';
		const born = i % 1000 === 0 ? '1991-02-30' : `19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`;
		rows.push(`IMP-${i},Тестенко${i},Іван,Петрович,${born},male,UA,${holder},confirmed_captive,2024-01-01`);
	}
	return rows.join('\n') + '\n';
}

await run('import', async (t, step) => {
	const page = await t.page();
	await signIn(page, 'reg-ru');
	await step('the import screen is accessible; a list is needed', async () => {
		await page.getByRole('link', {name: 'Import a list'}).click();
		await page.getByRole('heading', {name: 'Import a list'}).waitFor();
		await page.getByRole('button', {name: 'Import'}).click();
		await page.getByText('Please choose a file.').waitFor();
		await checkA11y(page, 'import form');
	});
	let values;
	await step('the progress bar moves while the rows go in', async () => {
		// Every value the bar takes, as the page sets it.
		await page.evaluate(() => {
			const bar = document.getElementById('imp-progress');
			window.barValues = [];
			new MutationObserver(() => {
				window.barValues.push([Number(bar.value), Number(bar.max)]);
			}).observe(bar, {attributes: true, attributeFilter: ['value', 'max']});
		});
		await page.getByLabel('The list (CSV or XLSX)').setInputFiles({
			name: 'ru-list.csv', mimeType: 'text/csv', buffer: Buffer.from(list()),
		});
		await page.getByRole('button', {name: 'Import'}).click();
		await page.locator('main').getByText(/^Import finished/).waitFor({timeout: 60000});
		values = await page.evaluate(() => window.barValues);
		const final = values[values.length - 1];
		assert.deepEqual(final, [N, N], 'the bar ends full');
		const between = [...new Set(values.filter(([v, m]) => v > 0 && v < m && m === N)
			.map(([v]) => v))];
		console.log(`# the bar stood at ${between.length} values between empty and full`);
		// On an idle machine the list goes in within a second or so: the
		// bar is seen part-filled at least once; under load, many times.
		assert.ok(between.length >= 1,
			`the bar stood at several values on its way: ${JSON.stringify(values)}`);
		for (let i = 1; i < values.length; i++)
			if (values[i][1] === values[i - 1][1])
				assert.ok(values[i][0] >= values[i - 1][0], 'the bar never goes back');
		assert.match(await page.locator('#imp-figures').textContent(),
			new RegExp(`^${fmt(N)} of ${fmt(N)} rows, [\\d,]+ rows a second$`));
		await t.shot(page, 'done');
	});
	await step('the count imported and the reject report, without any cell', async () => {
		const res = page.locator('section').filter({hasText: 'Result'});
		// Every 500th row held by UA, every 1,000th with no date.
		const rejected = N / 500 + N / 1000;
		assert.ok(await res.textContent().then((x) =>
			x.includes(`${fmt(N - rejected)} of ${fmt(N)} rows imported.`)));
		assert.ok(await res.textContent().then((x) =>
			x.includes(`Rows rejected: ${rejected}.`)));
		const rows = page.locator('table.rejects tbody tr');
		assert.equal(await rows.count(), N / 500 + N / 1000);
		const first = await rows.first().locator('td').allTextContents();
		assert.equal(first[0], '251', 'the row as a spreadsheet numbers it');
		assert.equal(first[1], 'Held by');
		assert.match(first[2], /a registrar of RU/);
		const byDate = await rows.filter({hasText: /^1001/}).first().locator('td').allTextContents();
		assert.equal(byDate[1], 'Date of birth');
		const text = await page.locator('table.rejects').textContent();
		assert.doesNotMatch(text, /Тестенко|1991-02-30/, 'no cell content');
		await checkA11y(page, 'import report');
	});
	await step('the register holds the rows imported', async () => {
		const out = t.cli(['person', 'show', 'IMP-9999', '--json']);
		assert.match(out, /Тестенко9999/);
	});
	await step('a hotline account may not import', async () => {
		const hot = await t.page();
		await signIn(hot, 'hotline1');
		assert.equal(await hot.getByRole('link', {name: 'Import a list'}).count(), 0);
		await hot.goto(`${t.url}/#/imports`);
		await hot.getByLabel('The list (CSV or XLSX)').setInputFiles({
			name: 'x.csv', mimeType: 'text/csv', buffer: Buffer.from('id,family_name,held_by\nX-1,Тест,RU\n'),
		});
		await hot.getByRole('button', {name: 'Import'}).click();
		await hot.getByText('Your account may not do this.').waitFor();
	});
});

// Imports: a registrar sends a list (CSV, or a workbook of one sheet) in
// the import columns; the register imports it in the background while the
// page asks how far it has got and moves a progress bar, row by row; then
// the count imported and the reject report (row, column, rule; never a
// cell's content).

import {h, put, field, announce} from '../dom.js';
import {t, word, number} from '../i18n.js';
import {api} from '../api.js';
import {heading, errorBox} from './common.js';

// How often the page asks (the library tells at most every 100 ms).
const POLL_MS = 100;

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

function figures(job) {
	return t('imports.figures', {
		done: number(job.done || 0),
		total: job.total ? number(job.total) : '?',
		rate: number(Math.round(job.rate || 0)),
	});
}

function report(res) {
	const rejects = res.rejects || [];
	return h('section', {class: 'card', 'aria-labelledby': 'imp-res-h'},
		h('h2', {id: 'imp-res-h'}, t('imports.result')),
		h('p', {class: 'imported'}, t('imports.imported', {n: number(res.imported),
			read: number(res.rows_read)})),
		h('p', {class: res.rejected ? 'rejected warn' : 'rejected'},
			t('imports.rejected', {n: number(res.rejected)})),
		res.unknown_columns && res.unknown_columns.length ?
			h('p', {}, t('imports.unknown', {cols: res.unknown_columns.join(', ')})) : null,
		rejects.length ? h('div', {class: 'table-wrap'}, h('table', {class: 'rejects'},
			h('caption', {}, t('imports.rejects_caption')),
			h('thead', {}, h('tr', {},
				h('th', {scope: 'col'}, t('imports.row')),
				h('th', {scope: 'col'}, t('imports.column')),
				h('th', {scope: 'col'}, t('imports.rule')))),
			h('tbody', {}, rejects.map((r) => h('tr', {},
				h('td', {}, String(r.row)),
				h('td', {}, r.column ? word('field', r.column) : '—'),
				h('td', {}, r.reason)))))) : null,
		rejects.length < (res.rejected || 0) ?
			h('p', {}, t('imports.more_rejects', {n: number(res.rejected - rejects.length)})) :
			null);
}

export async function render(main) {
	const file = h('input', {type: 'file', id: 'imp-file', name: 'file',
		accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'});
	const bar = h('progress', {id: 'imp-progress', max: '1', value: '0'});
	const figs = h('p', {id: 'imp-figures', class: 'figures'});
	const progress = h('section', {class: 'card', hidden: true, 'aria-labelledby': 'imp-prog-h'},
		h('h2', {id: 'imp-prog-h'}, t('imports.progress')),
		h('label', {for: bar.id}, t('imports.bar')), bar, figs);
	const out = h('div', {class: 'out'});
	const submit = h('button', {type: 'submit'}, t('imports.submit'));
	const form = h('form', {class: 'card'},
		field(t('imports.file'), file, t('imports.file_hint')), submit);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		out.replaceChildren();
		const f = file.files && file.files[0];
		if (!f) {
			out.append(h('p', {class: 'error', role: 'alert'}, t('imports.need_file')));
			file.focus();
			return;
		}
		submit.disabled = true;
		progress.hidden = false;
		bar.max = 1;
		bar.value = 0;
		figs.textContent = t('imports.sending');
		announce(t('imports.started'));
		try {
			let job = await api.startImport(f);
			while (job.state === 'running' && bar.isConnected) {
				if (job.total > 0)
					bar.max = job.total;
				bar.value = Math.min(job.done || 0, bar.max);
				figs.textContent = figures(job);
				await wait(POLL_MS);
				job = await api.importStatus(job.id);
			}
			if (job.total > 0)
				bar.max = job.total;
			bar.value = Math.min(job.done || 0, bar.max);
			figs.textContent = figures(job);
			if (job.state === 'done') {
				const text = t('imports.done', {n: number(job.result.imported),
					rejected: number(job.result.rejected)});
				announce(text);
				out.append(h('p', {class: 'notice', role: 'status'}, text), report(job.result));
			} else if (job.state === 'failed') {
				out.append(h('p', {class: 'error', role: 'alert'},
					t('imports.failed', {why: job.error || ''})));
			}
		} catch (err) {
			out.append(errorBox(err));
		} finally {
			submit.disabled = false;
		}
	});
	put(main, heading('imports.title'), h('p', {}, t('imports.intro')), form, progress, out);
}

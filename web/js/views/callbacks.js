// The call-back list: families to call because something changed on the
// man they asked about, each change in plain words; a call made is
// checked off.

import {h, put, announce} from '../dom.js';
import {t} from '../i18n.js';
import {api, items} from '../api.js';
import {heading, errorBox, loading} from './common.js';

export async function render(main) {
	main.append(loading());
	async function draw(message) {
		let list;
		try {
			list = items(await api.callbacks());
		} catch (e) {
			put(main, heading('callbacks.title'), errorBox(e));
			return;
		}
		put(main, heading('callbacks.title'),
			message ? h('p', {class: 'notice', role: 'status'}, message) : null,
			list.length ? h('ol', {class: 'callbacks'}, list.map((c) => {
				const changes = c.changes || [];
				return h('li', {class: 'card'},
					h('h2', {}, t('callbacks.item', {id: c.inquiry_id,
						who: c.requester || t('common.unknown')})),
					h('p', {}, h('a', {href: `#/inquiries/${encodeURIComponent(c.inquiry_id)}`},
						t('inq.open', {id: c.inquiry_id}))),
					h('p', {}, t('callbacks.contact', {
						contact: c.contact || '—',
						relation: c.relation || t('common.unknown')})),
					h('ul', {}, changes.map((ch) => h('li', {},
						t('callbacks.change', {id: ch.person_id, change: ch.change,
							at: ch.at})))),
					h('button', {type: 'button', class: 'big', onclick: async () => {
						try {
							await api.callbackDone(c.inquiry_id);
							announce(t('callbacks.done'));
							await draw(t('callbacks.done'));
						} catch (e) {
							main.append(errorBox(e));
						}
					}}, t('callbacks.mark_done')));
			})) : h('p', {}, t('callbacks.none')));
	}
	await draw();
}

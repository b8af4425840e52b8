// Rounds, for a mediator: a plan under a policy with both lists, the
// balance, and each person left out with the reason in plain words; the
// documents and their signatures; the handover check-off at the exchange
// point (large targets, usable on a tablet).

import {h, put, field, announce} from '../dom.js';
import {t, number} from '../i18n.js';
import {api, items} from '../api.js';
import {heading, errorBox, loading} from './common.js';

function sideList(party, side) {
	const persons = side.persons || (side.gives || []).map((id) => ({id}));
	return h('section', {class: 'card', 'aria-labelledby': `side-${party}`},
		h('h3', {id: `side-${party}`}, t('rounds.side_gives', {party,
			n: number(side.count !== undefined ? side.count : persons.length)})),
		h('p', {class: 'meta'}, t('rounds.side_value', {value: side.value,
			eligible: side.eligible !== undefined ? side.eligible : '—'})),
		h('ol', {class: 'round-list'}, persons.map((p) => h('li', {},
			h('a', {href: `#/person/${encodeURIComponent(p.id)}`}, p.name || p.id),
			p.stage ? ` · ${t('rounds.stage', {n: p.stage})}` : '',
			p.consent_not_asked ? ` · ${t('rounds.consent_not_asked')}` : ''))));
}

function reasonTable(caption, rows) {
	return h('div', {class: 'table-wrap'}, h('table', {class: 'reasons'},
		h('caption', {}, caption),
		h('thead', {}, h('tr', {},
			h('th', {scope: 'col'}, t('rounds.person')),
			h('th', {scope: 'col'}, t('rounds.party')),
			h('th', {scope: 'col'}, t('rounds.reason')))),
		h('tbody', {}, rows.map((x) => h('tr', {},
			h('th', {scope: 'row'}, h('a', {href: `#/person/${encodeURIComponent(x.id)}`}, x.id)),
			h('td', {}, x.party || '—'),
			h('td', {}, x.reason || x.code || '—'))))));
}

// The plan as `cartel plan --json` (and the API) gives it.
export function planView(plan) {
	const sides = plan.sides || {};
	const parties = plan.parties || Object.keys(sides);
	const direct = plan.direct_repatriation || {};
	const out = [
		h('h2', {id: 'plan-h'}, t('rounds.plan_title', {
			policy: (plan.policy && plan.policy.name) || ''})),
		h('p', {class: 'balance'}, t('rounds.balance', {
			ratio: plan.ratio || '—',
			a: parties[0] || '', av: sides[parties[0]] ? sides[parties[0]].value : 0,
			b: parties[1] || '', bv: sides[parties[1]] ? sides[parties[1]].value : 0})),
		h('div', {class: 'sides'}, parties.map((p) => sideList(p, sides[p] || {}))),
	];
	const dr = parties.flatMap((p) => (direct[p] || []).map((id) =>
		({id: typeof id === 'string' ? id : id.id, party: p, reason: t('rounds.direct_reason')})));
	if (dr.length)
		out.push(reasonTable(t('rounds.direct'), dr));
	if ((plan.withheld || []).length)
		out.push(reasonTable(t('rounds.withheld'), plan.withheld));
	if ((plan.excluded || []).length)
		out.push(reasonTable(t('rounds.excluded'), plan.excluded));
	return h('section', {'aria-labelledby': 'plan-h'}, out);
}

export async function render(main) {
	let policies = [];
	try {
		policies = items(await api.policies());
	} catch (e) {
		main.append(heading('rounds.title'), errorBox(e));
		return;
	}
	const policy = h('select', {id: 'policy', name: 'policy'},
		policies.map((p) => {
			const name = typeof p === 'string' ? p : (p.id || p.name);
			return h('option', {value: name}, typeof p === 'string' ? p : (p.title || p.name || name));
		}));
	const out = h('div', {class: 'out'});
	const form = h('form', {class: 'card'},
		field(t('rounds.policy'), policy),
		h('button', {type: 'submit'}, t('rounds.plan')));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		put(out, loading());
		try {
			const plan = await api.plan(policy.value);
			put(out, planView(plan));
			announce(t('rounds.planned'));
		} catch (err) {
			put(out, errorBox(err));
		}
	});
	main.append(heading('rounds.title'), h('p', {}, t('rounds.intro')), form, out);
}

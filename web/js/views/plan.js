// Planning a round (mediator): a policy stored in the register, or one
// pasted in, and the plan as the server computes it: both sides' lists
// with names, the balance, and every man left out or withheld with the
// reason in words (the words `cartel plan explain` says).

import {h, put, field, announce} from '../dom.js';
import {t, word, number} from '../i18n.js';
import {api, items} from '../api.js';
import {heading, errorBox, loading} from './common.js';

function balance(plan, view) {
	const sides = view.balance.sides || [];
	return h('section', {class: 'card', 'aria-labelledby': 'plan-balance-h'},
		h('h2', {id: 'plan-balance-h'}, t('plan.balance')),
		h('table', {class: 'balance'},
			h('caption', {}, t('plan.balance_caption', {
				ratio: view.balance.ratio || t('plan.no_ratio'),
			})),
			h('thead', {}, h('tr', {},
				h('th', {scope: 'col'}, t('plan.party')),
				h('th', {scope: 'col'}, t('plan.gives')),
				h('th', {scope: 'col'}, t('plan.value')))),
			h('tbody', {}, sides.map((s) => h('tr', {},
				h('th', {scope: 'row'}, s.party),
				h('td', {}, number(s.gives)),
				h('td', {}, number(s.value)))))),
		h('p', {class: 'meta'}, view.balance.optimal ? t('plan.optimal')
			: t('plan.not_optimal')));
}

function side(plan, view, party) {
	const ids = (plan.sides[party] && plan.sides[party].gives) || [];
	const stageOf = new Map();
	for (const p of (plan.sides[party] && plan.sides[party].persons) || [])
		stageOf.set(p.id, p.stage);
	const direct = (plan.direct_repatriation && plan.direct_repatriation[party]) || [];
	return h('section', {class: 'card', 'aria-labelledby': `plan-side-${party}`},
		h('h3', {id: `plan-side-${party}`}, t('plan.side_gives', {party, n: number(ids.length)})),
		ids.length ? h('ol', {class: 'plan-list'}, ids.map((id) => h('li', {},
			h('a', {href: `#/person/${encodeURIComponent(id)}`}, view.names[id] || id),
			' ', h('span', {class: 'meta'}, t('plan.person_meta', {id, stage: stageOf.get(id) || 1})))))
			: h('p', {}, t('plan.empty')),
		direct.length ? [h('h4', {}, t('plan.direct', {n: number(direct.length)})),
			h('ul', {}, direct.map((id) => h('li', {}, view.names[id] || id, ' ',
				h('span', {class: 'meta'}, `(${id})`))))] : null);
}

function exclusions(view) {
	const ex = view.exclusions || [];
	return h('section', {class: 'card', 'aria-labelledby': 'plan-ex-h'},
		h('h2', {id: 'plan-ex-h'}, t('plan.exclusions', {n: number(ex.length)})),
		ex.length ? h('ul', {class: 'exclusions'}, ex.map((e) => h('li', {},
			h('p', {class: 'who'},
				h('a', {href: `#/person/${encodeURIComponent(e.id)}`}, view.names[e.id] || e.id),
				' ', h('span', {class: 'meta'}, `(${e.id}) · `),
				h('span', {class: 'tag'}, e.withheld ? t('plan.withheld') : word('exclusion', e.code))),
			h('p', {class: 'reason'}, e.words)))) : h('p', {}, t('plan.none_excluded')));
}

export async function render(main) {
	main.append(heading('plan.title'), h('p', {}, t('plan.intro')));
	const out = h('div', {class: 'out', 'aria-live': 'polite'});
	let stored = [];
	try {
		stored = items(await api.policies());
	} catch (e) {
		main.append(errorBox(e));
		return;
	}
	const choice = h('select', {id: 'plan-policy', name: 'policy'},
		stored.map((p) => h('option', {value: p.name}, p.name)),
		h('option', {value: ''}, t('plan.paste_option')));
	const yaml = h('textarea', {id: 'plan-yaml', name: 'policy_yaml', rows: '8',
		spellcheck: 'false'});
	const yamlField = field(t('plan.yaml'), yaml, t('plan.yaml_hint'));
	const showYaml = () => {
		yamlField.hidden = choice.value !== '';
	};
	choice.addEventListener('change', showYaml);
	showYaml();
	const form = h('form', {class: 'card narrow'},
		field(t('plan.policy'), choice, t('plan.policy_hint')), yamlField,
		h('button', {type: 'submit', class: 'big'}, t('plan.make')));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		put(out, loading());
		const body = choice.value ? {policy: choice.value} : {policy_yaml: yaml.value};
		let view;
		try {
			view = await api.plan(body);
		} catch (err) {
			put(out, errorBox(err));
			return;
		}
		const plan = view.plan;
		put(out,
			h('h2', {id: 'plan-h'}, t('plan.result', {policy: view.policy.name})),
			balance(plan, view),
			h('div', {class: 'sides'}, plan.parties.map((p) => side(plan, view, p))),
			exclusions(view));
		announce(t('plan.done', {n: number((view.exclusions || []).length)}));
	});
	main.append(form, out);
}

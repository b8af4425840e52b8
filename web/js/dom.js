// Building the page from data: every value goes in as text, never as
// markup, so a name in a record can never become part of the page.

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill(el, attrs, children) {
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k === 'class')
			el.setAttribute('class', v);
		else if (k.startsWith('on') && typeof v === 'function')
			el.addEventListener(k.slice(2), v);
		else if (k === 'text')
			el.textContent = v;
		else
			el.setAttribute(k, v === true ? '' : String(v));
	}
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

// h('p', {class: 'x'}, 'text', child, ...)
export function h(tag, attrs, ...children) {
	return fill(document.createElement(tag), attrs, children);
}

export function svg(tag, attrs, ...children) {
	return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

// Replaces el's children with these (nested lists flattened; null, false
// and undefined left out).
export function put(el, ...children) {
	el.replaceChildren();
	return fill(el, {}, children);
}

let uid = 0;
export function nextId(prefix) {
	uid += 1;
	return `${prefix}-${uid}`;
}

// A labelled control: the label names the control, a hint (if any) is
// tied to it by aria-describedby.
export function field(labelText, control, hint) {
	if (!control.id)
		control.id = nextId('f');
	const parts = [h('label', {for: control.id}, labelText)];
	if (hint) {
		const hid = nextId('hint');
		control.setAttribute('aria-describedby', hid);
		parts.push(h('span', {class: 'hint', id: hid}, hint));
	}
	parts.push(control);
	return h('div', {class: 'field'}, parts);
}

export function announce(text) {
	const live = document.getElementById('live');
	if (live) {
		live.textContent = '';
		live.textContent = text;
	}
}

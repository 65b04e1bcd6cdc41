// Bodies rendered by their format, safely: every node is built with
// createElement/createTextNode, never from a string of markup.  /v1 hands
// bodies back as they were written (only Enterprise Tester's are
// sanitised at write, issue K), so HTML is parsed here in an inert
// DOMParser document and rebuilt from an allow-list like K's; markdown
// goes through a small renderer with no raw HTML at all.

// K's allow-list (src/core/html.c): these elements and attributes stay.
const KEEP = new Set(['A', 'B', 'I', 'EM', 'STRONG', 'U', 'BR', 'P', 'SPAN',
	'UL', 'OL', 'LI', 'CODE', 'PRE']);
// These go with everything inside them; other elements keep their text.
const DROP = new Set(['SCRIPT', 'STYLE', 'IFRAME', 'OBJECT', 'EMBED', 'SVG',
	'MATH', 'TEMPLATE', 'NOSCRIPT', 'HEAD', 'TITLE', 'META', 'LINK', 'BASE',
	'FORM', 'INPUT', 'BUTTON', 'SELECT', 'TEXTAREA', 'OPTION', 'FRAME',
	'FRAMESET', 'APPLET', 'AUDIO', 'VIDEO', 'CANVAS', 'IMG', 'PICTURE',
	'SOURCE', 'XMP', 'PLAINTEXT', 'NOEMBED', 'NOFRAMES']);

// A URL a link may have: http, https or mailto (relative ones resolve to
// this page's http(s)); else null.
export function safeUrl(href) {
	if (typeof href !== 'string' || href.length > 2048)
		return null;
	let url;
	try {
		url = new URL(href, document.baseURI);
	} catch {
		return null;
	}
	return ['http:', 'https:', 'mailto:'].includes(url.protocol) ?
	    url.href : null;
}

export function link(href, label) {
	const url = safeUrl(href);
	if (url === null)
		return document.createTextNode(label);
	const a = document.createElement('a');
	a.href = url;
	a.rel = 'noopener noreferrer nofollow';
	a.textContent = label;
	return a;
}

function cleanNode(node, out, depth) {
	if (depth > 64)
		return;
	for (const child of node.childNodes) {
		if (child.nodeType === Node.TEXT_NODE) {
			out.appendChild(document.createTextNode(child.data));
			continue;
		}
		if (child.nodeType !== Node.ELEMENT_NODE)
			continue;	// comments, processing instructions
		const tag = child.tagName.toUpperCase();
		if (DROP.has(tag) || child.namespaceURI !==
		    'http://www.w3.org/1999/xhtml')
			continue;
		if (!KEEP.has(tag)) {
			cleanNode(child, out, depth + 1);
			continue;
		}
		let el;
		if (tag === 'A') {
			const url = safeUrl(child.getAttribute('href'));
			if (url === null) {
				cleanNode(child, out, depth + 1);
				continue;
			}
			el = document.createElement('a');
			el.href = url;
			el.rel = 'noopener noreferrer nofollow';
			const title = child.getAttribute('title');
			if (title !== null)
				el.title = title;
		} else {
			el = document.createElement(tag.toLowerCase());
		}
		if (tag !== 'BR')
			cleanNode(child, el, depth + 1);
		out.appendChild(el);
	}
}

// HTML source -> a fragment of allowed nodes only.
export function sanitizeHtml(html) {
	const doc = new DOMParser().parseFromString(String(html), 'text/html');
	const frag = document.createDocumentFragment();
	cleanNode(doc.body, frag, 0);
	return frag;
}

// --- markdown: paragraphs, headings, lists, quotes, fences, inline code,
// emphasis and links; anything else is text.

const INLINE = /`([^`\n]+)`|\*\*([^*\n]+?)\*\*|__([^_\n]+?)__|\*([^*\s\n][^*\n]*?)\*|_([^_\s\n][^_\n]*?)_|\[([^\]\n]+)\]\(([^)\s]+)\)/g;

function inline(text, out) {
	let at = 0;
	INLINE.lastIndex = 0;
	const matches = [...text.matchAll(INLINE)];
	for (const m of matches) {
		if (m.index > at)
			out.appendChild(document.createTextNode(
			    text.slice(at, m.index)));
		at = m.index + m[0].length;
		let el;
		if (m[1] !== undefined) {
			el = document.createElement('code');
			el.textContent = m[1];
		} else if (m[2] !== undefined || m[3] !== undefined) {
			el = document.createElement('strong');
			inline(m[2] ?? m[3], el);
		} else if (m[4] !== undefined || m[5] !== undefined) {
			el = document.createElement('em');
			inline(m[4] ?? m[5], el);
		} else {
			el = link(m[7], m[6]);
		}
		out.appendChild(el);
	}
	if (at < text.length)
		out.appendChild(document.createTextNode(text.slice(at)));
}

const BLOCK = /^(```|#{1,6}\s|>\s?|\s*[-*+]\s+|\s*\d{1,9}[.)]\s+)/;

export function renderMarkdown(src) {
	const frag = document.createDocumentFragment();
	const lines = String(src).replace(/\r\n?/g, '\n').split('\n');
	let i = 0;
	while (i < lines.length) {
		const line = lines[i];
		let m;
		if (/^\s*$/.test(line)) {
			i++;
		} else if (line.startsWith('```')) {
			const code = [];
			for (i++; i < lines.length && !lines[i].startsWith('```');
			    i++)
				code.push(lines[i]);
			i++;
			const pre = document.createElement('pre');
			const c = document.createElement('code');
			c.textContent = code.join('\n');
			pre.appendChild(c);
			frag.appendChild(pre);
		} else if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
			const p = document.createElement('p');
			p.className = 'md-heading';
			const s = document.createElement('strong');
			inline(m[2].replace(/\s#+\s*$/, ''), s);
			p.appendChild(s);
			frag.appendChild(p);
			i++;
		} else if (/^\s*([-*+]|\d{1,9}[.)])\s+/.test(line)) {
			const ordered = /^\s*\d/.test(line);
			const list = document.createElement(ordered ? 'ol' : 'ul');
			const item = ordered ? /^\s*\d{1,9}[.)]\s+(.*)$/ :
			    /^\s*[-*+]\s+(.*)$/;
			while (i < lines.length && (m = item.exec(lines[i]))) {
				const li = document.createElement('li');
				inline(m[1], li);
				list.appendChild(li);
				i++;
			}
			frag.appendChild(list);
		} else if (line.startsWith('>')) {
			const q = document.createElement('blockquote');
			const text = [];
			while (i < lines.length && lines[i].startsWith('>'))
				text.push(lines[i++].replace(/^>\s?/, ''));
			const p = document.createElement('p');
			inline(text.join(' '), p);
			q.appendChild(p);
			frag.appendChild(q);
		} else {
			const text = [];
			while (i < lines.length && !/^\s*$/.test(lines[i]) &&
			    (text.length === 0 || !BLOCK.test(lines[i])))
				text.push(lines[i++]);
			const p = document.createElement('p');
			text.forEach((t, k) => {
				if (k > 0)
					p.appendChild(document.createElement('br'));
				inline(t, p);
			});
			frag.appendChild(p);
		}
	}
	return frag;
}

// The body of a notification as an element: text escaped (by being a text
// node), markdown rendered, HTML sanitised.
export function renderBody(note) {
	const div = document.createElement('div');
	div.className = `body body-${note.body_format}`;
	const body = typeof note.body === 'string' ? note.body : '';
	if (note.body_format === 'markdown')
		div.appendChild(renderMarkdown(body));
	else if (note.body_format === 'html')
		div.appendChild(sanitizeHtml(body));
	else
		div.textContent = body;
	return div;
}

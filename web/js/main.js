// The Herald inbox: sign in, the list over /v1 with its cursor, the bell,
// banners of system notifications, live changes from herald push.  The
// token lives in sessionStorage and goes out only as a header.

import { makeApi } from './api.js';
import { openStream } from './stream.js';
import { renderBody, link } from './render.js';
import { timeElement, refresh as refreshTimes } from './time.js';
import { initAdmin } from './admin.js';

const $ = (id) => document.getElementById(id);
const KEY_TOKEN = 'herald.inbox.token';
const KEY_USER = 'herald.inbox.user';

const state = {
	user: null,
	items: new Map(),	// id -> notification, as /v1 gives it
	next: null,		// the cursor of the next page, or null
	loading: false,
	gen: 0,			// bumped when the list starts over
	filters: { read: '', type: '' },
	types: new Set(),
	unread: 0,
	stream: null,
	timers: [],
};

const api = makeApi(() => sessionStorage.getItem(KEY_TOKEN) ?? '');
const admin = initAdmin(api, { notice, onChange: loadBanners });

// --- small helpers ---------------------------------------------------------

function el(tag, cls, text) {
	const e = document.createElement(tag);
	if (cls)
		e.className = cls;
	if (text !== undefined)
		e.textContent = text;
	return e;
}

function button(label, cls, onClick, aria) {
	const b = el('button', cls, label);
	b.type = 'button';
	if (aria)
		b.setAttribute('aria-label', aria);
	b.addEventListener('click', onClick);
	return b;
}

function notice(text) {
	const n = $('notice');
	n.textContent = text ?? '';
	n.hidden = !text;
}

function announce(text) {
	$('announce').textContent = text;
}

// An action's error: a refused token ends the session.
function failed(err, what) {
	if (err && err.status === 401) {
		signOut('The server refused the token; sign in again.');
		return;
	}
	notice(`${what}: ${err && err.message ? err.message : err}`);
}

// --- sign in and out -------------------------------------------------------

function showSignIn(error) {
	$('signin').hidden = false;
	$('inbox').hidden = true;
	$('admin').hidden = true;
	$('session').hidden = true;
	$('nav').hidden = true;
	const e = $('signin-error');
	e.textContent = error ?? '';
	e.hidden = !error;
	$('signin-user').value = sessionStorage.getItem(KEY_USER) ?? '';
	$('signin-token').value = '';
	$('signin-user').focus();
}

async function signIn(ev) {
	ev.preventDefault();
	const user = $('signin-user').value.trim();
	const token = $('signin-token').value.trim();
	if (user === '' || token === '') {
		showSignIn('Enter a user name and a token.');
		return;
	}
	$('signin-token').value = '';
	sessionStorage.setItem(KEY_USER, user);
	sessionStorage.setItem(KEY_TOKEN, token);
	await startSession();
}

function signOut(why) {
	if (state.stream)
		state.stream.close();
	state.stream = null;
	state.timers.forEach(clearInterval);
	state.timers = [];
	sessionStorage.removeItem(KEY_TOKEN);
	state.items.clear();
	$('list').replaceChildren();
	$('banner-list').replaceChildren();
	admin.reset();
	notice(null);
	showSignIn(why);
}

async function startSession() {
	const user = sessionStorage.getItem(KEY_USER);
	state.user = user;
	try {
		await refreshCount();
	} catch (err) {
		sessionStorage.removeItem(KEY_TOKEN);
		showSignIn(err.status === 401 ? 'The token was refused.' :
		    err.status === 403 ? `This token may not read ${user}'s ` +
		    'notifications.' : `Cannot sign in: ${err.message}`);
		return;
	}
	$('signin').hidden = true;
	$('session').hidden = false;
	$('nav').hidden = false;
	$('who').textContent = user;
	showView('inbox');
	startStream();
	await Promise.all([loadBanners(), reload()]);
	state.timers.push(setInterval(() => refreshTimes(document.body), 30000));
	state.timers.push(setInterval(loadBanners, 60000));
	$('main').focus({ preventScroll: true });
}

// --- views -----------------------------------------------------------------

function showView(which) {
	const inbox = which === 'inbox';
	$('inbox').hidden = !inbox;
	$('admin').hidden = inbox;
	$('view-inbox').setAttribute('aria-pressed', String(inbox));
	$('view-admin').setAttribute('aria-pressed', String(!inbox));
	if (!inbox)
		admin.show();
}

// --- the count and the bell ------------------------------------------------

function setUnread(n) {
	state.unread = Number(n) || 0;
	const c = $('bell-count');
	c.textContent = state.unread > 99 ? '99+' : String(state.unread);
	c.dataset.zero = String(state.unread === 0);
	const only = state.filters.read === 'false';
	$('bell').setAttribute('aria-label', `${state.unread} unread ` +
	    `notification${state.unread === 1 ? '' : 's'}` +
	    (only ? ', showing unread only' : ', show unread only'));
	$('bell').setAttribute('aria-pressed', String(only));
	document.title = state.unread > 0 ? `(${state.unread}) Herald inbox` :
	    'Herald inbox';
}

async function refreshCount() {
	const c = await api.count(state.user);
	setUnread(c.unread);
}

// --- the list --------------------------------------------------------------

function matches(note) {
	const f = state.filters;
	if (f.type && note.type !== f.type)
		return false;
	if (f.read === 'true' && note.read_at === null)
		return false;
	if (f.read === 'false' && note.read_at !== null)
		return false;
	return true;
}

function noteTypes(note) {
	if (state.types.has(note.type))
		return;
	state.types.add(note.type);
	const o = document.createElement('option');
	o.value = note.type;
	$('types').appendChild(o);
}

function renderNote(note) {
	const read = note.read_at !== null;
	const li = el('li', `note${read ? ' read' : ' unread'}`);
	li.dataset.id = note.id;
	const art = el('article');
	const titleId = `t-${note.id}`;
	art.setAttribute('aria-labelledby', titleId);

	const head = el('div', 'note-head');
	const h = el('h3', 'note-title');
	h.id = titleId;
	const title = note.title || '(no title)';
	if (note.link) {
		h.appendChild(link(note.link, title));
	} else {
		h.textContent = title;
	}
	head.appendChild(h);
	const meta = el('p', 'meta');
	meta.appendChild(el('span', 'type', note.type));
	meta.appendChild(document.createTextNode(' · '));
	meta.appendChild(timeElement(note.created_at));
	if (!read)
		meta.appendChild(el('span', 'sr-only', ' · unread'));
	head.appendChild(meta);
	art.appendChild(head);

	art.appendChild(renderBody(note));

	if (Array.isArray(note.actions) && note.actions.length > 0) {
		const acts = el('p', 'note-actions');
		for (const a of note.actions) {
			const l = link(a.url, a.label);
			if (l.tagName === 'A')
				l.className = 'action';
			acts.appendChild(l);
		}
		art.appendChild(acts);
	}

	const tools = el('div', 'tools');
	tools.appendChild(button(read ? 'Mark unread' : 'Mark read',
	    'quiet toggle', () => toggleRead(note.id),
	    `${read ? 'Mark unread' : 'Mark read'}: ${title}`));
	tools.appendChild(button('Delete', 'quiet danger delete',
	    () => removeNote(note.id), `Delete: ${title}`));
	art.appendChild(tools);
	li.appendChild(art);
	return li;
}

function listStatus(text, retry) {
	const s = $('list-status');
	s.replaceChildren();
	s.dataset.kind = text ? (retry ? 'error' : 'info') : '';
	if (text)
		s.appendChild(document.createTextNode(text));
	if (retry) {
		s.appendChild(document.createTextNode(' '));
		s.appendChild(button('Try again', 'quiet', retry));
	}
}

function emptyCheck() {
	if (state.loading)
		return;
	if (state.items.size === 0 && state.next === null)
		listStatus(state.filters.read || state.filters.type ?
		    'No notifications match the filter.' :
		    'No notifications. New ones appear here as they arrive.');
	else if (state.items.size > 0)
		listStatus('');
	$('more-wrap').hidden = state.next === null;
}

// Put a note into the list: in place when present, else in created order.
function place(note, front) {
	state.items.set(note.id, note);
	noteTypes(note);
	const list = $('list');
	const li = renderNote(note);
	const old = list.querySelector(`li[data-id="${CSS.escape(note.id)}"]`);
	if (old) {
		const hadFocus = old.contains(document.activeElement) ?
		    [...old.querySelectorAll('button')].indexOf(
		    document.activeElement) : -1;
		old.replaceWith(li);
		if (hadFocus >= 0)
			li.querySelectorAll('button')[hadFocus]?.focus();
	} else if (front) {
		list.prepend(li);
	} else {
		list.appendChild(li);
	}
}

async function loadPage() {
	if (state.loading)
		return;
	const gen = state.gen;
	state.loading = true;
	$('list').setAttribute('aria-busy', 'true');
	if (state.items.size === 0)
		listStatus('Loading…');
	try {
		const page = await api.list(state.user, { after: state.next,
		    read: state.filters.read, type: state.filters.type });
		if (gen !== state.gen)
			return;
		for (const note of page.items)
			if (!state.items.has(note.id))
				place(note, false);
		state.next = page.next;
		state.loading = false;
		emptyCheck();
		requestAnimationFrame(moreIfInView);
	} catch (err) {
		if (gen !== state.gen)
			return;
		state.loading = false;
		if (err.status === 401)
			return failed(err, 'Loading');
		listStatus(`The notifications could not be loaded: ` +
		    `${err.message}.`, () => loadPage());
	} finally {
		if (gen === state.gen) {
			state.loading = false;
			$('list').removeAttribute('aria-busy');
		}
	}
}

// The observer fires on changes only: a page that leaves "Load more" in
// view asks for the next one itself.
function moreIfInView() {
	const w = $('more-wrap');
	if (w.hidden || state.next === null || state.loading)
		return;
	if (w.getBoundingClientRect().top < window.innerHeight + 200)
		loadPage();
}

async function reload() {
	state.gen++;
	state.loading = false;
	state.items.clear();
	state.next = null;
	$('list').replaceChildren();
	$('more-wrap').hidden = true;
	await loadPage();
}

async function toggleRead(id) {
	const note = state.items.get(id);
	if (!note)
		return;
	try {
		const updated = await api.setRead(id, note.read_at === null);
		place(updated, false);
		await refreshCount();
		announce(updated.read_at === null ? 'Marked unread' :
		    'Marked read');
	} catch (err) {
		failed(err, 'Marking it');
	}
}

function dropNote(id) {
	const li = $('list').querySelector(`li[data-id="${CSS.escape(id)}"]`);
	state.items.delete(id);
	if (!li)
		return;
	// Keep the keyboard's place: the next item, else the previous one.
	const hadFocus = li.contains(document.activeElement);
	const next = li.nextElementSibling ?? li.previousElementSibling;
	li.remove();
	if (hadFocus)
		(next?.querySelector('button') ?? $('main')).focus(
		    { preventScroll: true });
	emptyCheck();
}

async function removeNote(id) {
	try {
		await api.remove(id);
		dropNote(id);
		await refreshCount();
		announce('Deleted');
	} catch (err) {
		if (err.status === 404) {
			dropNote(id);
			return;
		}
		failed(err, 'Deleting it');
	}
}

async function readAll() {
	try {
		const r = await api.readAll(state.user);
		announce(`${r.updated} marked read`);
		await refreshCount();
		await reload();
	} catch (err) {
		failed(err, 'Marking all read');
	}
}

function applyFilters(ev) {
	ev?.preventDefault();
	state.filters.read = $('filter-read').value;
	state.filters.type = $('filter-type').value.trim();
	setUnread(state.unread);
	reload();
}

// --- system notifications --------------------------------------------------

function renderBanner(s) {
	const li = el('li', `banner banner-${s.type}`);
	li.dataset.id = s.id;
	li.dataset.state = s.state;
	const msgId = `b-${s.id}`;
	li.setAttribute('aria-labelledby', msgId);
	li.setAttribute('role', 'group');
	const p = el('p', 'banner-text');
	p.id = msgId;
	p.appendChild(el('strong', 'banner-type', `${s.type}: `));
	p.appendChild(document.createTextNode(s.message));
	li.appendChild(p);
	const tools = el('div', 'tools');
	if (s.state === 'new' || s.state === 'received')
		tools.appendChild(button('Mark seen', 'quiet seen',
		    () => bannerAct(s.id, 'seen'), `Mark seen: ${s.message}`));
	if (s.dismissible)
		tools.appendChild(button('Dismiss', 'quiet dismiss',
		    () => bannerAct(s.id, 'dismiss'), `Dismiss: ${s.message}`));
	li.appendChild(tools);
	return li;
}

async function loadBanners() {
	if (!state.user || !sessionStorage.getItem(KEY_TOKEN))
		return;
	try {
		const r = await api.system(state.user);
		const list = $('banner-list');
		list.replaceChildren(...r.items.map(renderBanner));
		$('banners').hidden = r.items.length === 0;
	} catch (err) {
		if (err.status === 401)
			failed(err, 'System notifications');
	}
}

async function bannerAct(id, act) {
	try {
		const s = await api.systemAct(state.user, id, act);
		const old = $('banner-list').querySelector(
		    `li[data-id="${CSS.escape(id)}"]`);
		if (s.state === 'dismissed') {
			old?.remove();
			$('banners').hidden =
			    $('banner-list').childElementCount === 0;
			$('main').focus({ preventScroll: true });
			announce('Dismissed');
		} else if (old) {
			const li = renderBanner(s);
			old.replaceWith(li);
			(li.querySelector('button') ?? $('main')).focus();
			announce('Marked seen');
		}
	} catch (err) {
		failed(err, act === 'seen' ? 'Marking it seen' : 'Dismissing it');
	}
}

// --- live ------------------------------------------------------------------

function liveState(s, status) {
	const l = $('live');
	l.dataset.state = s;
	l.textContent = { connecting: 'connecting…', live: 'live',
	    retrying: 'reconnecting…', refused: 'not live' }[s] ?? s;
	if (s === 'refused' && status === 401)
		signOut('The server refused the token; sign in again.');
	if (s === 'live') {
		// What changed while we were away is replayed by push from
		// Last-Event-ID; the count is fetched afresh.
		refreshCount().catch(() => {});
	}
}

function onEvent(ev) {
	if (typeof ev.unread_count === 'number')
		setUnread(ev.unread_count);
	const note = ev.notification;
	if (!note || typeof note.id !== 'string')
		return;
	if (ev.event === 'deleted') {
		dropNote(note.id);
	} else if (ev.event === 'created') {
		if (!state.items.has(note.id) && matches(note)) {
			place(note, true);
			emptyCheck();
			announce(`New notification: ${note.title}`);
		}
	} else if (state.items.has(note.id)) {
		place(note, false);	// read or unread elsewhere
	}
}

function startStream() {
	if (state.stream)
		state.stream.close();
	state.stream = openStream(api.streamPath(state.user),
	    () => sessionStorage.getItem(KEY_TOKEN) ?? '', onEvent, liveState);
}

// --- wiring ----------------------------------------------------------------

function init() {
	$('signin-form').addEventListener('submit', signIn);
	$('sign-out').addEventListener('click', () => signOut());
	$('filters').addEventListener('submit', applyFilters);
	$('filter-read').addEventListener('change', applyFilters);
	$('filter-type').addEventListener('change', applyFilters);
	$('read-all').addEventListener('click', readAll);
	$('more').addEventListener('click', () => loadPage());
	$('bell').addEventListener('click', () => {
		showView('inbox');
		$('filter-read').value = state.filters.read === 'false' ?
		    '' : 'false';
		applyFilters();
	});
	$('view-inbox').addEventListener('click', () => showView('inbox'));
	$('view-admin').addEventListener('click', () => showView('admin'));
	// Infinite scroll: the next page when "Load more" comes into view.
	new IntersectionObserver((entries) => {
		if (entries.some((e) => e.isIntersecting) && state.next !== null &&
		    !state.loading)
			loadPage();
	}, { rootMargin: '200px' }).observe($('more-wrap'));
	if (sessionStorage.getItem(KEY_TOKEN) && sessionStorage.getItem(KEY_USER))
		startSession();
	else
		showSignIn();
}

init();

// The web inbox in Debian's chromium, driven by playwright-core; prints
// TAP.  Run by t/web/10-inbox.t, which starts the stack and passes the
// URL, the tokens and where things are in the environment (HERALD_*).
// "#@ stop-push" / "#@ start-push" on stdout ask it to stop or start
// herald push; it answers "ok" on stdin.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { copyFileSync, statSync } from 'node:fs';

const E = process.env;
const require = createRequire(`${E.HERALD_NODE_MODULES}/`);
const { chromium } = require('playwright-core');

const BASE = E.HERALD_URL.replace(/\/$/, '');
const USER = E.HERALD_USER;
const TOKENS = [E.HERALD_USER_TOKEN, E.HERALD_OTHER_TOKEN,
	E.HERALD_SERVICE_TOKEN, E.HERALD_ADMIN_TOKEN];
const WAIT = 30000;	// generous: ASan builds on 2 busy cores

// --- TAP ---------------------------------------------------------------
let n = 0;
let failures = 0;
function ok(cond, name, diag) {
	n++;
	if (!cond)
		failures++;
	console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`);
	if (!cond && diag !== undefined)
		for (const l of String(typeof diag === 'string' ? diag :
		    JSON.stringify(diag, null, 1)).split('\n'))
			console.log(`# ${l}`);
	return cond;
}
const is = (got, want, name) => ok(got === want, name,
    `got: ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`);
const note = (s) => console.log(`# ${s}`);

// --- the parent's push control ----------------------------------------
const rl = createInterface({ input: process.stdin });
const answers = [];
let waiting = null;
rl.on('line', (l) => {
	if (waiting) {
		const w = waiting;
		waiting = null;
		w(l);
	} else
		answers.push(l);
});
function control(what) {
	console.log(`#@ ${what}`);
	return new Promise((res) => {
		if (answers.length)
			res(answers.shift());
		else
			waiting = res;
	});
}

// --- the API, from node ------------------------------------------------
async function api(method, path, body, token = E.HERALD_SERVICE_TOKEN) {
	const headers = { Authorization: `Bearer ${token}`,
		Accept: 'application/json' };
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	const r = await fetch(BASE + path, { method, headers,
	    body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await r.text();
	let json = null;
	try { json = JSON.parse(text); } catch { json = null; }
	return { status: r.status, json, text };
}
const create = (fields) => api('POST', '/v1/notifications',
    { recipient: USER, ...fields });
async function allNotes() {
	const out = [];
	let after = null;
	do {
		const q = new URLSearchParams({ limit: '100' });
		if (after)
			q.set('after', after);
		const r = await api('GET',
		    `/v1/users/${USER}/notifications?${q}`);
		out.push(...r.json.items);
		after = r.json.next;
	} while (after);
	return out;
}
const unreadCount = async () => (await api('GET',
    `/v1/users/${USER}/notifications/count`)).json.unread;

// --- the XSS vectors of issue K (t/unit/html.c, t/api/etester) ---------
const XSS = [
	'<script>alert(1)</script>ok',
	'<SCRIPT SRC=//x/y.js></SCRIPT>x',
	'<img src=x onerror=alert(1)>x',
	'<b onclick="alert(1)" onmouseover=alert(1)>b</b>',
	'<a href="javascript:alert(1)">j</a>',
	'<a href="JaVaScRiPt:alert(1)">j</a>',
	'<a href="&#106;avascript:alert(1)">j</a>',
	'<a href="java&#x09;script:alert(1)">j</a>',
	'<a href=" javascript:alert(1)">j</a>',
	'<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
	'<iframe src="javascript:alert(1)">f</iframe>x',
	'<object data="javascript:alert(1)">o</object><embed src=x>x',
	'<svg onload=alert(1)><script>alert(1)</script></svg>x',
	'<math><mi xlink:href="javascript:alert(1)">m</mi></math>x',
	'<scr<script>ipt>alert(1)</script>',
	'<<script>script>alert(1)<</script>/script>',
	'<a title=\'"><script>alert(1)</script>\'>q</a>',
	'<form><input onfocus=alert(1) autofocus>f</form>',
	'<meta http-equiv=refresh content="0;url=javascript:alert(1)">x',
	'<base href="javascript:alert(1)//">x',
	'<div style="background:url(javascript:alert(1))">ok</div>',
	'<details open ontoggle=alert(1)>d</details>',
	'[md](javascript:alert(1)) <img src=x onerror=alert(1)>',
];

// --- the browser ---------------------------------------------------------
const browser = await chromium.launch({ executablePath: E.HERALD_CHROMIUM,
	args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const problems = { dialogs: [], errors: [], console: [], tokenUrls: [],
	foreign: [] };

async function newPage(viewport = { width: 1280, height: 900 },
    { bypassCSP = false, bucket = problems } = {}) {
	const ctx = await browser.newContext({ viewport, bypassCSP });
	const page = await ctx.newPage();
	const problems = bucket;
	page.on('dialog', (d) => {
		problems.dialogs.push(d.message());
		d.dismiss().catch(() => {});
	});
	page.on('pageerror', (e) => problems.errors.push(String(e)));
	page.on('console', (m) => {
		// A 502 of the stream while push is down is expected.
		if (m.type() === 'error' &&
		    !/Failed to load resource/.test(m.text()))
			problems.console.push(m.text());
	});
	page.on('request', (r) => {
		const url = r.url();
		if (TOKENS.some((t) => url.includes(t)))
			problems.tokenUrls.push(url);
		if (!url.startsWith(BASE + '/'))
			problems.foreign.push(url);
	});
	return { ctx, page };
}

async function signIn(page, user, token) {
	await page.goto(`${BASE}/inbox/`);
	await page.fill('#signin-user', user);
	await page.fill('#signin-token', token);
	await page.click('#signin-form button[type=submit]');
	await page.waitForSelector('#session:not([hidden])', { timeout: WAIT });
}
const badge = (page) => page.textContent('#bell-count');
async function waitBadge(page, want) {
	try {
		await page.waitForFunction((w) => document.getElementById(
		    'bell-count').textContent === String(w), want,
		    { timeout: WAIT });
		return true;
	} catch {
		return false;
	}
}
const domTitles = (page) => page.$$eval('#list .note-title',
    (hs) => hs.map((h) => h.textContent));

try {
	// --- the page and its headers -----------------------------------
	{
		const r = await fetch(`${BASE}/inbox/`);
		is(r.status, 200, 'GET /inbox/ through nginx');
		const csp = r.headers.get('content-security-policy') ?? '';
		ok(/script-src 'self'/.test(csp) && /default-src 'none'/.test(csp)
		    && !/unsafe/.test(csp), 'a strict Content-Security-Policy', csp);
		const js = await fetch(`${BASE}/inbox/js/main.js`);
		ok(/javascript/.test(js.headers.get('content-type') ?? ''),
		    'modules are served as JavaScript');
		const html = await r.text();
		ok(!/<script(?![^>]*\bsrc=)/i.test(html) && !/\sstyle=/i.test(html)
		    && !/\son[a-z]+=/i.test(html), 'no inline script or style');
	}

	// --- seed: 25 of two types, markdown, html, and the XSS vectors ------
	for (let i = 1; i <= 25; i++) {
		const r = await create({ type: i % 2 ? 'build' : 'review',
		    title: `Seed ${String(i).padStart(2, '0')}`,
		    body: i === 25 ? 'Hello **bold** and `code`\n\n- one\n- two' :
		    i === 24 ? '<p>Hi <b>there</b> <a href="https://example.org/">x</a></p>' :
		    `body ${i}`,
		    body_format: i === 25 ? 'markdown' : i === 24 ? 'html' : 'text',
		    link: i === 23 ? 'https://example.org/seed' : undefined });
		if (r.status !== 201)
			throw new Error(`seed: ${r.status} ${r.text}`);
	}
	const sys = await api('PUT', '/admin/system', { type: 'maintenance',
	    message: 'Maintenance tonight at 22:00', dismissible: true,
	    deactivation_date: Date.now() + 3600 * 1000 }, E.HERALD_ADMIN_TOKEN);
	is(sys.status, 200, 'a system notification through the agent admin API');
	const sysId = sys.json['system-notification'].uuid;

	// --- sign in; the count and the list match /v1 -------------------------
	const { ctx, page } = await newPage();
	await page.goto(`${BASE}/inbox/`);
	ok(await page.isVisible('#signin'), 'signed out: the sign-in form');
	await page.fill('#signin-user', USER);
	await page.fill('#signin-token', E.HERALD_OTHER_TOKEN);
	await page.click('#signin-form button[type=submit]');
	await page.waitForSelector('#signin-error:not([hidden])');
	ok(/may not read/.test(await page.textContent('#signin-error')),
	    "another user's token is refused with a reason");
	await signIn(page, USER, E.HERALD_USER_TOKEN);
	ok(true, 'signed in with a user token');
	const stored = await page.evaluate(() => sessionStorage.getItem(
	    'herald.inbox.token'));
	is(stored, E.HERALD_USER_TOKEN, 'the token is in sessionStorage');
	ok(!page.url().includes('token') && !page.url().includes('hrld_'),
	    'and not in the address');
	is(await badge(page), String(await unreadCount()),
	    'the bell shows the unread count of /v1');
	await page.waitForSelector('#list .note');
	const first = await domTitles(page);
	const api25 = (await allNotes()).map((x) => x.title);
	ok(JSON.stringify(first) === JSON.stringify(api25.slice(0, 20)),
	    'the first page is /v1\'s, newest first', { first, api25 });
	ok(await page.isVisible('#more'), 'more to load');
	await page.locator('#more-wrap').scrollIntoViewIfNeeded();
	await page.waitForFunction(() => document.querySelectorAll(
	    '#list .note').length === 25, null, { timeout: WAIT });
	ok(JSON.stringify(await domTitles(page)) === JSON.stringify(api25),
	    'scrolling loads the rest over the cursor, in order');
	await page.waitForSelector('#more-wrap[hidden]', { state: 'attached' });
	ok(true, 'and "Load more" goes away at the end');

	// bodies by format
	const md = page.locator('#list .note', { hasText: 'Seed 25' });
	is(await md.locator('.body strong').textContent(), 'bold',
	    'markdown: emphasis rendered');
	is(await md.locator('.body li').count(), 2, 'markdown: a list');
	const html = page.locator('#list .note', { hasText: 'Seed 24' });
	is(await html.locator('.body b').textContent(), 'there',
	    'html: allowed elements kept');
	is(await html.locator('.body a').getAttribute('href'),
	    'https://example.org/', 'html: an http link kept');
	is(await page.locator('#list .note', { hasText: 'Seed 23' })
	    .locator('.note-title a').getAttribute('href'),
	    'https://example.org/seed', 'the link of a notification');
	ok(/ago|now/.test(await page.textContent('#list .note time')),
	    'relative times', await page.textContent('#list .note time'));

	// banners
	const banner = page.locator(`#banner-list li[data-id="${sysId}"]`);
	ok(/Maintenance tonight/.test(await banner.textContent()),
	    'the system notification shows as a banner');
	await banner.locator('button.seen').click();
	await page.waitForSelector(`#banner-list li[data-id="${sysId}"][data-state="seen"]`);
	let su = await api('GET', `/v1/users/${USER}/system-notifications`);
	is(su.json.items.find((x) => x.id === sysId)?.state, 'seen',
	    'marked seen: /v1 says seen');
	await page.locator(`#banner-list li[data-id="${sysId}"] button.dismiss`)
	    .click();
	await page.waitForSelector(`#banner-list li[data-id="${sysId}"]`,
	    { state: 'detached' });
	su = await api('GET', `/v1/users/${USER}/system-notifications`);
	ok(!su.json.items.some((x) => x.id === sysId),
	    'dismissed: gone from the page and from /v1');

	// --- read, unread, delete, mark all read ----------------------------
	const top = page.locator('#list .note').first();
	const topId = await top.getAttribute('data-id');
	const before = Number(await badge(page));
	await top.locator('button.toggle').click();
	ok(await waitBadge(page, before - 1), 'marking read lowers the count');
	let g = await api('GET', `/v1/notifications/${topId}`,
	    undefined, E.HERALD_USER_TOKEN);
	ok(g.json.read_at !== null, 'and /v1 has it read');
	is(await unreadCount(), before - 1, 'and /v1 counts it');
	ok(await page.locator(`#list li[data-id="${topId}"].read`).count() === 1,
	    'the item shows as read');
	await page.locator(`#list li[data-id="${topId}"] button.toggle`).click();
	ok(await waitBadge(page, before), 'marking unread raises it again');
	const victim = await page.locator('#list .note').nth(1)
	    .getAttribute('data-id');
	await page.locator(`#list li[data-id="${victim}"] button.delete`).click();
	await page.waitForSelector(`#list li[data-id="${victim}"]`,
	    { state: 'detached' });
	g = await api('GET', `/v1/notifications/${victim}`, undefined,
	    E.HERALD_USER_TOKEN);
	is(g.status, 404, 'deleted: gone from /v1 too');

	// filters
	await page.selectOption('#filter-read', 'false');
	await page.fill('#filter-type', 'review');
	await page.press('#filter-type', 'Enter');
	await page.waitForFunction(() => [...document.querySelectorAll(
	    '#list .note .type')].every((t) => t.textContent === 'review') &&
	    document.querySelectorAll('#list .note').length > 0, null,
	    { timeout: WAIT });
	const filtered = (await allNotes()).filter((x) => x.type === 'review' &&
	    x.read_at === null).map((x) => x.title);
	ok(JSON.stringify(await domTitles(page)) === JSON.stringify(filtered),
	    'filters by type and read state', { dom: await domTitles(page),
	    filtered });
	await page.selectOption('#filter-read', '');
	await page.fill('#filter-type', '');
	await page.press('#filter-type', 'Enter');
	await page.waitForFunction(() => document.querySelectorAll(
	    '#list .note .type').length >= 20, null, { timeout: WAIT });

	// --- live: created through the agent's API, no reload -----------------
	const t0 = Date.now();
	const agent = await api('POST', '/notification', { type: 'data',
	    user: USER, subject: 'Live from the agent', message: 'hi' });
	is(agent.status, 200, 'a notification through the agent API');
	let live = true;
	try {
		await page.waitForSelector('#list .note-title >> text="Live from the agent"',
		    { timeout: WAIT });
	} catch { live = false; }
	const ms = Date.now() - t0;
	ok(live, 'it appears without a reload');
	note(`appeared after ${ms} ms`);
	is(await domTitles(page).then((t) => t[0]), 'Live from the agent',
	    'at the top');
	is(await badge(page), String(await unreadCount()),
	    'the count follows');
	// read elsewhere: the page follows the stream
	const liveId = await page.locator('#list .note').first()
	    .getAttribute('data-id');
	await api('PATCH', `/v1/notifications/${liveId}`, { read: true });
	ok(await waitBadge(page, await unreadCount()),
	    'read through the API: the count follows');
	await page.waitForSelector(`#list li[data-id="${liveId}"].read`,
	    { timeout: WAIT });
	ok(true, 'and the item shows read');

	// --- a drop: push stops, two arrive meanwhile, push comes back --------
	await control('stop-push');
	await page.waitForSelector('#live[data-state="retrying"], #live[data-state="connecting"]',
	    { timeout: WAIT });
	const away = [];
	for (const t of ['While away 1', 'While away 2']) {
		const r = await create({ type: 'build', title: t });
		away.push(r.json.id);
	}
	await control('start-push');
	let back = true;
	try {
		await page.waitForFunction((ids) => ids.every((id) =>
		    document.querySelector(`#list li[data-id="${id}"]`)), away,
		    { timeout: WAIT });
	} catch { back = false; }
	ok(back, 'after a drop, what came meanwhile arrives (Last-Event-ID)');
	ok(await page.locator(`#list li[data-id="${away[0]}"]`).count() === 1 &&
	    await page.locator(`#list li[data-id="${away[1]}"]`).count() === 1,
	    'once each');
	ok(await waitBadge(page, await unreadCount()), 'the count is right');

	// --- mark all read ----------------------------------------------------
	await page.click('#read-all');
	ok(await waitBadge(page, 0), 'mark all read: the bell says 0');
	is(await unreadCount(), 0, 'and /v1 agrees');
	await page.waitForFunction(() => document.querySelectorAll(
	    '#list .note.unread').length === 0 &&
	    document.querySelectorAll('#list .note').length > 0, null,
	    { timeout: WAIT });
	ok(true, 'every item shows read');

	// --- screenshots ------------------------------------------------------
	await page.evaluate(() => window.scrollTo(0, 0));
	// A fresh banner and a few unread for the picture.
	await api('PUT', '/admin/system', { type: 'maintenance',
	    message: 'Herald will be down for maintenance on Saturday 06:00-06:30 UTC.',
	    dismissible: true, deactivation_date: Date.now() + 3600 * 1000 },
	    E.HERALD_ADMIN_TOKEN);
	await create({ type: 'review', title: 'Review requested: herald#42',
	    body: 'Carol asked you to review **push: resume after restart**.',
	    body_format: 'markdown', link: 'https://example.org/herald/42' });
	await create({ type: 'build', title: 'Build 1187 failed',
	    body: 'make check: 2 of 214 tests failed on build-san.' });
	await page.reload();
	await page.waitForSelector('#banner-list li');
	await page.waitForFunction(() => document.querySelectorAll(
	    '#list .note.unread').length >= 2, null, { timeout: WAIT });
	await page.evaluate(() => window.scrollTo(0, 0));
	const desk = `${E.HERALD_ARTIFACTS}/inbox-desktop.png`;
	await page.screenshot({ path: desk });
	ok(statSync(desk).size > 10000, `desktop screenshot: ${desk}`);
	const phone = await newPage({ width: 375, height: 812 });
	await signIn(phone.page, USER, E.HERALD_USER_TOKEN);
	await phone.page.waitForSelector('#list .note');
	const over = await phone.page.evaluate(() =>
	    document.documentElement.scrollWidth - window.innerWidth);
	ok(over <= 0, 'no sideways scrolling at a phone\'s width', `${over}px`);
	const ph = `${E.HERALD_ARTIFACTS}/inbox-phone.png`;
	await phone.page.screenshot({ path: ph });
	ok(statSync(ph).size > 5000, `phone screenshot: ${ph}`);
	await phone.ctx.close();

	// --- XSS: every vector in every format renders as text --------------
	// For another user (the service token may act for anyone), so that the
	// rest of the run is free of them.  Twice: with the page's CSP, and
	// with the CSP bypassed, so that the renderer alone is what stops
	// them (with the CSP on, Chromium reports each inline handler it
	// merely parses, in the inert DOMParser document, as a blocked
	// violation: those console lines are not counted there).
	const XUSER = 'mallory';
	let nx = 0;
	for (const [i, v] of XSS.entries()) {
		for (const fmt of ['text', 'markdown', 'html']) {
			const r = await create({ recipient: XUSER, type: 'xss',
			    title: v, body: v, body_format: fmt,
			    link: 'javascript:alert(1)',
			    actions: [{ label: v, url: 'javascript:alert(1)' }] });
			if (r.status !== 201)
				throw new Error(`xss ${i} ${fmt}: ${r.text}`);
			nx++;
		}
	}
	for (const bypassCSP of [false, true]) {
		const how = bypassCSP ? ' (no CSP)' : ' (CSP)';
		const bucket = { dialogs: [], errors: [], console: [],
			tokenUrls: [], foreign: [] };
		const x = await newPage({ width: 1280, height: 900 },
		    { bypassCSP, bucket });
		const xp = x.page;
		await signIn(xp, XUSER, E.HERALD_SERVICE_TOKEN);
		let all = true;
		try {
			for (let k = 0; k < 10; k++) {
				if (await xp.locator('#list .note').count() >= nx)
					break;
				await xp.locator('#more-wrap').scrollIntoViewIfNeeded(
				    { timeout: 2000 }).catch(() => {});
				await xp.waitForTimeout(300);
			}
			await xp.waitForFunction((n) => document.querySelectorAll(
			    '#list .note').length === n, nx, { timeout: WAIT });
		} catch { all = false; }
		ok(all, `all ${nx} hostile notifications listed${how}`);
		// Give anything that would run a moment to do so.
		await xp.mouse.move(200, 300);
		await xp.mouse.move(400, 500);
		await xp.waitForTimeout(1000);
		const bad = await xp.$$eval('#list *', (els) => els.filter((e) =>
		    ['SCRIPT', 'IMG', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH',
		    'FORM', 'INPUT', 'META', 'BASE', 'DETAILS', 'STYLE'].includes(
		    e.tagName.toUpperCase()) ||
		    [...e.attributes].some((a) => /^on/i.test(a.name) ||
		    a.name === 'style') ||
		    (e.tagName === 'A' && !/^(https?|mailto):/.test(e.href)))
		    .map((e) => e.outerHTML.slice(0, 120)));
		ok(bad.length === 0, 'no script, handler or javascript: link ' +
		    `reached the DOM${how}`, bad);
		const titles = await xp.$$eval('#list .note-title',
		    (hs) => hs.map((h) => h.textContent));
		ok(XSS.every((v) => titles.includes(v)),
		    `titles show the markup as text, exactly${how}`);
		const bodies = await xp.$$eval('#list .body-text',
		    (bs) => bs.map((b) => b.textContent));
		ok(XSS.every((v) => bodies.includes(v)),
		    `text bodies show the markup as text, exactly${how}`);
		is(bucket.dialogs.length, 0, `no dialog opened${how}`);
		ok(bucket.errors.length === 0, `no script error${how}`,
		    bucket.errors);
		if (bypassCSP)
			ok(bucket.console.length === 0,
			    `no console error${how}`, bucket.console);
		problems.tokenUrls.push(...bucket.tokenUrls);
		problems.foreign.push(...bucket.foreign);
		await x.ctx.close();
	}

	// --- keyboard only ------------------------------------------------------
	await create({ type: 'build', title: 'For the keyboard' });
	await api('PUT', '/admin/system', { type: 'warning',
	    message: 'Keyboard banner', dismissible: true,
	    deactivation_date: Date.now() + 3600 * 1000 }, E.HERALD_ADMIN_TOKEN);
	const kb = await newPage({ width: 1024, height: 768 });
	const kp = kb.page;
	await kp.goto(`${BASE}/inbox/`);
	await kp.waitForSelector('#signin-user:focus');
	await kp.keyboard.type(USER);
	await kp.keyboard.press('Tab');
	await kp.keyboard.type(E.HERALD_USER_TOKEN);
	await kp.keyboard.press('Enter');
	await kp.waitForSelector('#list .note', { timeout: WAIT });
	ok(true, 'signed in with the keyboard only');
	const reached = new Set();
	const want = ['bell', 'sign-out', 'view-inbox', 'view-admin',
		'filter-read', 'filter-type', 'read-all', 'toggle',
		'delete', 'seen', 'dismiss', 'skip'];
	// Tabbing down the list scrolls it, and the next pages load: either
	// "Load more" takes the focus or every page is there.
	const allPages = () => kp.$eval('#more-wrap', (m) => m.hidden);
	for (let i = 0; i < 600 && (want.some((w) => !reached.has(w)) ||
	    !(reached.has('more') || await allPages())); i++) {
		await kp.keyboard.press('Tab');
		const f = await kp.evaluate(() => {
			const a = document.activeElement;
			return a ? [a.id, a.className] : ['', ''];
		});
		if (f[0])
			reached.add(f[0]);
		for (const c of String(f[1]).split(/\s+/))
			if (c)
				reached.add(c);
	}
	const missed = want.filter((w) => !reached.has(w));
	ok(missed.length === 0, 'Tab reaches every action', { missed });
	ok(reached.has('more') || await allPages(),
	    'and the list\'s every page', [...reached]);
	// Act with the keyboard: mark the top one read with Enter.
	const kbefore = Number(await badge(kp));
	await kp.focus('#list .note button.toggle');
	await kp.keyboard.press('Enter');
	ok(await waitBadge(kp, kbefore - 1), 'Enter on "Mark read" marks it read');
	await kp.focus('#banner-list li:has-text("Keyboard banner") button.dismiss');
	await kp.keyboard.press('Enter');
	await kp.locator('#banner-list li', { hasText: 'Keyboard banner' })
	    .waitFor({ state: 'detached', timeout: WAIT }).catch(() => {});
	ok(await kp.locator('#banner-list li', { hasText: 'Keyboard banner' })
	    .count() === 0, 'Enter on "Dismiss" dismisses');
	const labels = await kp.$$eval('button', (bs) => bs.filter((b) =>
	    b.offsetParent !== null && !(b.getAttribute('aria-label') ||
	    b.textContent.trim())).length);
	is(labels, 0, 'every visible button has a name');
	await kb.ctx.close();

	// --- the admin view: an operator posts a maintenance banner ------------
	const ad = await newPage();
	const apg = ad.page;
	await signIn(apg, USER, E.HERALD_ADMIN_TOKEN);
	await apg.click('#view-admin');
	await apg.waitForSelector('#sys-status:text-matches("system notification")',
	    { timeout: WAIT });
	// Every control of the admin view by Tab, then post with the keyboard.
	const areached = new Set();
	const awant = ['sys-type', 'sys-message', 'sys-from', 'sys-until',
		'sys-dismissible', 'sys-logins', 'sys-save', 'view-inbox'];
	await apg.focus('#view-admin');
	for (let i = 0; i < 80 && awant.some((w) => !areached.has(w)); i++) {
		await apg.keyboard.press('Tab');
		areached.add(await apg.evaluate(() =>
		    document.activeElement?.id ?? ''));
	}
	ok(awant.every((w) => areached.has(w)),
	    'Tab reaches every control of the admin view',
	    awant.filter((w) => !areached.has(w)));
	await apg.selectOption('#sys-type', 'maintenance');
	await apg.fill('#sys-message', 'Posted from the admin view');
	await apg.click('#sys-save');
	await apg.waitForSelector('#sys-list li:has-text("Posted from the admin view")',
	    { timeout: WAIT });
	let al = await api('GET', '/admin/system', undefined, E.HERALD_ADMIN_TOKEN);
	const posted = al.json['system-messages'].find((x) =>
	    x.message === 'Posted from the admin view');
	ok(posted && posted.type === 'maintenance' && posted.dismissible,
	    'created through the admin view: the agent API has it', al.json);
	await apg.click('#view-inbox');
	await apg.waitForSelector('#banner-list li:has-text("Posted from the admin view")',
	    { timeout: WAIT });
	ok(true, 'and it shows as a banner');
	await apg.click('#view-admin');
	await apg.click(`#sys-list li[data-id="${posted.uuid}"] button.edit`);
	await apg.fill('#sys-message', 'Edited in the admin view');
	await apg.click('#sys-save');
	await apg.waitForSelector('#sys-list li:has-text("Edited in the admin view")',
	    { timeout: WAIT });
	al = await api('GET', `/admin/system/${posted.uuid}`, undefined,
	    E.HERALD_ADMIN_TOKEN);
	is(al.json['system-notification']?.message, 'Edited in the admin view',
	    'edited through the admin view');
	ok(await apg.$eval(`#sys-list li[data-id="${posted.uuid}"]`, (li) =>
	    [...li.querySelectorAll('button')].every((b) => b.tabIndex === 0)),
	    'its Edit and Delete are in tab order');
	await apg.focus(`#sys-list li[data-id="${posted.uuid}"] button.delete`);
	await apg.keyboard.press('Enter');
	await apg.waitForSelector(`#sys-list li[data-id="${posted.uuid}"]`,
	    { state: 'detached', timeout: WAIT });
	al = await api('DELETE', `/admin/system/${posted.uuid}`, undefined,
	    E.HERALD_ADMIN_TOKEN);
	is(al.status, 404, 'deleted through the admin view');
	const adm = `${E.HERALD_ARTIFACTS}/inbox-admin.png`;
	await apg.screenshot({ path: adm });
	await ad.ctx.close();
	// A user token gets a reason, not a broken page.
	await page.click('#view-admin');
	await page.waitForSelector('#sys-status:text-matches("not an admin token")',
	    { timeout: WAIT });
	ok(true, 'a user token in the admin view: told it needs an admin token');
	await page.click('#view-inbox');

	// --- sign out ---------------------------------------------------------
	await page.click('#sign-out');
	await page.waitForSelector('#signin:not([hidden])');
	is(await page.evaluate(() => sessionStorage.getItem('herald.inbox.token')),
	    null, 'signing out forgets the token');

	// --- across everything ------------------------------------------------
	is(problems.tokenUrls.length, 0, 'no request carried a token in its URL',
	    problems.tokenUrls);
	is(problems.foreign.length, 0, 'no request left the origin',
	    problems.foreign);
	is(problems.dialogs.length, 0, 'no dialog at all', problems.dialogs);
	is(problems.errors.length, 0, 'no script error at all', problems.errors);
	ok(problems.console.length === 0, 'no console error (CSP included)',
	    problems.console);
	await ctx.close();
	if (E.HERALD_SRCDIR && E.HERALD_WEB_SCREENSHOT)
		copyFileSync(desk, `${E.HERALD_SRCDIR}/doc/inbox.png`);
} catch (err) {
	ok(false, 'the browser test ran to its end', String(err.stack ?? err));
} finally {
	await browser.close();
	rl.close();
}
console.log(`1..${n}`);
process.exit(failures ? 1 : 0);

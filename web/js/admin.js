// The admin view: the system notifications of the notification agent's
// admin API (/admin/system: list, create, update, delete), so that an
// operator can post a maintenance banner.  Needs an admin token.

import { absolute } from './time.js';

const $ = (id) => document.getElementById(id);

// ms since the epoch <-> the value of an <input type=datetime-local>.
function toLocal(ms) {
	const d = new Date(ms);
	const p = (n) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}` +
	    `T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function fromLocal(value) {
	const t = new Date(value).getTime();
	return Number.isNaN(t) ? null : t;
}

function iso(ms) {
	return new Date(Number(ms)).toISOString();
}

export function initAdmin(api, { notice, onChange }) {
	function status(text) {
		$('sys-status').textContent = text;
	}

	function formError(text) {
		const e = $('sys-error');
		e.textContent = text ?? '';
		e.hidden = !text;
	}

	function resetForm() {
		$('sys-form').reset();
		$('sys-uuid').value = '';
		const now = Date.now();
		$('sys-from').value = toLocal(now);
		$('sys-until').value = toLocal(now + 2 * 3600 * 1000);
		$('sys-form-title').textContent = 'New system notification';
		$('sys-save').textContent = 'Post it';
		$('sys-cancel').hidden = true;
		formError(null);
	}

	function edit(s) {
		$('sys-uuid').value = s.uuid;
		$('sys-type').value = s.type;
		$('sys-message').value = s.message;
		$('sys-from').value = toLocal(Number(s.activation_date));
		$('sys-until').value = toLocal(Number(s.deactivation_date));
		$('sys-dismissible').checked = !!s.dismissible;
		$('sys-logins').checked = !!s.logins_disabled;
		$('sys-form-title').textContent = 'Edit the system notification';
		$('sys-save').textContent = 'Save the changes';
		$('sys-cancel').hidden = false;
		formError(null);
		$('sys-message').focus();
	}

	function row(s) {
		const li = document.createElement('li');
		li.className = `sys banner-${s.type}`;
		li.dataset.id = s.uuid;
		const p = document.createElement('p');
		const t = document.createElement('strong');
		t.textContent = `${s.type}: `;
		p.append(t, document.createTextNode(s.message));
		const meta = document.createElement('p');
		meta.className = 'meta';
		const now = Date.now();
		const active = Number(s.activation_date) <= now &&
		    now < Number(s.deactivation_date);
		meta.textContent = `${active ? 'shown now' : 'not shown now'} · ` +
		    `${absolute(iso(s.activation_date))} – ` +
		    `${absolute(iso(s.deactivation_date))}` +
		    (s.dismissible ? ' · dismissible' : '') +
		    (s.logins_disabled ? ' · logins disabled' : '');
		const tools = document.createElement('div');
		tools.className = 'tools';
		const e = document.createElement('button');
		e.type = 'button';
		e.className = 'quiet edit';
		e.textContent = 'Edit';
		e.setAttribute('aria-label', `Edit: ${s.message}`);
		e.addEventListener('click', () => edit(s));
		const d = document.createElement('button');
		d.type = 'button';
		d.className = 'quiet danger delete';
		d.textContent = 'Delete';
		d.setAttribute('aria-label', `Delete: ${s.message}`);
		d.addEventListener('click', () => remove(s.uuid));
		tools.append(e, d);
		li.append(p, meta, tools);
		return li;
	}

	async function load() {
		status('Loading…');
		try {
			const [types, list] = await Promise.all([api.adminTypes(),
			    api.adminList()]);
			const sel = $('sys-type');
			const keep = sel.value;
			sel.replaceChildren(...types.types.map((t) => {
				const o = document.createElement('option');
				o.textContent = t;
				return o;
			}));
			if (types.types.includes(keep))
				sel.value = keep;
			const items = list['system-messages'];
			$('sys-list').replaceChildren(...items.map(row));
			status(items.length === 0 ? 'No system notifications.' :
			    `${items.length} system notification` +
			    `${items.length === 1 ? '' : 's'}.`);
		} catch (err) {
			$('sys-list').replaceChildren();
			status(err.status === 403 ? 'This token is not an admin ' +
			    'token: the admin view needs one.' :
			    `The system notifications could not be loaded: ` +
			    `${err.message}.`);
		}
	}

	async function save(ev) {
		ev.preventDefault();
		const message = $('sys-message').value.trim();
		const from = fromLocal($('sys-from').value);
		const until = fromLocal($('sys-until').value);
		if (message === '' || from === null || until === null) {
			formError('A message and both times are needed.');
			return;
		}
		if (from >= until) {
			formError('"Shown until" must be after "Shown from".');
			return;
		}
		const sys = { type: $('sys-type').value, message,
			activation_date: from, deactivation_date: until,
			dismissible: $('sys-dismissible').checked,
			logins_disabled: $('sys-logins').checked };
		const uuid = $('sys-uuid').value;
		try {
			if (uuid)
				await api.adminUpdate(uuid, sys);
			else
				await api.adminCreate(sys);
		} catch (err) {
			formError(err.status === 403 ? 'This token is not an ' +
			    'admin token.' : err.message);
			return;
		}
		resetForm();
		await load();
		status(uuid ? 'Saved.' : 'Posted.');
		onChange();
	}

	async function remove(uuid) {
		try {
			await api.adminDelete(uuid);
		} catch (err) {
			notice(`Deleting it: ${err.message}`);
			return;
		}
		if ($('sys-uuid').value === uuid)
			resetForm();
		await load();
		status('Deleted.');
		$('sys-message').focus();
		onChange();
	}

	$('sys-form').addEventListener('submit', save);
	$('sys-cancel').addEventListener('click', resetForm);
	resetForm();

	return {
		show() {
			load();
		},
		reset() {
			$('sys-list').replaceChildren();
			status('');
			resetForm();
		},
	};
}

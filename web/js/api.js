// The HTTP side of the inbox: /v1 and the agent's /admin/system, JSON in
// and out.  The token goes only in the Authorization header; no URL built
// here ever carries it.

export class ApiError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}

// The message of an error body: /v1's {"error":{"message"}}, the agent's
// {"reason"} or {"error_code"}.
function errorText(json, res) {
	if (json && typeof json === 'object') {
		if (json.error && typeof json.error.message === 'string')
			return json.error.message;
		if (typeof json.reason === 'string' && json.reason !== '')
			return json.reason;
		if (typeof json.error_code === 'string')
			return json.error_code;
	}
	return `${res.status} ${res.statusText}`.trim();
}

export function makeApi(token) {
	async function call(method, path, body) {
		const headers = { Accept: 'application/json',
			Authorization: `Bearer ${token()}` };
		const init = { method, headers, cache: 'no-store',
			credentials: 'omit', referrerPolicy: 'no-referrer' };
		if (body !== undefined) {
			headers['Content-Type'] = 'application/json';
			init.body = JSON.stringify(body);
		}
		let res;
		try {
			res = await fetch(path, init);
		} catch {
			throw new ApiError(0, 'The server cannot be reached.');
		}
		if (res.status === 204)
			return null;
		let json = null;
		try {
			json = await res.json();
		} catch {
			json = null;
		}
		if (!res.ok)
			throw new ApiError(res.status, errorText(json, res));
		return json;
	}

	const u = (user) => `/v1/users/${encodeURIComponent(user)}`;
	const n = (id) => `/v1/notifications/${encodeURIComponent(id)}`;
	const s = (id) => `/admin/system/${encodeURIComponent(id)}`;

	return {
		list(user, { after, read, type, limit = 20 } = {}) {
			const q = new URLSearchParams({ limit: String(limit) });
			if (after)
				q.set('after', after);
			if (read === 'true' || read === 'false')
				q.set('read', read);
			if (type)
				q.set('type', type);
			return call('GET', `${u(user)}/notifications?${q}`);
		},
		count: (user) => call('GET', `${u(user)}/notifications/count`),
		setRead: (id, read) => call('PATCH', n(id), { read }),
		remove: (id) => call('DELETE', n(id)),
		readAll: (user) => call('POST', `${u(user)}/notifications/read-all`),
		system: (user) => call('GET', `${u(user)}/system-notifications`),
		systemAct: (user, id, act) => call('POST',
		    `${u(user)}/system-notifications/${encodeURIComponent(id)}/${act}`),
		streamPath: (user) => `${u(user)}/notifications/stream`,
		// The agent's admin API (an admin token).
		adminList: () => call('GET', '/admin/system'),
		adminTypes: () => call('GET', '/admin/system-types'),
		adminCreate: (sys) => call('PUT', '/admin/system', sys),
		adminUpdate: (id, sys) => call('POST', s(id), sys),
		adminDelete: (id) => call('DELETE', s(id)),
	};
}

// The notification stream (herald push) read with fetch(), not
// EventSource: EventSource cannot send an Authorization header, and the
// token must never go in a URL.  The SSE framing is parsed here; after a
// drop the stream is opened again with Last-Event-ID, so that push replays
// what happened meanwhile (each event's id is the change's cursor).

const MIN_DELAY = 500;
const MAX_DELAY = 8000;

// One SSE stream: parse(chunk) calls onEvent({id, event, data}) for each
// complete event; lastId is the last id field seen, as the spec keeps it.
export class SseParser {
	constructor(onEvent) {
		this.onEvent = onEvent;
		this.buf = '';
		this.data = [];
		this.event = '';
		this.lastId = null;
		this.retry = null;
	}

	feed(text) {
		this.buf += text;
		let nl;
		while ((nl = this.buf.indexOf('\n')) >= 0) {
			let line = this.buf.slice(0, nl);
			this.buf = this.buf.slice(nl + 1);
			if (line.endsWith('\r'))
				line = line.slice(0, -1);
			this.line(line);
		}
	}

	line(line) {
		if (line === '') {
			if (this.data.length > 0)
				this.onEvent({ id: this.lastId, event:
				    this.event || 'message',
				    data: this.data.join('\n') });
			this.data = [];
			this.event = '';
			return;
		}
		if (line.startsWith(':'))
			return;		// a comment: push's keep-alive
		const c = line.indexOf(':');
		const field = c < 0 ? line : line.slice(0, c);
		let value = c < 0 ? '' : line.slice(c + 1);
		if (value.startsWith(' '))
			value = value.slice(1);
		if (field === 'data')
			this.data.push(value);
		else if (field === 'event')
			this.event = value;
		else if (field === 'id' && !value.includes('\0'))
			this.lastId = value;
		else if (field === 'retry' && /^\d+$/.test(value))
			this.retry = Number(value);
	}
}

// Open the stream at path; onEvent(json) for each event, onState(state,
// status) with 'connecting', 'live', 'retrying' or 'refused' (401/403:
// no retry).  Returns {close()}.
export function openStream(path, token, onEvent, onState) {
	let lastId = null;
	let delay = MIN_DELAY;
	let stopped = false;
	let ctrl = null;
	let timer = null;

	async function connect() {
		timer = null;
		if (stopped)
			return;
		onState('connecting');
		ctrl = new AbortController();
		const headers = { Accept: 'text/event-stream',
			Authorization: `Bearer ${token()}` };
		if (lastId !== null)
			headers['Last-Event-ID'] = lastId;
		const parser = new SseParser((ev) => {
			lastId = ev.id ?? lastId;
			let json;
			try {
				json = JSON.parse(ev.data);
			} catch {
				return;
			}
			onEvent(json);
		});
		try {
			const res = await fetch(path, { headers, signal:
			    ctrl.signal, cache: 'no-store', credentials: 'omit',
			    referrerPolicy: 'no-referrer' });
			if (res.status === 401 || res.status === 403) {
				onState('refused', res.status);
				return;
			}
			if (!res.ok || !res.body)
				throw new Error(`HTTP ${res.status}`);
			onState('live');
			delay = MIN_DELAY;
			const reader = res.body.pipeThrough(
			    new TextDecoderStream()).getReader();
			for (;;) {
				const { value, done } = await reader.read();
				if (done)
					break;
				parser.feed(value);
			}
		} catch {
			// a drop, a refused connection or an abort: below
		}
		if (stopped)
			return;
		onState('retrying');
		if (parser.retry !== null)
			delay = Math.max(parser.retry, MIN_DELAY);
		timer = setTimeout(connect, delay);
		delay = Math.min(delay * 2, MAX_DELAY);
	}

	connect();
	return {
		close() {
			stopped = true;
			if (timer !== null)
				clearTimeout(timer);
			if (ctrl !== null)
				ctrl.abort();
		},
	};
}

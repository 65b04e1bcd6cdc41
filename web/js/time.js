// Relative times ("3 minutes ago"), in the browser's language.

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium',
	timeStyle: 'short' });
const STEPS = [[60, 'second'], [60, 'minute'], [24, 'hour'], [7, 'day'],
	[4.345, 'week'], [12, 'month'], [Infinity, 'year']];

export function relative(iso, now = Date.now()) {
	const t = Date.parse(iso);
	if (Number.isNaN(t))
		return '';
	let v = (t - now) / 1000;
	if (Math.abs(v) < 45)
		return rtf.format(0, 'second');
	for (const [size, unit] of STEPS) {
		if (Math.abs(v) < size)
			return rtf.format(Math.round(v), unit);
		v /= size;
	}
	return '';
}

export function absolute(iso) {
	const t = Date.parse(iso);
	return Number.isNaN(t) ? '' : full.format(t);
}

// A <time> that refresh() keeps relative.
export function timeElement(iso) {
	const el = document.createElement('time');
	el.dateTime = iso;
	el.title = absolute(iso);
	el.textContent = relative(iso);
	return el;
}

export function refresh(root) {
	const now = Date.now();
	for (const el of root.querySelectorAll('time[datetime]'))
		el.textContent = relative(el.dateTime, now);
}

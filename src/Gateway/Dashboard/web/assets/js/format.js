// Display formats shared by the pages. Times from the API are Unix seconds.

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const integer = new Intl.NumberFormat();
const usd = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 });

const units = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

export function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

/** "just now", "3 minutes ago", "yesterday"… */
export function relativeTime(seconds, now = nowSeconds()) {
  const elapsed = now - seconds;
  if (elapsed < 60) {
    return 'just now';
  }
  const [unit, size] = units.find(([, length]) => elapsed >= length);
  return relative.format(-Math.floor(elapsed / size), unit);
}

export function exactTime(seconds) {
  return exact.format(new Date(seconds * 1000));
}

export function calendarDate(seconds) {
  return date.format(new Date(seconds * 1000));
}

export function isoTime(seconds) {
  return new Date(seconds * 1000).toISOString();
}

export function count(value) {
  return integer.format(value);
}

export function money(value) {
  return usd.format(value);
}

/** A <time> element: the given text, the exact local time on hover. */
export function timeElement(seconds, text) {
  const element = document.createElement('time');
  element.dateTime = isoTime(seconds);
  element.title = exactTime(seconds);
  element.textContent = text;
  return element;
}

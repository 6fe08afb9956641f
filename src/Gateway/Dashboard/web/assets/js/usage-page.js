import { api } from './api.js';
import { drawStackedBars } from './charts.js';
import { count, money, nowSeconds } from './format.js';
import { deleteKeyWithConfirmation } from './key-deletion.js';
import { leakWindows, possibleLeaks, ruleDescription } from './leak.js';
import { showPageError, startSession } from './session.js';
import { fetchUsage, periodWindow, periods, seriesByKey, tokens, totalsByKey } from './usage-data.js';

const keyFilter = document.getElementById('key-filter');
const state = { period: 'hour', keyId: '', keys: new Map() };

const labelFormats = {
  minute: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }),
  hour: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }),
  day: new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }),
};

function keyName(keyId) {
  const key = state.keys.get(keyId);
  return key ? `${key.name} (${key.hint})` : `Deleted key ${keyId}`;
}

function showAccount(account) {
  document.getElementById('balance').textContent = money(account.balance_usd);
  document.getElementById('plan').textContent = account.plan;
  document.getElementById('rpm').textContent = count(account.limits.requests_per_minute);
  document.getElementById('tpm').textContent = count(account.limits.tokens_per_minute);
}

function showKeyFilter() {
  const options = [...state.keys.values()]
    .toSorted((a, b) => a.name.localeCompare(b.name))
    .map((key) => new Option(`${key.name} (${key.hint})`, key.id));
  keyFilter.replaceChildren(new Option('All keys', ''), ...options);
  if (!state.keys.has(state.keyId)) {
    state.keyId = '';
  }
  keyFilter.value = state.keyId;
}

function requestsByKey(buckets) {
  return new Map([...totalsByKey(buckets)].map(([keyId, total]) => [keyId, total.requests]));
}

async function showLeaks(now) {
  const windows = leakWindows(now);
  const [recent, baseline] = await Promise.all([fetchUsage(windows.recent), fetchUsage(windows.baseline)]);
  const leaks = possibleLeaks(requestsByKey(recent), requestsByKey(baseline)).filter(({ keyId }) => state.keys.has(keyId));
  const list = document.getElementById('leak-list');
  list.replaceChildren(...leaks.map((leak) => leakItem(leak)));
  document.getElementById('leaks').hidden = leaks.length === 0;
}

function leakItem({ keyId, recent, hourlyMean }) {
  const key = state.keys.get(keyId);
  const item = document.createElement('li');
  item.dataset.keyId = keyId;
  const text = document.createElement('p');
  const name = document.createElement('strong');
  name.textContent = key.name;
  text.append(name, ` (${key.hint}): ${count(recent)} requests in the last hour, against a mean of ` +
    `${hourlyMean.toFixed(1)} an hour over the 7 days before.`);
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'danger';
  remove.textContent = 'Delete key';
  remove.setAttribute('aria-label', `Delete key ${key.name}`);
  remove.addEventListener('click', async () => {
    try {
      if (await deleteKeyWithConfirmation(key)) {
        await refresh();
        document.getElementById('main').focus();
      }
    } catch (error) {
      showPageError(error);
    }
  });
  item.append(text, remove);
  return item;
}

function series(buckets, starts, value) {
  return [...seriesByKey(buckets, starts, value)]
    .map(([keyId, data]) => ({ label: keyName(keyId), data }))
    .toSorted((a, b) => a.label.localeCompare(b.label));
}

function showTotals(buckets) {
  const totals = totalsByKey(buckets);
  const rows = [...totals]
    .toSorted(([a], [b]) => keyName(a).localeCompare(keyName(b)))
    .map(([keyId, total]) => totalsRow(keyName(keyId), total));
  const sum = { requests: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 };
  for (const total of totals.values()) {
    for (const field of Object.keys(sum)) {
      sum[field] += total[field];
    }
  }
  document.getElementById('usage-body').replaceChildren(...rows);
  fillTotals(document.getElementById('usage-total'), sum);
  return sum;
}

function totalsRow(label, total) {
  const row = document.createElement('tr');
  const name = document.createElement('th');
  name.scope = 'row';
  name.textContent = label;
  row.append(name);
  for (const field of ['requests', 'prompt_tokens', 'completion_tokens', 'cost_usd']) {
    const td = document.createElement('td');
    td.dataset.field = field;
    row.append(td);
  }
  fillTotals(row, total);
  return row;
}

function fillTotals(row, total) {
  for (const td of row.querySelectorAll('td[data-field]')) {
    const value = total[td.dataset.field];
    td.textContent = td.dataset.field === 'cost_usd' ? money(value) : count(value);
  }
}

async function showCharts(now) {
  const span = periodWindow(state.period, now);
  const buckets = await fetchUsage(span, state.keyId);
  const labels = span.starts.map((start) => labelFormats[span.granularity].format(new Date(start * 1000)));
  drawStackedBars(document.getElementById('requests-chart'), labels, series(buckets, span.starts, (b) => b.requests));
  drawStackedBars(document.getElementById('tokens-chart'), labels, series(buckets, span.starts, tokens));
  const sum = showTotals(buckets);
  document.getElementById('period-note').textContent = periods[state.period].note;
  document.getElementById('requests-caption').textContent = `Requests: ${count(sum.requests)} in total`;
  document.getElementById('tokens-caption').textContent =
    `Tokens (prompt + completion): ${count(sum.prompt_tokens + sum.completion_tokens)} in total`;
}

async function refresh() {
  showPageError(null);
  const now = nowSeconds();
  const [account, { data: keys }] = await Promise.all([api('GET', '/api/account'), api('GET', '/api/keys')]);
  showAccount(account);
  state.keys = new Map(keys.map((key) => [key.id, key]));
  showKeyFilter();
  await Promise.all([showLeaks(now), showCharts(now)]);
}

for (const radio of document.querySelectorAll('input[name=period]')) {
  radio.addEventListener('change', () => {
    state.period = radio.value;
    showCharts(nowSeconds()).catch(showPageError);
  });
}
keyFilter.addEventListener('change', () => {
  state.keyId = keyFilter.value;
  showCharts(nowSeconds()).catch(showPageError);
});
document.getElementById('refresh').addEventListener('click', () => refresh().catch(showPageError));
document.getElementById('leak-rule').textContent = ruleDescription;

startSession()
  .then(refresh)
  .catch(showPageError);

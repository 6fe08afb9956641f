import { api } from './api.js';

// The chart periods and how GET /api/usage buckets become chart series. Buckets are aligned to
// whole minutes, hours and UTC days; the API leaves out empty ones, so the series fill in zeros.

export const periods = {
  hour: { granularity: 'minute', size: 60, count: 60, note: 'Per minute over the last 60 minutes, in your local time. The current minute is still counting.' },
  day: { granularity: 'hour', size: 3600, count: 24, note: 'Per hour over the last 24 hours, in your local time.' },
  month: { granularity: 'day', size: 86400, count: 30, note: 'Per day over the last 30 days; days run from midnight to midnight UTC.' },
};

/** The period's bucket starts, ending with the bucket that holds `now`. */
export function periodWindow(period, now) {
  const { size, count, granularity } = periods[period];
  const to = Math.floor(now / size) * size + size;
  const from = to - count * size;
  const starts = Array.from({ length: count }, (_, i) => from + i * size);
  return { from, to, granularity, starts };
}

export async function fetchUsage({ from, to, granularity }, keyId) {
  const query = new URLSearchParams({ from, to, granularity });
  if (keyId) {
    query.set('key_id', keyId);
  }
  const { data } = await api('GET', `/api/usage?${query}`);
  return data;
}

export function tokens(bucket) {
  return bucket.prompt_tokens + bucket.completion_tokens;
}

/** One value per bucket start for each key that has usage: Map key id → number[]. */
export function seriesByKey(buckets, starts, value) {
  const index = new Map(starts.map((start, i) => [start, i]));
  const series = new Map();
  for (const bucket of buckets) {
    if (!series.has(bucket.key_id)) {
      series.set(bucket.key_id, new Array(starts.length).fill(0));
    }
    const i = index.get(bucket.start);
    if (i !== undefined) {
      series.get(bucket.key_id)[i] += value(bucket);
    }
  }
  return series;
}

/** Sums per key: Map key id → { requests, prompt_tokens, completion_tokens, cost_usd }. */
export function totalsByKey(buckets) {
  const totals = new Map();
  for (const bucket of buckets) {
    const total = totals.get(bucket.key_id) ?? { requests: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 };
    total.requests += bucket.requests;
    total.prompt_tokens += bucket.prompt_tokens;
    total.completion_tokens += bucket.completion_tokens;
    total.cost_usd += bucket.cost_usd;
    totals.set(bucket.key_id, total);
  }
  return totals;
}

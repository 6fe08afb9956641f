// The possible-leak rule: a key is flagged when its last hour is far above its own usual rate.
// The same constants write the rule's description on the Usage page, so the two cannot disagree.

export const RATIO = 5;
export const MIN_REQUESTS = 100;
export const BASELINE_HOURS = 7 * 24;

export const ruleDescription =
  `A key is flagged as a possible leak when, in the last 60 minutes (the current minute and the 59 before it), ` +
  `it made at least ${MIN_REQUESTS} requests and at least ${RATIO} times its mean hourly requests over the ` +
  `${BASELINE_HOURS} hours (7 days) just before those 60 minutes. ` +
  `A key that was not used in those 7 days has a mean of 0, so ${MIN_REQUESTS} requests in an hour flag it.`;

export function isPossibleLeak(recentRequests, baselineRequests) {
  return recentRequests >= MIN_REQUESTS && recentRequests >= RATIO * (baselineRequests / BASELINE_HOURS);
}

/** The recent window (whole minutes) and the baseline right before it, in Unix seconds. */
export function leakWindows(now) {
  const recentTo = Math.floor(now / 60) * 60 + 60;
  const recentFrom = recentTo - 60 * 60;
  return {
    recent: { from: recentFrom, to: recentTo, granularity: 'minute' },
    baseline: { from: recentFrom - BASELINE_HOURS * 3600, to: recentFrom, granularity: 'hour' },
  };
}

/** Flagged keys, given request totals per key id over each window. */
export function possibleLeaks(recentByKey, baselineByKey) {
  const leaks = [];
  for (const [keyId, recent] of recentByKey) {
    const baseline = baselineByKey.get(keyId) ?? 0;
    if (isPossibleLeak(recent, baseline)) {
      leaks.push({ keyId, recent, hourlyMean: baseline / BASELINE_HOURS });
    }
  }
  return leaks;
}

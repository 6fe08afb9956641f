// The account API (SPEC §6) as the pages use it.

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * Sends one request with the session cookie. Writes carry X-Requested-With, which the gateway
 * requires as its CSRF defence. A lost session on a signed-in page goes back to the login page.
 */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-Requested-With'] = 'XMLHttpRequest';
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }

  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'The gateway cannot be reached. Check your connection and try again.', 'network_error');
  }

  if (response.status === 401 && !path.startsWith('/api/auth/')) {
    location.assign('/login');
  }
  if (response.status === 204) {
    return null;
  }

  const json = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, json?.error?.message ?? `The request failed (HTTP ${response.status}).`, json?.error?.code);
  }
  return json;
}

import { api } from './api.js';

/** The sidebar of a signed-in page: the account's e-mail and the log-out button. Resolves with the account. */
export async function startSession() {
  document.getElementById('logout').addEventListener('click', () => {
    api('POST', '/api/auth/logout')
      .then(() => location.assign('/login'))
      .catch(showPageError);
  });
  const account = await api('GET', '/api/account');
  document.getElementById('account-email').textContent = account.email;
  return account;
}

/** Shows a failure in the page's alert line, or hides it when `error` is null. */
export function showPageError(error) {
  const line = document.getElementById('page-error');
  line.textContent = error?.message ?? '';
  line.hidden = !error;
}

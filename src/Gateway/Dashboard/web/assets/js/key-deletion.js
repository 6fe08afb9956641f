import { api } from './api.js';
import { confirmAction } from './dialog.js';

/** Deletes a key after confirmation; resolves true once the gateway has revoked it. */
export async function deleteKeyWithConfirmation(key) {
  const confirmed = await confirmAction({
    title: `Delete the key “${key.name}”?`,
    message: `Access is revoked immediately: from the moment you confirm, every request that uses ${key.hint} is refused with 401. This cannot be undone.`,
    confirmLabel: 'Delete key',
  });
  if (!confirmed) {
    return false;
  }
  await api('DELETE', `/api/keys/${encodeURIComponent(key.id)}`);
  return true;
}

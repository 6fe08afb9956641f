// Modal dialogs on the native <dialog>: the page behind is inert, Escape closes, and focus goes
// back to whatever opened the dialog.

/** Opens a dialog, focuses `initialFocus`, and resolves with its return value once it closes. */
export function showDialog(dialog, initialFocus) {
  const opener = document.activeElement;
  dialog.returnValue = '';
  dialog.showModal();
  initialFocus?.focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (opener instanceof HTMLElement && opener.isConnected) {
        opener.focus();
      }
      resolve(dialog.returnValue);
    }, { once: true });
  });
}

/** Buttons marked data-close close their dialog. */
export function wireCloseButtons(dialog) {
  for (const button of dialog.querySelectorAll('[data-close]')) {
    button.addEventListener('click', () => dialog.close(button.value));
  }
}

let confirmDialog;

function createConfirmDialog() {
  const dialog = document.createElement('dialog');
  dialog.className = 'confirm';
  dialog.setAttribute('aria-labelledby', 'confirm-title');
  dialog.setAttribute('aria-describedby', 'confirm-message');
  const title = document.createElement('h2');
  title.id = 'confirm-title';
  const message = document.createElement('p');
  message.id = 'confirm-message';
  const actions = document.createElement('div');
  actions.className = 'actions';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.dataset.close = '';
  cancel.value = 'cancel';
  cancel.textContent = 'Cancel';
  const confirm = document.createElement('button');
  confirm.type = 'button';
  confirm.className = 'danger';
  confirm.dataset.close = '';
  confirm.value = 'confirm';
  actions.append(cancel, confirm);
  dialog.append(title, message, actions);
  document.body.append(dialog);
  wireCloseButtons(dialog);
  return dialog;
}

/** Asks before a destructive action; focus starts on Cancel so Enter alone never destroys anything. */
export async function confirmAction({ title, message, confirmLabel }) {
  confirmDialog ??= createConfirmDialog();
  confirmDialog.querySelector('#confirm-title').textContent = title;
  confirmDialog.querySelector('#confirm-message').textContent = message;
  confirmDialog.querySelector('button.danger').textContent = confirmLabel;
  return await showDialog(confirmDialog, confirmDialog.querySelector('button[value=cancel]')) === 'confirm';
}

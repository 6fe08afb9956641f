import { api } from './api.js';
import { showDialog, wireCloseButtons } from './dialog.js';
import { calendarDate, nowSeconds, relativeTime, timeElement } from './format.js';
import { deleteKeyWithConfirmation } from './key-deletion.js';
import { showPageError, startSession } from './session.js';

const table = document.getElementById('keys-table');
const body = document.getElementById('keys-body');
const empty = document.getElementById('keys-empty');
const createButton = document.getElementById('create-key');
const dialog = document.getElementById('create-dialog');
const createStep = document.getElementById('create-step');
const revealStep = document.getElementById('reveal-step');
const createForm = document.getElementById('create-form');
const nameInput = document.getElementById('key-name');
const createError = document.getElementById('create-error');
const newKey = document.getElementById('new-key');
const copyStatus = document.getElementById('copy-status');

function cell(label, content) {
  const td = document.createElement('td');
  td.dataset.label = label;
  td.append(content);
  return td;
}

function keyRow(key, now) {
  const row = document.createElement('tr');
  row.dataset.keyId = key.id;
  const hint = document.createElement('code');
  hint.textContent = key.hint;
  const lastUsed = key.last_used_at === null
    ? 'never'
    : timeElement(key.last_used_at, relativeTime(key.last_used_at, now));
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'danger-quiet';
  remove.textContent = 'Delete';
  remove.setAttribute('aria-label', `Delete key ${key.name}`);
  remove.addEventListener('click', () => deleteKey(key));
  row.append(
    cell('Name', key.name),
    cell('Key', hint),
    cell('Created', timeElement(key.created_at, calendarDate(key.created_at))),
    cell('Last used', lastUsed),
    cell('', remove));
  return row;
}

async function loadKeys() {
  const { data } = await api('GET', '/api/keys');
  const now = nowSeconds();
  body.replaceChildren(...data.toSorted((a, b) => b.created_at - a.created_at).map((key) => keyRow(key, now)));
  table.hidden = data.length === 0;
  empty.hidden = data.length !== 0;
}

async function deleteKey(key) {
  try {
    if (await deleteKeyWithConfirmation(key)) {
      await loadKeys();
      createButton.focus();
    }
  } catch (error) {
    showPageError(error);
  }
}

function showCreateError(message) {
  createError.textContent = message ?? '';
  createError.hidden = !message;
  if (message) {
    nameInput.setAttribute('aria-invalid', 'true');
  } else {
    nameInput.removeAttribute('aria-invalid');
  }
}

async function openCreateDialog() {
  createForm.reset();
  showCreateError(null);
  createStep.hidden = false;
  revealStep.hidden = true;
  dialog.setAttribute('aria-labelledby', 'create-title');
  await showDialog(dialog, nameInput);
  // The raw key lives only in this dialog: wipe it as soon as the dialog closes.
  newKey.value = '';
  copyStatus.textContent = '';
  await loadKeys().catch(showPageError);
}

createForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = nameInput.value.trim();
  if (name === '') {
    showCreateError('Enter a name for the key, so you can tell it apart later.');
    nameInput.focus();
    return;
  }

  const submit = createForm.querySelector('button[type=submit]');
  submit.disabled = true;
  try {
    const created = await api('POST', '/api/keys', { name });
    document.getElementById('reveal-name').textContent = created.name;
    newKey.value = created.key;
    createStep.hidden = true;
    revealStep.hidden = false;
    dialog.setAttribute('aria-labelledby', 'reveal-title');
    newKey.focus();
    newKey.select();
  } catch (error) {
    showCreateError(error.message);
  } finally {
    submit.disabled = false;
  }
});

document.getElementById('copy-key').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(newKey.value);
    copyStatus.textContent = 'Copied to the clipboard.';
  } catch {
    // Without clipboard access (e.g. plain HTTP on another host) the selected text can still be copied by hand.
    newKey.focus();
    newKey.select();
    copyStatus.textContent = 'Press Ctrl+C (⌘C on a Mac) to copy the selected key.';
  }
});

nameInput.addEventListener('input', () => showCreateError(null));
createButton.addEventListener('click', openCreateDialog);
wireCloseButtons(dialog);

startSession()
  .then(loadKeys)
  .catch(showPageError);

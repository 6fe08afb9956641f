import { api } from './api.js';

// The log-in and sign-up pages share one form; data-new-password marks sign-up, where the
// password rules are checked before the gateway checks them again.

const form = document.getElementById('auth-form');
const email = document.getElementById('email');
const password = document.getElementById('password');
const formError = document.getElementById('form-error');
const isSignup = form.hasAttribute('data-new-password');

function setFieldError(input, message) {
  const line = document.getElementById(`${input.id}-error`);
  line.textContent = message ?? '';
  line.hidden = !message;
  if (message) {
    input.setAttribute('aria-invalid', 'true');
  } else {
    input.removeAttribute('aria-invalid');
  }
}

function emailError() {
  if (email.value.trim() === '') {
    return 'Enter your e-mail address.';
  }
  return email.validity.typeMismatch ? 'Enter a valid e-mail address, like name@example.com.' : null;
}

function passwordError() {
  const value = password.value;
  if (value === '') {
    return 'Enter your password.';
  }
  if (!isSignup) {
    return null;
  }
  if (value.length < 8 || value.length > 256) {
    return 'The password must be 8 to 256 characters long.';
  }
  return /\p{L}/u.test(value) && /[^\p{L}]/u.test(value) ? null : 'The password needs a letter and a digit or symbol.';
}

function validate() {
  const errors = [[email, emailError()], [password, passwordError()]];
  for (const [input, message] of errors) {
    setFieldError(input, message);
  }
  const firstInvalid = errors.find(([, message]) => message);
  firstInvalid?.[0].focus();
  return !firstInvalid;
}

/** Server messages go under the field they concern when the code says which. */
function showServerError(error) {
  if (error.code === 'invalid_email') {
    setFieldError(email, error.message);
    email.focus();
  } else if (error.code === 'weak_password') {
    setFieldError(password, error.message);
    password.focus();
  } else {
    formError.textContent = error.message;
    formError.hidden = false;
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  formError.hidden = true;
  if (!validate()) {
    return;
  }

  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await api('POST', form.dataset.endpoint, { email: email.value.trim(), password: password.value });
    location.assign('/keys');
  } catch (error) {
    showServerError(error);
    button.disabled = false;
  }
});

for (const input of [email, password]) {
  input.addEventListener('input', () => setFieldError(input, null));
}

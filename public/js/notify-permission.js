// @ts-check
/**
 * The account page's "Allow notifications" button: the browser's permission is asked only here,
 * when the user presses it (never on page load). The setting itself is the form above it.
 */
const box = /** @type {HTMLElement | null} */ (document.querySelector('.notify-permission'));
const button = document.getElementById('notify-allow');
const state = document.getElementById('notify-state');

function show() {
  if (!state || !button) return;
  const perm = 'Notification' in window ? Notification.permission : 'unsupported';
  state.textContent = perm === 'granted' ? (state.dataset.granted ?? '') : perm === 'denied' ? (state.dataset.denied ?? '') : perm === 'unsupported' ? (state.dataset.unsupported ?? '') : '';
  button.hidden = perm !== 'default';
}

if (box && button) {
  box.hidden = false;
  show();
  button.addEventListener('click', async () => {
    if ('Notification' in window) await Notification.requestPermission();
    show();
  });
}

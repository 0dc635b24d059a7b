// @ts-check
/** Moderation forms work without JavaScript; with it, they post in the background. */
import { systemLine } from './messages.js';

export function initMenus() {
  document.addEventListener('submit', async (ev) => {
    const target = /** @type {HTMLFormElement} */ (ev.target);
    if (!target.classList.contains('mod-form')) return;
    ev.preventDefault();
    target.closest('details')?.removeAttribute('open');
    // getAttribute: the form's `action` property is shadowed by its input named "action".
    const res = await fetch(target.getAttribute('action') ?? '', {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      // With the submitter: a message's delete button carries its id into the shared form.
      body: new URLSearchParams(/** @type {any} */ (new FormData(target, /** @type {SubmitEvent} */ (ev).submitter))),
    });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      systemLine(body?.error?.message ?? `${res.status}`);
    }
  });
}

// @ts-check
/**
 * A "Copy" button beside a read-only link (views/partials/invite-link.njk): shown only where the
 * clipboard can be written; its status line, read out by screen readers, says whether it worked.
 */
for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('button[data-copy]'))) {
  const input = /** @type {HTMLInputElement | null} */ (document.getElementById(button.dataset.copy ?? ''));
  const status = /** @type {HTMLElement | null} */ (button.closest('.notice')?.querySelector('.copy-status') ?? null);
  if (!input || !status || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      status.textContent = status.dataset.copied ?? '';
    } catch {
      input.select();
      status.textContent = status.dataset.failed ?? '';
    }
  });
  // Selecting the whole link on focus, so a long press or Ctrl+C copies it all without the button too.
  input.addEventListener('focus', () => input.select());
}

// @ts-check
/**
 * Moderation menus and forms. Without JavaScript a member's menu is a <details> that opens
 * inline and its forms post normally; with it the menu opens as a popover over the page (no
 * layout shift; Escape or a click outside closes it and focus goes back to its button), only
 * one action's options are open at a time, "Custom" durations take a number, and forms post in
 * the background.
 */
import { $, tr } from './env.js';
import { systemLine } from './messages.js';

/** Gap between the menu button and its popover, and the popover and the viewport's edges (px). */
const GAP = 4;
const EDGE = 8;

/** @param {HTMLDetailsElement} menu */
function place(menu) {
  const panel = /** @type {HTMLElement} */ (menu.querySelector(':scope > .mod-items'));
  const btn = /** @type {HTMLElement} */ (menu.querySelector(':scope > summary')).getBoundingClientRect();
  const w = panel.offsetWidth;
  const h = panel.offsetHeight;
  const left = Math.max(EDGE, Math.min(btn.right - w, innerWidth - w - EDGE));
  // Below the button if it fits, else above it, else as far down as the viewport allows.
  let top = btn.bottom + GAP;
  if (top + h > innerHeight - EDGE) top = btn.top - GAP - h >= EDGE ? btn.top - GAP - h : Math.max(EDGE, innerHeight - h - EDGE);
  panel.style.left = `${left}px`;
  panel.style.top = `${top}px`;
}

/** @param {HTMLDetailsElement} menu @param {boolean} [refocus] */
function closeMenu(menu, refocus = false) {
  menu.open = false;
  for (const d of menu.querySelectorAll('details[open]')) /** @type {HTMLDetailsElement} */ (d).open = false;
  if (refocus) /** @type {HTMLElement} */ (menu.querySelector(':scope > summary')).focus();
}

const openMenus = () => /** @type {HTMLDetailsElement[]} */ ([...document.querySelectorAll('details.mod-menu[open]')]);

/** "Custom" swaps the duration list for the number field (only one of them is submitted). @param {HTMLSelectElement} select */
function onDuration(select) {
  const custom = select.value === 'custom';
  const label = /** @type {HTMLElement} */ (select.closest('form')?.querySelector('.custom-minutes'));
  const field = /** @type {HTMLInputElement} */ (label.querySelector('input'));
  select.name = custom ? '' : 'minutes';
  label.hidden = !custom;
  field.disabled = !custom;
  if (custom) field.focus();
}

/** @param {SubmitEvent} ev */
async function post(ev) {
  const target = /** @type {HTMLFormElement} */ (ev.target);
  if (!target.classList.contains('mod-form')) return;
  ev.preventDefault();
  const menu = /** @type {HTMLDetailsElement | null} */ (target.closest('details.mod-menu'));
  if (menu) closeMenu(menu, true);
  // getAttribute: the form's `action` property is shadowed by its input named "action".
  const res = await fetch(target.getAttribute('action') ?? '', {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    // With the submitter: a message's delete button carries its id into the shared form.
    body: new URLSearchParams(/** @type {any} */ (new FormData(target, ev.submitter))),
  }).catch(() => null);
  if (!res) return systemLine(tr('sys.actionFailed'));
  if (res.ok) {
    target.reset();
    for (const select of target.querySelectorAll('select.duration')) onDuration(/** @type {HTMLSelectElement} */ (select));
  } else {
    const body = await res.json().catch(() => null);
    // The server's reason (in the reader's language where it has one), never a bare status code.
    systemLine(res.status < 500 && body?.error?.message ? body.error.message : tr('sys.actionFailed'));
  }
}

export function initMenus() {
  $('chat').classList.add('pop-menus');
  // In the page and in its templates, so menus cloned for members who join live offer it too.
  for (const root of [document, ...[...document.querySelectorAll('template')].map((t) => /** @type {HTMLTemplateElement} */ (t).content)]) {
    for (const o of root.querySelectorAll('.duration option[value="custom"]')) {
      /** @type {HTMLOptionElement} */ (o).hidden = false;
      /** @type {HTMLOptionElement} */ (o).disabled = false;
    }
  }
  document.addEventListener('submit', (ev) => void post(/** @type {SubmitEvent} */ (ev)));
  document.addEventListener('change', (ev) => {
    const t = ev.target;
    if (t instanceof HTMLSelectElement && t.classList.contains('duration')) onDuration(t);
  });
  // `toggle` does not bubble: listened for on the way down.
  document.addEventListener(
    'toggle',
    (ev) => {
      const d = ev.target;
      if (!(d instanceof HTMLDetailsElement) || !d.open) return;
      if (d.classList.contains('mod-menu')) {
        for (const other of openMenus()) if (other !== d) closeMenu(other);
        place(d);
      } else if (d.classList.contains('mod-act')) {
        // One action's options at a time; the popover grows, so it is placed again.
        for (const s of d.parentElement?.querySelectorAll(':scope > details[open]') ?? []) if (s !== d) /** @type {HTMLDetailsElement} */ (s).open = false;
        const menu = /** @type {HTMLDetailsElement | null} */ (d.closest('details.mod-menu'));
        if (menu) place(menu);
        /** @type {HTMLElement | null} */ (d.querySelector('select, input:not([type=hidden])'))?.focus();
      }
    },
    true,
  );
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape') return;
    const menu = openMenus()[0];
    if (menu) {
      ev.preventDefault();
      closeMenu(menu, true);
    }
  });
  document.addEventListener('pointerdown', (ev) => {
    for (const menu of openMenus()) if (!menu.contains(/** @type {Node} */ (ev.target))) closeMenu(menu);
  });
  // A popover placed for one layout is closed when the layout changes.
  addEventListener('resize', () => openMenus().forEach((m) => closeMenu(m)));
  $('sidebar').addEventListener('scroll', () => openMenus().forEach((m) => closeMenu(m)), { passive: true });
}

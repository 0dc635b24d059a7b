// @ts-check
/**
 * The sidebar: member and online lists, and for moderators each member's state and the Restricted section.
 * @import { UserRef } from '../../../src/shared/protocol.ts'
 */
import { $, cfg, tr } from './env.js';
import { fillAvatar, fromTemplate } from './templates.js';
import { fmtUntil } from './time.js';

// The page's rows may be shared by every reader, so the reader's own row came with a Message
// button too: nobody messages themselves.
document.querySelector(`#members li[data-user="${cfg.me.id}"] .dm-form`)?.remove();

/** @param {'members' | 'online'} listId @param {UserRef} user @param {boolean} present */
export function setPerson(listId, user, present) {
  const ul = $(listId);
  const existing = ul.querySelector(`li[data-user="${user.id}"]`);
  if (!present) return existing?.remove();
  if (existing) return;
  // From the page's blank row: the markup the server renders the lists with (chat-macros.njk `person`).
  const li = /** @type {HTMLElement} */ (/** @type {HTMLTemplateElement} */ ($('tpl-person')).content.firstElementChild?.cloneNode(true));
  li.dataset.user = String(user.id);
  if (listId === 'members' && document.querySelector(`#restricted li[data-user="${user.id}"][data-kind="mute"]`)) li.dataset.state = 'muted';
  fillAvatar(li.querySelector('.av'), user);
  const name = /** @type {HTMLElement} */ (li.querySelector('bdi'));
  name.textContent = user.name;
  // The full name, where the row cuts it.
  name.title = user.name;
  if (listId === 'members' && user.id !== cfg.me.id) {
    // The member's "Message" button (a direct message); none on the reader's own entry.
    const dm = fromTemplate('tpl-dm', 'userId', user.id);
    const dmName = dm?.querySelector('.dm-name');
    if (dmName) dmName.textContent = user.name;
    if (dm) li.append(dm);
  }
  if (listId === 'members' && cfg.canModerate && user.id !== cfg.me.id) li.append(fromTemplate('tpl-member-menu', 'userId', user.id) ?? '');
  ul.append(li);
}

/** @param {'members' | 'online'} listId @param {UserRef[]} users */
export function setPeople(listId, users) {
  $(listId).replaceChildren();
  for (const u of users) setPerson(listId, u, true);
}

/** A member's state, for the menu to offer what fits (Unmute only when muted). @param {number} userId @param {boolean} muted */
export function setMutedMember(userId, muted) {
  const li = /** @type {HTMLElement | null} */ (document.querySelector(`#members li[data-user="${userId}"]`));
  if (!li) return;
  if (muted) li.dataset.state = 'muted';
  else delete li.dataset.state;
}

/**
 * The moderator's Restricted section: a row per restriction in force, from the page's template.
 * @param {UserRef} user @param {'mute' | 'kick' | 'ban'} kind @param {number | null} until
 */
export function addRestricted(user, kind, until) {
  const ul = document.getElementById('restricted');
  if (!ul) return;
  removeRestricted(user.id, kind === 'mute' ? 'mute' : 'bar');
  const node = fromTemplate('tpl-restricted', 'userId', user.id);
  const li = /** @type {HTMLElement | null} */ (node?.firstElementChild ?? null);
  if (!li) return;
  li.dataset.user = String(user.id);
  li.dataset.kind = kind;
  fillAvatar(li.querySelector('.av'), user);
  /** @type {HTMLElement} */ (li.querySelector('bdi')).textContent = user.name;
  /** @type {HTMLElement} */ (li.querySelector('.kind')).textContent = tr(`mod.k.${kind}`);
  /** @type {HTMLElement} */ (li.querySelector('.end')).textContent = until === null ? tr('mod.untilLifted') : tr('restricted.until', { until: fmtUntil(until) });
  const lift = kind === 'mute' ? 'unmute' : 'unban';
  /** @type {HTMLInputElement} */ (li.querySelector('input[name="action"]')).value = lift;
  const button = /** @type {HTMLButtonElement} */ (li.querySelector('button'));
  button.dataset.action = lift;
  button.textContent = tr(`mod.a.${lift}`);
  ul.append(li);
  $('restricted-none').hidden = true;
}

/** @param {number} userId @param {'mute' | 'bar'} kind (a bar: kicked or banned) */
export function removeRestricted(userId, kind) {
  const ul = document.getElementById('restricted');
  if (!ul) return;
  const sel = kind === 'mute' ? '[data-kind="mute"]' : ':is([data-kind="kick"], [data-kind="ban"])';
  ul.querySelector(`li[data-user="${userId}"]${sel}`)?.remove();
  $('restricted-none').hidden = ul.children.length > 0;
}

/**
 * On a narrow screen the sidebar is a drawer over the conversation. Without the script the
 * People link opens it as the URL's target; with it the drawer is modal: the rest of the page is
 * inert (focus stays inside), Escape, the close button or a tap on the backdrop close it, and
 * focus goes back to the People button.
 */
export function initDrawer() {
  const sidebar = $('sidebar');
  const opener = /** @type {HTMLElement | null} */ (document.querySelector('.people-btn'));
  const closer = /** @type {HTMLElement | null} */ (sidebar.querySelector('.sheet-head a'));
  const backdrop = /** @type {HTMLElement} */ (document.getElementById('drawer-backdrop'));
  if (!opener || !closer || !backdrop) return;
  const wide = matchMedia('(min-width: 48rem)');
  /** What is inert while the drawer is open: everything but the sidebar and the backdrop. */
  const background = () => [
    ...[...document.body.children].filter((el) => !el.contains(sidebar) && el.tagName !== 'SCRIPT' && el.tagName !== 'TEMPLATE'),
    ...[...$('chat').children].filter((el) => el !== sidebar && el !== backdrop),
    ...[...(sidebar.closest('main')?.children ?? [])].filter((el) => !el.contains(sidebar)),
  ];
  let open = false;
  /** @param {boolean} on @param {boolean} [refocus] */
  function setOpen(on, refocus = true) {
    if (on === open) return;
    open = on;
    sidebar.classList.toggle('open', on);
    backdrop.hidden = !on;
    opener?.setAttribute('aria-expanded', String(on));
    for (const el of background()) /** @type {HTMLElement} */ (el).inert = on;
    if (on) closer?.focus();
    else if (refocus) opener?.focus();
  }
  opener.setAttribute('aria-expanded', 'false');
  opener.addEventListener('click', (ev) => {
    ev.preventDefault();
    setOpen(true);
  });
  closer.addEventListener('click', (ev) => {
    ev.preventDefault();
    setOpen(false);
  });
  backdrop.addEventListener('click', () => setOpen(false));
  document.addEventListener('keydown', (ev) => {
    if (!open || ev.defaultPrevented) return;
    // An open moderation menu takes Escape first (chat/menus.js marks it handled).
    if (ev.key === 'Escape') setOpen(false);
    if (ev.key === 'Tab') wrapFocus(ev);
  });
  /** Tab past the drawer's last control comes back to its first (and Shift+Tab the other way). @param {KeyboardEvent} ev */
  function wrapFocus(ev) {
    const items = [...sidebar.querySelectorAll('a[href], button, input, select, textarea, summary')].filter(
      (el) => /** @type {HTMLElement} */ (el).offsetParent !== null && !(/** @type {HTMLButtonElement} */ (el).disabled),
    );
    const first = /** @type {HTMLElement | undefined} */ (items[0]);
    const last = /** @type {HTMLElement | undefined} */ (items.at(-1));
    const at = document.activeElement;
    if (ev.shiftKey ? at === first || !sidebar.contains(at) : at === last || !sidebar.contains(at)) {
      ev.preventDefault();
      (ev.shiftKey ? last : first)?.focus();
    }
  }
  // Wider than a drawer: the sidebar is a column, nothing is modal.
  wide.addEventListener('change', () => wide.matches && setOpen(false, false));
  // Opened by the URL (a link, or the page before the script ran): the same drawer, without the hash.
  if (location.hash === '#sidebar') {
    history.replaceState(null, '', location.pathname + location.search);
    if (!wide.matches) setOpen(true);
  }
}

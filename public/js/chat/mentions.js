// @ts-check
/**
 * @-completion in the composer: typing `@` and the start of a name lists the room's matching
 * members (asked of the server: GET /rooms/:id/mentionable), and `@here` for moderators. ARIA:
 * the textarea keeps its role and points at the list (aria-autocomplete, aria-controls,
 * aria-activedescendant); the list is a listbox of options. Up/Down move, Enter or Tab take the
 * option, Escape closes; a tap or click takes one too. The server resolves what is sent.
 */
import { cfg, room, tr } from './env.js';

/** `@` and what follows it up to the caret, where a mention may start. */
const TYPED = /(?:^|[^\p{L}\p{M}\p{N}_.@-])@([\p{L}\p{M}\p{N}._-]{0,32})$/u;

/**
 * @typedef {{ id?: number, username: string, name: string }} Person
 */

/** @param {HTMLTextAreaElement} input */
export function initMentions(input) {
  const list = document.createElement('ul');
  list.id = 'mention-list';
  list.className = 'mention-list';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', tr('msg.mentionList'));
  list.hidden = true;
  input.after(list);
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);

  /** @type {Person[]} */
  let people = [];
  let active = -1;
  /** Where the typed `@` is, while the list is open. */
  let start = -1;
  /** @type {AbortController | undefined} */
  let pending;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    people = [];
    active = -1;
    start = -1;
    input.removeAttribute('aria-activedescendant');
  }

  /** @param {number} i */
  function setActive(i) {
    active = (i + people.length) % people.length;
    list.querySelectorAll('[role="option"]').forEach((el, n) => el.setAttribute('aria-selected', String(n === active)));
    const id = `mention-opt-${active}`;
    input.setAttribute('aria-activedescendant', id);
    document.getElementById(id)?.scrollIntoView({ block: 'nearest' });
  }

  /** @param {number} i */
  function choose(i) {
    const p = people[i];
    if (!p || start < 0) return;
    const caret = input.selectionStart ?? input.value.length;
    const text = `@${p.username} `;
    input.setRangeText(text, start, caret, 'end');
    close();
    input.focus();
  }

  /** @param {Person[]} found @param {number} at */
  function open(found, at) {
    people = found;
    start = at;
    if (!found.length) return close();
    list.replaceChildren(
      ...found.map((p, i) => {
        const li = document.createElement('li');
        li.id = `mention-opt-${i}`;
        li.setAttribute('role', 'option');
        const user = document.createElement('span');
        user.className = 'muted';
        user.textContent = `@${p.username}`;
        if (p.name) {
          const name = document.createElement('bdi');
          name.textContent = p.name;
          li.append(name, ' ');
        }
        li.append(user);
        // Keeps the focus in the textarea (a tap or click would take it, and blur closes the list).
        li.addEventListener('pointerdown', (ev) => ev.preventDefault());
        li.addEventListener('mousedown', (ev) => ev.preventDefault());
        li.addEventListener('click', () => choose(i));
        return li;
      }),
    );
    list.hidden = false;
    setActive(0);
  }

  async function update() {
    const caret = input.selectionStart ?? 0;
    const m = TYPED.exec(input.value.slice(0, caret));
    if (!m || input.selectionEnd !== caret) return close();
    const q = m[1] ?? '';
    const at = caret - q.length - 1;
    pending?.abort();
    pending = new AbortController();
    try {
      const res = await fetch(`/rooms/${room}/mentionable?q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' }, signal: pending.signal });
      if (!res.ok) return close();
      const { people: found } = /** @type {{ people: Person[] }} */ (await res.json());
      const here = cfg.canModerate && 'here'.startsWith(q.toLowerCase()) ? [{ username: 'here', name: '' }] : [];
      open([...found.filter((p) => p.id !== cfg.me.id), ...here], at);
    } catch {
      // Aborted by newer typing, or offline: no list.
    }
  }

  input.addEventListener('input', () => void update());
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (ev) => {
    if (list.hidden || !people.length) return;
    const keys = { ArrowDown: () => setActive(active + 1), ArrowUp: () => setActive(active - 1), Enter: () => choose(active), Tab: () => choose(active), Escape: close };
    const act = keys[/** @type {keyof typeof keys} */ (ev.key)];
    if (!act || ev.isComposing || ev.shiftKey) return;
    ev.preventDefault();
    // The composer's own Enter (send) must not run as well.
    ev.stopImmediatePropagation();
    act();
  });
}

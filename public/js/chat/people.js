// @ts-check
/**
 * The sidebar's member and online lists.
 * @import { UserRef } from '../../../src/shared/protocol.ts'
 */
import { $, cfg } from './env.js';
import { fillAvatar, fromTemplate } from './templates.js';

/** @param {'members' | 'online'} listId @param {UserRef} user @param {boolean} present */
export function setPerson(listId, user, present) {
  const ul = $(listId);
  const existing = ul.querySelector(`li[data-user="${user.id}"]`);
  if (!present) return existing?.remove();
  if (existing) return;
  const li = document.createElement('li');
  li.dataset.user = String(user.id);
  const av = document.createElement('span');
  av.setAttribute('aria-hidden', 'true');
  fillAvatar(av, user);
  const bdi = document.createElement('bdi');
  bdi.textContent = user.name;
  li.append(av, bdi);
  if (listId === 'members' && cfg.canModerate && user.id !== cfg.me.id) li.append(fromTemplate('tpl-member-menu', 'userId', user.id) ?? '');
  ul.append(li);
}

/** @param {'members' | 'online'} listId @param {UserRef[]} users */
export function setPeople(listId, users) {
  $(listId).replaceChildren();
  for (const u of users) setPerson(listId, u, true);
}

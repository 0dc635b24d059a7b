/** Every migration, in order. Listed statically so they work from source and from dist/ alike. */
import type { Migration } from 'kysely';
import * as initial from './2026-11-22T00-00_initial.js';
import * as moderation from './2026-11-22T01-00_moderation.js';
import * as pruneIndex from './2026-11-30T00-00_prune-index.js';
import * as confusableNames from './2026-12-02T00-00_confusable-names.js';
import * as userPreferences from './2026-12-02T20-00_user-preferences.js';
import * as messageEdits from './2026-12-03T01-00_message-edits.js';
import * as readMarkers from './2026-12-03T03-00_read-markers.js';
import * as mentions from './2026-12-03T04-00_mentions.js';
import * as accounts from './2026-12-03T05-00_accounts.js';
import * as twoFactor from './2026-12-03T06-00_two-factor.js';
import * as privateRooms from './2026-12-03T07-00_private-rooms.js';
import * as roomInvites from './2026-12-04T10-00_room-invites.js';
import * as passwordChange from './2026-12-05T09-00_password-change.js';

export const migrations: Record<string, Migration> = {
  '2026-11-22T00-00_initial': initial,
  '2026-11-22T01-00_moderation': moderation,
  '2026-11-30T00-00_prune-index': pruneIndex,
  '2026-12-02T00-00_confusable-names': confusableNames,
  '2026-12-02T20-00_user-preferences': userPreferences,
  '2026-12-03T01-00_message-edits': messageEdits,
  '2026-12-03T03-00_read-markers': readMarkers,
  '2026-12-03T04-00_mentions': mentions,
  '2026-12-03T05-00_accounts': accounts,
  '2026-12-03T06-00_two-factor': twoFactor,
  '2026-12-03T07-00_private-rooms': privateRooms,
  '2026-12-04T10-00_room-invites': roomInvites,
  '2026-12-05T09-00_password-change': passwordChange,
};

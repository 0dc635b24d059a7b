import { bigRoom } from './big-room.js';
import type { Scenario } from './common.js';
import { history } from './history.js';
import { idle } from './idle.js';
import { login } from './login.js';
import { pages } from './pages.js';
import { saturation } from './saturation.js';
import { scaleOut } from './scale-out.js';
import { slowConsumer } from './slow-consumer.js';
import { smallRooms } from './small-rooms.js';
import { unreadFanout } from './unread-fanout.js';

export type { Options } from './common.js';

export const scenarios: Record<string, Scenario> = {
  'big-room': bigRoom,
  saturation,
  'scale-out': scaleOut,
  'small-rooms': smallRooms,
  'slow-consumer': slowConsumer,
  idle,
  pages,
  login,
  history,
  'unread-fanout': unreadFanout,
};

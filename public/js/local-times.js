// @ts-check
/** Pages without the chat script: their `<time data-local>` in the reader's zone and language. */
import { localizeTimes } from './chat/time.js';

localizeTimes();

/**
 * `npm run screenshots`: starts its own hihi on a temp DATA_DIR with seeded people, rooms and
 * messages (test/support/showcase.ts), and photographs the main pages in both languages, both
 * themes, desktop (1280×800) and mobile (360×740) with the Debian Chromium. The full set goes to
 * test-output/screenshots/ (not committed); the curated few the README shows go to docs/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../src/paths.js';
import { launchBrowser } from '../test/support/browser.js';
import { ALL_PAGES, FORM_PAGES, LANGS, openPage, showContext, startShowcase, THEMES, VIEWPORTS } from '../test/support/showcase.js';

const MAIN = ['login', 'rooms', 'chat', 'chat-unread', 'chat-menu', 'chat-muted', 'removed', 'moderation', 'admin-users', 'admin-system'];
/** `npm run screenshots -- NAME…` takes only those pages (any of ALL_PAGES), whole pages, not just the viewport. */
const only = process.argv.slice(2);
/** Committed: what a visitor of the README should see. */
const CURATED = new Set([
  'chat-en-light-desktop',
  'chat-en-dark-desktop',
  'chat-zh-CN-light-mobile',
  'chat-en-dark-mobile',
  'rooms-zh-CN-dark-desktop',
  // Conversations: unread badges on the room list (taken before the admin opens the room), and
  // Mei's first visit: the new-messages divider, a reply, an edit and a formatted message.
  'rooms-en-light-desktop',
  'chat-unread-en-light-desktop',
  'login-en-light-mobile',
  'moderation-en-light-desktop',
  'admin-users-zh-CN-light-mobile',
]);

const all = path.join(ROOT, 'test-output', 'screenshots');
const curated = path.join(ROOT, 'docs', 'screenshots');
fs.mkdirSync(all, { recursive: true });
fs.mkdirSync(curated, { recursive: true });

const showcase = await startShowcase();
const browser = await launchBrowser();
try {
  for (const lang of LANGS) {
    for (const theme of THEMES) {
      for (const viewport of Object.keys(VIEWPORTS) as Array<keyof typeof VIEWPORTS>) {
        const contexts = new Map<string | null, Awaited<ReturnType<typeof showContext>>>();
        for (const p of [...ALL_PAGES, ...FORM_PAGES].filter((x) => (only.length ? only : MAIN).includes(x.name))) {
          const as = p.as === undefined ? 'admin' : p.as;
          if (!contexts.has(as)) contexts.set(as, await showContext(browser, showcase, { lang, theme, viewport, as }));
          const { page } = await openPage(contexts.get(as)!, showcase, p);
          const name = `${p.name}-${lang}-${theme}-${viewport}`;
          const file = path.join(all, `${name}.png`);
          await page.screenshot({ path: file, fullPage: only.length > 0 });
          if (CURATED.has(name) && !only.length) fs.copyFileSync(file, path.join(curated, `${name}.png`));
          await page.close();
        }
        for (const c of contexts.values()) await c.close();
      }
    }
  }
  console.log(`screenshots: ${fs.readdirSync(all).length} in ${path.relative(ROOT, all)}, ${CURATED.size} curated in ${path.relative(ROOT, curated)}`);
} finally {
  await browser.close();
  await showcase.close();
}

/// <reference lib="dom" />
/**
 * The accessibility and layout matrix for one language, theme and viewport (test/browser/a11y-*.test.ts:
 * one file per triple, so each stays within the runner's per-file time limit): every page at
 * desktop and mobile size with axe-core, zero violations of any impact; no horizontal overflow;
 * on the chat page the composer fully inside the viewport and the page itself not scrolling.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ADMIN } from './app.js';
import { backend } from './backends.js';
import { ALL_PAGES, openPage, showcaseSuite, showContext, VIEWPORTS, type LANGS, type THEMES } from './showcase.js';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe (all rules: WCAG 2.x A/AA and best practices) in the page; evaluate is not subject to the page's CSP. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export function a11yMatrix(lang: (typeof LANGS)[number], theme: (typeof THEMES)[number], viewport: keyof typeof VIEWPORTS) {
  describe(`every page, ${lang}, ${theme} theme, ${viewport}, in headless Chromium (${backend})`, () => {
    const suite = showcaseSuite();

    test(`${viewport}: zero axe violations, no horizontal overflow, the composer on screen`, async () => {
      const { s, browser } = suite;
      const problems: string[] = [];
      const contexts = new Map<string | null, Awaited<ReturnType<typeof showContext>>>();
      for (const p of ALL_PAGES) {
        const as = p.as === undefined ? ADMIN.username : p.as;
        if (!contexts.has(as)) contexts.set(as, await showContext(browser, s, { lang, theme, viewport, as }));
        const { page, status } = await openPage(contexts.get(as)!, s, p);
        const where = `${p.name} ${lang} ${theme} ${viewport}`;
        assert.equal(status, p.status ?? 200, where);
        assert.equal(await page.getAttribute('html', 'lang'), lang, where);
        for (const v of await axeViolations(page)) problems.push(`${where}: ${v}`);
        const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
        // A phone's layout viewport grows to fit what overflows, so innerWidth is checked too.
        const width = VIEWPORTS[viewport].width;
        if (scrollWidth > innerWidth || innerWidth > width) problems.push(`${where}: scrollWidth ${scrollWidth}, innerWidth ${innerWidth} > ${width}`);
        if (p.name.startsWith('chat')) {
          const box = await page.locator('#composer').boundingBox();
          const vp = VIEWPORTS[viewport];
          if (!box || box.x < 0 || box.y < 0 || box.x + box.width > vp.width || box.y + box.height > vp.height) {
            problems.push(`${where}: composer at ${JSON.stringify(box)} not inside ${vp.width}×${vp.height}`);
          }
          if (await page.evaluate(() => document.documentElement.scrollHeight > window.innerHeight)) problems.push(`${where}: the chat page itself scrolls`);
        }
        await page.close();
      }
      for (const c of contexts.values()) await c.close();
      assert.deepEqual(problems, []);
    });
  });
}

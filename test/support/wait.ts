/** Polls `cond` until it holds; fails after `ms` with what was awaited. */
export async function eventually(cond: () => boolean | Promise<boolean>, ms = 2000, what = 'a condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

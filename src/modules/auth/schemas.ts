import { z } from 'zod';

export const loginSchema = z.strictObject({
  username: z.string().max(200),
  password: z.string().max(1024),
  _csrf: z.string(),
  next: z.string().max(2000).optional(),
});

/** The sign-in page's query. Built once: zod compiles each schema on its first parse. */
export const loginQuerySchema = z.object({ next: loginSchema.shape.next });

/** Only same-site paths: never an open redirect. */
export const safeNextPath = (next: string | undefined): string =>
  next && /^\/(?![/\\])/.test(next) && !/[\r\n]/.test(next) ? next : '/rooms';

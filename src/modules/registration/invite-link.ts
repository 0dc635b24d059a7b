import type { FastifyRequest } from 'fastify';

/** An invite's link: on PUBLIC_URL, else on the host this page was asked for. */
export const inviteLink = (req: FastifyRequest, publicUrl: URL | undefined, token: string) =>
  `${publicUrl?.origin ?? `${req.protocol}://${req.host}`}/invite/${token}`;

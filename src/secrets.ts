import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../fastify.config.js';

/**
 * The configured value when set; otherwise a random one generated once and kept in
 * DATA_DIR/<file> (mode 0600), so it survives restarts of the embedded default.
 */
function configuredOrGenerated(configured: string | undefined, dataDir: string, name: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, name);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(48).toString('base64url');
  try {
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    // Another process wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim();
    throw err;
  }
}

/** SESSION_SECRET, or DATA_DIR/session-secret. */
export const resolveSessionSecret = (config: Config): string => configuredOrGenerated(config.session.secret, config.dataDir, 'session-secret');

/** ENCRYPTION_KEY (required in production), or DATA_DIR/encryption-key. */
export const resolveEncryptionKey = (config: Config): string => configuredOrGenerated(config.encryptionKey, config.dataDir, 'encryption-key');

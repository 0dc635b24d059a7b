import crypto from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (TOTP secrets). The key is SHA-256 of ENCRYPTION_KEY (any
 * high-entropy string of at least 32 characters). Each value gets a fresh 96-bit IV; the
 * associated data binds it to its row (`context`, e.g. the user id), so a value copied onto
 * another row does not decrypt. Stored as `v1.` + base64url(iv | tag | ciphertext).
 */
export function createSecretBox(keyMaterial: string) {
  const key = crypto.createHash('sha256').update(keyMaterial, 'utf8').digest();
  return {
    seal(plain: string, context: string): string {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(context));
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return `v1.${Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url')}`;
    },
    /** Throws when the value was not sealed with this key and context. */
    open(sealed: string, context: string): string {
      if (!sealed.startsWith('v1.')) throw new Error('unknown sealed format');
      const raw = Buffer.from(sealed.slice(3), 'base64url');
      const d = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAAD(Buffer.from(context));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

export type SecretBox = ReturnType<typeof createSecretBox>;

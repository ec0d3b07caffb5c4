import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// A secret the service must read back (a webhook signing secret) cannot be hashed like a token.
// It is sealed with AES-256-GCM: a database copy without the key reveals nothing, and a changed
// row fails authentication instead of decrypting to something else.
const VERSION = 'v1';

/** `v1.<iv>.<tag>.<ciphertext>`, base64url. `context` binds the sealed value to its row. */
export function sealSecret({ key, plaintext, context }: { key: Buffer; plaintext: string; context: string }): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** Throws when the key, the context or the sealed text is wrong. */
export function openSecret({ key, sealed, context }: { key: Buffer; sealed: string; context: string }): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

/** The HS256 key of the configured secret, imported once (jose verifies with a CryptoKey). */
import { webcrypto } from 'node:crypto';

export function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]) as Promise<CryptoKey>;
}

/** HMAC-signed tokens for values that travel through the chat client and come back to us (button contexts,
 * dialog state): the client can see them, so they carry only ids, bound to who may use them and until when. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseToken, type Token, type TokenKind, type TokenOf } from './tokens.js';

export class Signer {
  constructor(private readonly secret: string) {}

  sign(token: Token): string {
    const body = Buffer.from(JSON.stringify(token)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The token, parsed (see tokens.ts), or undefined when it was forged, altered, has expired (`exp`, epoch ms)
   * or, with `kind`, is of another kind. */
  verify(token: unknown, now: number): Token | undefined;
  verify<K extends TokenKind>(token: unknown, now: number, kind: K): TokenOf<K> | undefined;
  verify(token: unknown, now: number, kind?: TokenKind): Token | undefined {
    if (typeof token !== 'string') return undefined;
    const [body, mac] = token.split('.');
    if (!body || !mac || !safeEqual(mac, this.mac(body))) return undefined;
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.from(body, 'base64url').toString());
    } catch {
      return undefined;
    }
    if (typeof fields !== 'object' || fields === null) return undefined;
    const parsed = parseToken(fields as Record<string, unknown>);
    if (!parsed || parsed.exp < now || (kind && parsed.k !== kind)) return undefined;
    return parsed;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

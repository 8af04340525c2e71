/** HMAC-signed tokens for values that travel through the chat client and come back to us (button contexts,
 * dialog state): the client can see them, so they carry only ids, bound to who may use them and until when. */
import { createHmac, timingSafeEqual } from 'node:crypto';

export class Signer {
  constructor(private readonly secret: string) {}

  sign(fields: Record<string, string | number>): string {
    const body = Buffer.from(JSON.stringify(fields)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The signed fields, or undefined when the token was forged, altered or has expired (`exp`, epoch ms). */
  verify(token: unknown, now: number): Record<string, string | number> | undefined {
    if (typeof token !== 'string') return undefined;
    const [body, mac] = token.split('.');
    if (!body || !mac || !safeEqual(mac, this.mac(body))) return undefined;
    try {
      const fields = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, string | number>;
      if (typeof fields.exp === 'number' && fields.exp < now) return undefined;
      return fields;
    } catch {
      return undefined;
    }
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

/** What every server-rendered page sends and checks: security headers, and CSRF tokens as a signed double-submit
 * cookie (a random per-browser nonce in an HttpOnly SameSite cookie; the form carries an HMAC of that nonce and of
 * what the form acts on, here the link token's hash). A cross-site page can neither read the cookie nor compute
 * the HMAC, and a token lifted from one invitation's page is worthless on another's. */
import { createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { safeEqual } from '../security/signing.js';

export interface PageCsp {
  /** CSP source expressions for the inline style sheet ('sha256-…'). */
  styleHashes: string[];
  /** Origins images may come from (the organization's logo), besides our own. */
  imageOrigins?: string[];
  /** Origins a form may lead to (a registration redirects to the chat's login page), besides our own. */
  formTargets?: string[];
  /** Inline scripts allowed by their hash ('sha256-…'), which may also connect back to us (fetch, EventSource). */
  scriptHashes?: string[];
}

export function setPageSecurityHeaders(req: Request, res: Response, csp: PageCsp): void {
  const policy = [
    "default-src 'none'",
    `style-src ${csp.styleHashes.join(' ')}`,
    ...(csp.scriptHashes ? [`script-src ${csp.scriptHashes.join(' ')}`, "connect-src 'self'"] : []),
    `img-src 'self' ${(csp.imageOrigins ?? []).join(' ')}`.trim(),
    `form-action 'self' ${(csp.formTargets ?? []).join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  res.set({
    'Content-Security-Policy': policy,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // The page's own URL holds the link token: never send it anywhere as a Referer.
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  });
  if (req.secure) res.set('Strict-Transport-Security', 'max-age=31536000');
}

/** The origin of an http(s) URL, for a CSP source list; undefined for anything else. */
export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

const COOKIE = 'guestlist_csrf';
const NONCE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class CsrfGuard {
  constructor(private readonly secret: string) {}

  /** The token for a form acting on `subject`; sets the browser's nonce cookie when it has none. */
  issue(req: Request, res: Response, subject: string): string {
    let nonce = cookieValue(req, COOKIE);
    if (!nonce || !NONCE_SHAPE.test(nonce)) {
      nonce = randomBytes(32).toString('base64url');
      res.cookie(COOKIE, nonce, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: req.baseUrl || '/' });
    }
    return this.mac(nonce, subject);
  }

  verify(req: Request, subject: string, submitted: unknown): boolean {
    const nonce = cookieValue(req, COOKIE);
    if (!nonce || !NONCE_SHAPE.test(nonce) || typeof submitted !== 'string') return false;
    return safeEqual(submitted, this.mac(nonce, subject));
  }

  private mac(nonce: string, subject: string): string {
    // The prefix keeps these MACs apart from the Signer's, which shares the key.
    return createHmac('sha256', this.secret).update(`guestlist-csrf\0${nonce}\0${subject}`).digest('base64url');
  }
}

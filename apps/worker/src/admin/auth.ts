import type { RequestHandler, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { WrongTokenLimit } from './wrong-tokens';

/** `charset` tells browsers to send the Basic password as UTF-8, so any token can be typed. */
export const ADMIN_AUTH_CHALLENGE = 'Basic realm="tracksync", charset="UTF-8"';

/** Methods a browser may send cross-site without a preflight: only these change nothing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface Credentials {
  readonly scheme: 'bearer' | 'basic';
  readonly token: string;
}

/**
 * Lets a request through when it carries ADMIN_TOKEN, as `Authorization: Bearer <token>` or
 * as the password of HTTP Basic with any user name (so a browser can open Bull Board).
 * Neither the token nor the header is ever logged.
 */
export function requireAdminToken(
  token: string,
  log?: Logger,
  wrongTokens?: Pick<WrongTokenLimit, 'record'>,
): RequestHandler {
  const matches = tokenMatcher(token);
  return (req, res, next) => {
    const presented = readCredentials(req.get('authorization'));
    if (!presented || !matches(presented.token)) {
      // Only a token presented is a guess: a browser's first request carries none.
      if (presented) {
        const path = req.baseUrl + req.path;
        log?.warn({ method: req.method, path, ip: req.ip }, 'admin token rejected');
        wrongTokens?.record(req);
      }
      unauthorized(res);
      return;
    }
    // A browser replays Basic credentials on any request to this origin, also ones another
    // site makes it send (a form posting to /api/events/…/replay). Fetch metadata tells those
    // apart; clients without it (curl, scripts) send no such header and are not affected.
    const site = req.get('sec-fetch-site');
    const crossSite = site !== undefined && site !== 'same-origin' && site !== 'none';
    if (presented.scheme === 'basic' && crossSite && !SAFE_METHODS.has(req.method)) {
      res.status(403).json({ error: 'cross_site_request' });
      return;
    }
    next();
  };
}

/** Compares a presented token with ADMIN_TOKEN in constant time (the console's login too). */
export function tokenMatcher(token: string): (presented: string) => boolean {
  const expected = sha256(token);
  // Hashing first gives both sides the same length, so the comparison's time says nothing
  // about the token, not even how long it is.
  return (presented) => timingSafeEqual(sha256(presented), expected);
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function unauthorized(res: Response): void {
  res.status(401).set('WWW-Authenticate', ADMIN_AUTH_CHALLENGE).json({ error: 'unauthorized' });
}

/** The token a request presents, or null when it presents none in a form we accept. */
export function readCredentials(header: string | undefined): Credentials | null {
  // Plain string work rather than a regular expression: this runs before authentication, on
  // whatever a stranger sends, so it must stay linear in the header's length.
  const trimmed = (header ?? '').trim();
  const space = trimmed.indexOf(' ');
  if (space === -1) return null;
  const scheme = trimmed.slice(0, space).toLowerCase();
  const value = trimmed.slice(space + 1).trim();
  if (!value) return null;
  if (scheme === 'bearer') return { scheme: 'bearer', token: value };
  if (scheme !== 'basic') return null;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  // The user name may be anything; the password (the token) may itself contain colons.
  const colon = decoded.indexOf(':');
  return colon === -1 ? null : { scheme: 'basic', token: decoded.slice(colon + 1) };
}

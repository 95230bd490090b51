import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { html } from './html';
import { CONSOLE_PATH, href, renderPage } from './layout';
import { csrfMatches, SESSION_TTL_SECONDS, type Session, type SessionStore } from './session';

export const SESSION_COOKIE = 'tracksync_console';

/**
 * HttpOnly: no script reads it. SameSite=Strict: no other site's page or form makes the
 * browser send it. Path: only the console gets it, not the ops API or Bull Board.
 */
export function cookieOptions(secure: boolean): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: CONSOLE_PATH,
    maxAge: SESSION_TTL_SECONDS * 1000,
  };
}

/** The session id the request carries, if any (Express parses no cookies by itself). */
export function readSessionCookie(req: Request): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      return part.slice(eq + 1).trim();
    }
  }
  return null;
}

/**
 * Lets a request through only with a live session; sets `res.locals.session`. A page asked
 * for without one goes to the login form; an htmx refresh is told to go there; an action
 * gets 401 and changes nothing.
 */
export function requireSession(store: SessionStore): RequestHandler {
  return async (req, res, next) => {
    const id = readSessionCookie(req);
    const session = id ? await store.read(id) : null;
    if (session) {
      res.locals.session = session;
      next();
      return;
    }
    if (req.get('hx-request')) {
      res.status(401).set('hx-redirect', href('/login')).end();
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      res.redirect(303, href('/login'));
    } else {
      refuse(res, 401, 'Not signed in', 'Your session has ended or is not valid. Sign in again.');
    }
  };
}

/**
 * Every POST must come from a console page: the browser's fetch metadata must not say
 * another site sent it, and (once signed in) the form must carry the session's CSRF token.
 * SameSite=Strict already keeps the cookie off cross-site requests; this is the second lock.
 */
export function requireSameOrigin(log: Logger): RequestHandler {
  return (req, res, next) => {
    const site = req.get('sec-fetch-site');
    if (req.method === 'POST' && site !== undefined && site !== 'same-origin' && site !== 'none') {
      log.warn({ path: req.originalUrl, site }, 'console: cross-site form refused');
      refuse(res, 403, 'Refused', 'This form was not sent from the console.');
      return;
    }
    next();
  };
}

export function requireCsrf(log: Logger): RequestHandler {
  return (req, res, next) => {
    const session = (res.locals as { session?: Session }).session;
    const token = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (req.method !== 'POST' || (session && csrfMatches(session, token))) {
      next();
      return;
    }
    log.warn({ path: req.originalUrl }, 'console: form without a valid CSRF token refused');
    refuse(res, 403, 'Refused', 'This form has expired or did not come from the console.');
  };
}

/** A small page of its own for refusals: no session data, so nothing to leak. */
export function refuse(res: Response, status: number, title: string, text: string): void {
  const body = html`<p>${text}</p>
    <p><a href="${href('/login')}">Sign in</a> · <a href="${href('/')}">Console</a></p>`;
  res
    .status(status)
    .type('html')
    .send(renderPage({ title, page: 'login', body }));
}

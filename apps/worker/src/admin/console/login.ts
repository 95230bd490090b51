import { Router, type Response } from 'express';
import { tokenMatcher } from '../auth';
import type { ConsoleDeps } from './context';
import { cookieOptions, readSessionCookie, SESSION_COOKIE } from './guard';
import { html } from './html';
import { href, renderPage, type PageShell } from './layout';
import type { SessionStore } from './session';

/**
 * Sign in with ADMIN_TOKEN (the same secret as the ops API and Bull Board), sign out. The
 * token is compared in constant time and never logged; a new session id is made at each
 * sign-in, so an id planted before it is worth nothing.
 */
export function loginRoutes(deps: ConsoleDeps, store: SessionStore): Router {
  const router = Router();
  const matches = tokenMatcher(deps.config.ADMIN_TOKEN);
  const cookie = cookieOptions(deps.config.CONSOLE_COOKIE_SECURE);

  router.get('/login', (req, res) => {
    const signedOut = (req.query as Record<string, unknown>).done === 'signed_out';
    sendLogin(res, 200, signedOut ? { kind: 'ok', text: 'Signed out.' } : undefined);
  });

  const refuseGuesser = deps.wrongTokens.guard((_req, res, retryAfterS) => {
    sendLogin(res, 429, {
      kind: 'error',
      text: `Too many wrong tokens from this address: try again in ${retryAfterS} s.`,
    });
  });

  router.post('/login', refuseGuesser, async (req, res) => {
    const token = (req.body as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || !matches(token)) {
      deps.log.warn({ ip: req.ip }, 'console: sign-in with a wrong token');
      deps.wrongTokens.record(req);
      sendLogin(res, 401, { kind: 'error', text: 'That token is not the admin token.' });
      return;
    }
    const { id } = await store.create();
    deps.log.info({ ip: req.ip }, 'console: signed in');
    res.cookie(SESSION_COOKIE, id, cookie).redirect(303, href('/'));
  });
  return router;
}

/** Behind the session and CSRF guards, like every other action. */
export function logoutRoutes(deps: ConsoleDeps, store: SessionStore): Router {
  const router = Router();
  const cookie = cookieOptions(deps.config.CONSOLE_COOKIE_SECURE);
  router.post('/logout', async (req, res) => {
    const id = readSessionCookie(req);
    if (id) await store.destroy(id);
    // clearCookie wants the cookie's own attributes, but no maxAge (which would keep it).
    res
      .clearCookie(SESSION_COOKIE, { ...cookie, maxAge: undefined })
      .redirect(303, `${href('/login')}?done=signed_out`);
  });
  return router;
}

function sendLogin(res: Response, status: number, notice: PageShell['notice']): void {
  const body = html`<form class="login" method="post" action="${href('/login')}">
    <p>Sign in with the worker's admin token (<code>ADMIN_TOKEN</code>).</p>
    <p>
      <label for="token">Admin token</label>
      <input
        id="token"
        name="token"
        type="password"
        autocomplete="current-password"
        required
        autofocus
      />
    </p>
    <p><button type="submit">Sign in</button></p>
  </form>`;
  res
    .status(status)
    .type('html')
    .send(renderPage({ title: 'Sign in', page: 'login', notice, body }));
}

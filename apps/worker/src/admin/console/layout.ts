import { html, type SafeHtml } from './html';

export const CONSOLE_PATH = '/console';

const NAV = [
  ['overview', 'Overview', '/'],
  ['shipments', 'Shipments', '/shipments'],
  ['unmatched', 'Unmatched', '/unmatched'],
  ['failed', 'Failed deliveries', '/failed'],
  ['parked', 'Parked payloads', '/parked'],
  ['destinations', 'Destinations', '/destinations'],
  ['reconcile', 'Reconcile', '/reconcile'],
] as const;

type PageName = (typeof NAV)[number][0];

export interface PageShell {
  readonly title: string;
  readonly page: PageName | 'login';
  readonly csrf?: string;
  /** A short outcome of the last action, announced to screen readers. */
  readonly notice?: { readonly kind: 'ok' | 'error'; readonly text: string } | undefined;
  readonly body: SafeHtml;
}

/** A console URL from a path inside the console (`/failed` → `/console/failed`). */
export function href(path: string): string {
  return `${CONSOLE_PATH}${path === '/' ? '/' : path}`;
}

/** The whole document: scripts and styles come from this origin only (no CDN, offline-safe). */
export function renderPage(shell: PageShell): string {
  const nav = shell.csrf
    ? html`<nav aria-label="Console">
        <ul>
          ${NAV.map(
            ([name, label, path]) =>
              html`<li>
                <a href="${href(path)}" ${name === shell.page ? html`aria-current="page"` : ''}
                  >${label}</a
                >
              </li>`,
          )}
          <li><a href="/admin/queues">Bull Board</a></li>
        </ul>
        <form method="post" action="${href('/logout')}" class="logout">
          ${csrfField(shell.csrf)}<button type="submit">Sign out</button>
        </form>
      </nav>`
    : '';
  const notice = shell.notice
    ? html`<p class="notice ${shell.notice.kind}" role="status">${shell.notice.text}</p>`
    : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false}' />
        <title>${shell.title} · tracksync console</title>
        <link rel="stylesheet" href="${href('/assets/console.css')}" />
        <script src="${href('/assets/htmx.min.js')}" defer></script>
        <script src="${href('/assets/console.js')}" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
          <p class="brand">tracksync <span>ops console</span></p>
          ${nav}
        </header>
        <main id="main" tabindex="-1">
          <h1>${shell.title}</h1>
          ${notice} ${shell.body}
        </main>
      </body>
    </html>`.value;
}

export function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrf}" />`;
}

/**
 * An instant in UTC; console.js rewrites the text into the operator's own zone and keeps the
 * UTC instant in the tooltip. Without script the UTC text stays, which is still right.
 */
export function time(date: Date | string | null | undefined): SafeHtml {
  if (date === null || date === undefined) return html`<span class="muted">—</span>`;
  const instant = typeof date === 'string' ? new Date(date) : date;
  if (Number.isNaN(instant.getTime())) return html`${String(date)}`;
  const iso = instant.toISOString();
  return html`<time datetime="${iso}" title="${iso} (UTC)">${iso.replace('T', ' ')} UTC</time>`;
}

export function ago(ms: number): string {
  if (ms < 1000) return 'none waiting';
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
}

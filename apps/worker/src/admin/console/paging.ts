import { z } from 'zod';
import { html, type SafeHtml } from './html';

/** Long lists show this many rows a page. */
export const PAGE_SIZE = 50;

const pageSchema = z.coerce.number().int().min(1).max(100_000).catch(1);

export interface Page {
  readonly number: number;
  /** What the query asks for: one row more than shown, to know whether a next page exists. */
  readonly limit: number;
  readonly offset: number;
}

export function pageOf(query: unknown, size = PAGE_SIZE): Page {
  const raw = (query as Record<string, unknown> | null)?.page;
  const number = pageSchema.parse(raw ?? 1);
  return { number, limit: size + 1, offset: (number - 1) * size };
}

/** The rows to show, and whether there were more than a page. */
export function splitPage<T>(rows: readonly T[], size = PAGE_SIZE): { rows: T[]; more: boolean } {
  return { rows: rows.slice(0, size), more: rows.length > size };
}

/** Previous/next links; `base` already carries any other query (e.g. `?q=…&`). */
export function pager(page: Page, more: boolean, base: string): SafeHtml {
  if (page.number === 1 && !more) return html``;
  const link = (n: number, label: string, rel: string) =>
    html`<a href="${base}page=${n}" rel="${rel}">${label}</a>`;
  return html`<nav class="pager" aria-label="Pages">
    ${page.number > 1 ? link(page.number - 1, '← Previous page', 'prev') : ''}
    <span>Page ${page.number}</span>
    ${more ? link(page.number + 1, 'Next page →', 'next') : ''}
  </nav>`;
}

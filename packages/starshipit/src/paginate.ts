/** What paginate needs from a list page: the list endpoints all share this shape. */
export interface ListPage {
  readonly orders: readonly unknown[];
  readonly total_pages: number | null;
}

/**
 * Walks a list endpoint from page 1, yielding each page. Stops after page `total_pages`, or
 * at the first empty page (rows can shift between offset pages mid-walk, so a page may come
 * back empty early), or when `total_pages` is missing: guessing that more pages exist could
 * loop forever on a server that ignores `page`.
 */
export async function* paginate<Page extends ListPage>(
  fetchPage: (page: number) => Promise<Page>,
): AsyncGenerator<Page, void, undefined> {
  for (let page = 1; ; page += 1) {
    const result = await fetchPage(page);
    if (result.orders.length === 0) return;
    yield result;
    if (result.total_pages === null || page >= result.total_pages) return;
  }
}

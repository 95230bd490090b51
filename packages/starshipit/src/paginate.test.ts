import { describe, expect, it, vi } from 'vitest';
import { paginate, type ListPage } from './paginate';

async function walk(pages: readonly ListPage[]) {
  const fetchPage = vi.fn((page: number) => Promise.resolve(pages[page - 1] ?? pages.at(-1)!));
  const seen: ListPage[] = [];
  for await (const page of paginate(fetchPage)) seen.push(page);
  return { seen, asked: fetchPage.mock.calls.map(([page]) => page) };
}

describe('paginate', () => {
  it('walks pages while page < total_pages', async () => {
    const pages = [1, 2, 3].map((n) => ({ orders: [n], total_pages: 3 }));
    const { seen, asked } = await walk(pages);
    expect(asked).toEqual([1, 2, 3]);
    expect(seen).toEqual(pages);
  });

  it('stops at an empty page even when total_pages promises more', async () => {
    const { seen, asked } = await walk([
      { orders: [1], total_pages: 5 },
      { orders: [], total_pages: 5 },
    ]);
    expect(asked).toEqual([1, 2]);
    expect(seen).toHaveLength(1);
  });

  it('asks once and yields nothing when the first page is empty', async () => {
    expect(await walk([{ orders: [], total_pages: 0 }])).toEqual({ seen: [], asked: [1] });
  });

  it('stops after one page when total_pages is missing', async () => {
    const { asked } = await walk([{ orders: [1], total_pages: null }]);
    expect(asked).toEqual([1]);
  });

  it('passes a failing page on to the caller', async () => {
    const failure = new Error('page 2 failed');
    const fetchPage = (page: number) =>
      page === 1 ? Promise.resolve({ orders: [1], total_pages: 2 }) : Promise.reject(failure);
    const pages = paginate(fetchPage);
    await expect(pages.next()).resolves.toMatchObject({ done: false });
    await expect(pages.next()).rejects.toBe(failure);
  });
});

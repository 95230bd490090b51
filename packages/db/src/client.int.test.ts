import { createTestDatabase, type TestDatabase } from '@tracksync/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

describe('createDb', () => {
  // Unheard, the client's 'error' event would be an uncaught exception that fails the run.
  it('survives a connection killed while a caller holds it between statements', async () => {
    const client = await database.pool.connect();
    await client.query('begin');
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const other = await database.pool.connect();
    await other.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
    other.release();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(client.query('select 1')).rejects.toThrow();
    client.release(true);
    const { rows: after } = await database.pool.query<{ one: number }>('select 1 as one');
    expect(after).toEqual([{ one: 1 }]);
  });
});

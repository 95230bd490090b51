import type { NextFunction, Request, Response } from 'express';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createErrorHandler } from './errors';

/** Just enough of Express's response to see what the handler answers. */
function fakeResponse() {
  const sent: { status?: number; body?: unknown } = {};
  const res = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  return { res: res as unknown as Response, sent };
}

const req = { method: 'GET', path: '/somewhere' } as unknown as Request;
const next: NextFunction = () => undefined;

describe('createErrorHandler', () => {
  it('answers an unexpected error with 500 JSON and no stack trace, and logs it', () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const { res, sent } = fakeResponse();
    createErrorHandler(log)(new Error('database password is hunter2'), req, res, next);
    expect(sent).toEqual({ status: 500, body: { error: 'internal_error' } });
    expect(JSON.stringify(sent.body)).not.toContain('hunter2');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'request failed', path: '/somewhere' });
  });

  it('passes client errors through with their status', () => {
    const { res, sent } = fakeResponse();
    const clientError = Object.assign(new Error('bad URI'), { status: 400 });
    createErrorHandler(pino({ level: 'silent' }))(clientError, req, res, next);
    expect(sent).toEqual({ status: 400, body: { error: 'bad_request' } });
  });

  it('hands over to Express when the answer has already started', () => {
    const { res } = fakeResponse();
    Object.assign(res, { headersSent: true });
    let forwarded: unknown;
    createErrorHandler(pino({ level: 'silent' }))(new Error('late'), req, res, (err?: unknown) => {
      forwarded = err;
    });
    expect(forwarded).toBeInstanceOf(Error);
  });
});

import type { PayloadIssue } from '@tracksync/domain';
import { isUtf8 } from 'node:buffer';

export type JsonObject = Record<string, unknown>;

export type JsonReading =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issues: readonly PayloadIssue[] };

/**
 * Parses the raw body as JSON; a UTF-8 byte-order mark, which .NET senders may add, is allowed.
 * Bytes that are not UTF-8 are refused rather than decoded: decoding would swap them for U+FFFD
 * and store an order number the sender never sent.
 */
export function readJson(body: Buffer): JsonReading {
  if (!isUtf8(body)) return { ok: false, issues: [{ path: '(root)', message: 'not UTF-8' }] };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8').replace(/^\uFEFF/, '')) as unknown };
  } catch (err) {
    const message = err instanceof Error ? err.message : 'not JSON';
    return { ok: false, issues: [{ path: '(root)', message }] };
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

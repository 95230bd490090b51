import { isUtf8 } from 'node:buffer';

/** A raw body made fit for a log line. */
export interface SafeBody {
  readonly text: string;
  /** The size of the whole body, which `text` may show only the start of. */
  readonly bytes: number;
  readonly truncated: boolean;
}

/** Enough to recognise a Starshipit payload (about 270 bytes) whole, without flooding logs. */
export const SAFE_BODY_LIMIT = 512;

const REDACTED = '[redacted]';

/**
 * Control, format and line-separator characters: they could forge log lines, hide text behind
 * bidi overrides or ring terminals when a human reads the log.
 */
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Makes a rejected body safe to log: secrets replaced, cut to `limit` bytes, control characters
 * escaped, bytes that are not UTF-8 shown as `\xNN`. Backslashes are left alone on purpose:
 * the text is for reading; the exact bytes are kept elsewhere (parked) when they matter.
 */
export function safeBody(
  raw: Buffer,
  secrets: readonly string[] = [],
  limit = SAFE_BODY_LIMIT,
): SafeBody {
  // Redact before cutting: a secret that straddles the cut is then never half-shown.
  const redacted = redactSecrets(decode(raw), secrets);
  const text = cutToBytes(redacted, limit);
  return { text: escapeUnsafe(text), bytes: raw.length, truncated: text.length < redacted.length };
}

function decode(raw: Buffer): string {
  if (isUtf8(raw)) return raw.toString('utf8');
  return raw
    .toString('latin1')
    .replace(/[\x80-\xff]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function redactSecrets(text: string, secrets: readonly string[]): string {
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...secrets].filter(Boolean).sort((a, b) => b.length - a.length);
  return ordered.reduce((result, secret) => result.split(secret).join(REDACTED), text);
}

/** The longest prefix of whole characters that fits in `limit` UTF-8 bytes. */
function cutToBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > limit) break;
    end += char.length;
  }
  return text.slice(0, end);
}

function escapeUnsafe(text: string): string {
  return text.replace(
    UNSAFE_CHARACTERS,
    (char) =>
      NAMED_ESCAPES[char] ?? `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

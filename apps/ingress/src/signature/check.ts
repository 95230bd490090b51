import { decodeSignature } from './decode';
import { CANDIDATE_SCHEMES, DEFAULT_SCHEME } from './schemes';
import { SIGNATURE_HEADER, findSignatureMatches, type SignatureMatch } from './verify';

const REQUEST_OR_STATUS_LINE = /^(?:[A-Z]+ \S+ HTTP\/\d(?:\.\d)?|HTTP\/\d(?:\.\d)? \d{3}.*)$/;

/**
 * Reads captured header lines (`Name: value`) into lower-cased names. Tolerates what capture
 * tools add: a request line first, CRLF endings, folded continuation lines, and a blank line
 * followed by the body (everything after the first blank line is ignored).
 */
export function parseCapturedHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  let last: string | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (index === 0 && REQUEST_OR_STATUS_LINE.test(line.trim())) continue;
    if (line.trim() === '') {
      if (headers.size > 0) break;
      continue;
    }
    if (/^[ \t]/.test(line) && last !== undefined) {
      headers.set(last, `${headers.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    // Repeated headers combine as HTTP does, so nothing captured is silently dropped.
    headers.set(last, headers.has(last) ? `${headers.get(last) ?? ''}, ${value}` : value);
  }
  return headers;
}

export interface BodyVariant {
  readonly label: string;
  readonly bytes: Buffer;
}

/**
 * The body as captured, plus the body without a trailing newline when it has one: editors and
 * `echo` add one, and a single extra byte is the usual reason a correct secret does not match.
 */
export function bodyVariants(body: Buffer): BodyVariant[] {
  const variants = [{ label: 'the body as captured', bytes: body }];
  const trimmed = body.toString('latin1').replace(/\r?\n$/, '');
  if (trimmed.length !== body.length) {
    variants.push({
      label: 'the body without its trailing newline',
      bytes: body.subarray(0, trimmed.length),
    });
  }
  return variants;
}

export interface CheckReport {
  readonly signatureLength: number;
  readonly readings: readonly string[];
  readonly bodyBytes: number;
  readonly schemesTried: number;
  readonly secretsTried: number;
  readonly matches: readonly (SignatureMatch & { readonly body: string })[];
}

export function checkCapturedRequest(input: {
  readonly signature: string;
  readonly body: Buffer;
  readonly secrets: readonly string[];
}): CheckReport {
  const matches = bodyVariants(input.body).flatMap((variant) =>
    findSignatureMatches(variant.bytes, input.signature, input.secrets).map((match) => ({
      ...match,
      body: variant.label,
    })),
  );
  return {
    signatureLength: input.signature.trim().length,
    readings: decodeSignature(input.signature).map(
      ({ encoding, bytes }) => `${encoding} (${bytes.length} bytes)`,
    ),
    bodyBytes: input.body.length,
    schemesTried: CANDIDATE_SCHEMES.length,
    secretsTried: input.secrets.length,
    matches,
  };
}

/** Human-readable report. It names secrets by position only, never by value. */
export function formatCheckReport(report: CheckReport): string {
  const lines = [
    `${SIGNATURE_HEADER}: ${report.signatureLength} characters, readable as ${
      report.readings.join(', ') || 'nothing (neither hex nor base64)'
    }`,
    `body: ${report.bodyBytes} bytes`,
    `tried ${report.schemesTried} schemes with ${report.secretsTried} secret(s)`,
    '',
  ];
  if (report.matches.length === 0) {
    lines.push(
      'no candidate scheme matches.',
      'Check that the body file holds the exact bytes received (no re-formatting, no changed',
      'line endings) and that the secret is the one set in Starshipit for this endpoint.',
    );
    return `${lines.join('\n')}\n`;
  }
  for (const match of report.matches) {
    lines.push(
      `MATCH ${match.scheme.id}: ${match.scheme.description}`,
      `      signature ${match.encoding}, ${
        match.prefix ? `prefix "${match.prefix}"` : 'no prefix'
      }, secret ${match.secretIndex + 1} of ${report.secretsTried}, over ${match.body}`,
    );
  }
  lines.push('', conclusion(report.matches));
  return `${lines.join('\n')}\n`;
}

function conclusion(matches: CheckReport['matches']): string {
  const asCaptured = matches.filter((match) => match.body === 'the body as captured');
  if (asCaptured.some((match) => match.scheme === DEFAULT_SCHEME)) {
    return "This is tracksync's default scheme: webhooks signed this way are accepted as they are.";
  }
  if (asCaptured.length === 0) {
    return 'Only the body without its trailing newline matches: the capture added a newline.';
  }
  return "The scheme above is not tracksync's default: webhooks signed this way get 401 until the verifier uses it.";
}

/**
 * A tagged template that escapes every interpolated value unless it is already `SafeHtml`
 * (the output of another `html` template). Data can only reach a page through it, so markup
 * in a payload, an order number or an error always arrives as text.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char);
}

function render(part: Part): string {
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  // Absent values and `false` render as nothing, so `${cond && html`…`}` reads naturally.
  if (part === null || part === undefined || part === false) return '';
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: readonly Part[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/**
 * Bidirectional and invisible control characters (LRM, RLM, the embeddings, overrides and
 * isolates, zero-width ones) and C0/C1 controls other than tab and newline. Shown as their
 * code point so a payload cannot reorder or hide what the operator reads.
 */
const HIDDEN =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Text from outside (payloads, errors, ids): escaped, with hidden characters made visible. */
export function visible(text: string | null | undefined): SafeHtml {
  if (text === null || text === undefined) return new SafeHtml('');
  const escaped = escapeHtml(text).replace(HIDDEN, (char) => {
    const code = `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    return `<span class="hidden-char" title="invisible character ${code}">[${code}]</span>`;
  });
  return new SafeHtml(escaped);
}

/** The first `max` characters of `text` with a note of what was left out, never the whole. */
export function bounded(text: string, max: number): SafeHtml {
  if (text.length <= max) return visible(text);
  const note = `… ${(text.length - max).toLocaleString('en')} more characters not shown`;
  return html`${visible(text.slice(0, max))}<span class="muted">${note}</span>`;
}

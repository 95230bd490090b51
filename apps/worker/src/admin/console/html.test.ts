import { describe, expect, it } from 'vitest';
import { bounded, html, visible } from './html';

describe('html', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const hostile = `<script>alert("x")</script>' onmouseover='y' \`z\` &amp;`;
    expect(html`<p title="${hostile}">${hostile}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;y&#39; &#96;z&#96; &amp;amp;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;y&#39; &#96;z&#96; &amp;amp;</p>',
    );
  });

  it('keeps nested templates as markup and renders absent values as nothing', () => {
    const items = ['a<b', 'c'];
    expect(
      html`<ul>
        ${items.map((item) => html`<li>${item}</li>`)}
      </ul>`.value.replace(/>\s+</g, '><'),
    ).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
  });

  it('shows right-to-left overrides, marks and other invisible characters by code point', () => {
    const shown = visible('\u202Egnp.exe\u200F\u0000ok\tand\nlines').value;
    expect(shown).toContain('[U+202E]');
    expect(shown).toContain('[U+200F]');
    expect(shown).toContain('[U+0000]');
    for (const hidden of ['\u202E', '\u200F', '\u0000']) expect(shown).not.toContain(hidden);
    expect(shown).toContain('ok\tand\nlines');
  });

  it('cuts long text and says how much was left out', () => {
    const shown = bounded('x'.repeat(10_050), 10_000).value;
    expect(shown.match(/x/g)).toHaveLength(10_000);
    expect(shown).toContain('50 more characters not shown');
    expect(bounded('<short>', 10).value).toBe('&lt;short&gt;');
  });
});

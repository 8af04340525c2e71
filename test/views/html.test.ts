import { describe, expect, it } from 'vitest';
import { escapeHtml, html, httpUrl } from '../../views/html.js';

describe('html templates', () => {
  it('escape every interpolated value, in content and in quoted attributes', () => {
    const evil = `"><script>alert('x')</script>&`;
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">' +
        '&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
    expect(escapeHtml('a&b')).toBe('a&amp;b');
  });

  it('keep nested templates as markup, escape array items, and drop empty values', () => {
    const items = ['<a>', 'b'];
    expect(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>${undefined}${null}${false}${0}`.value).toBe(
      '<ul><li>&lt;a&gt;</li><li>b</li></ul>0',
    );
    expect(html`${['<x>']}`.value).toBe('&lt;x&gt;');
  });

  it('let only http(s) URLs through for links and images', () => {
    expect(httpUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(httpUrl('javascript:alert(1)')).toBeUndefined();
    expect(httpUrl('data:text/html,<script>')).toBeUndefined();
    expect(httpUrl('not a url')).toBeUndefined();
    expect(httpUrl(undefined)).toBeUndefined();
  });
});

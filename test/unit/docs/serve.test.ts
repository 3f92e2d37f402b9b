import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveInside } from '../../../src/docs/serve.js';

const ROOT = path.resolve('/srv/site');

describe('resolveInside (docs serve)', () => {
  it.each([
    ['/', 'index.html'],
    ['/index.html', 'index.html'],
    ['/index.html?x=1#y', 'index.html'],
    ['/img/a%20b.png', 'img/a b.png'],
    ['//index.html', 'index.html'],
  ])('serves %s as %s', (url, rel) => {
    expect(resolveInside(ROOT, url)).toBe(path.join(ROOT, rel));
  });

  it.each(['/../etc/passwd', '/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd', '/%2E%2E%2F', '/a/../../b', '/..%5c..%5cwin.ini', '/a%00.html', '/%E0%A4%A', '/..'])('refuses %s', (url) => {
    expect(resolveInside(ROOT, url)).toBeUndefined();
  });
});

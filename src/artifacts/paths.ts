import path from 'node:path';

/** Paths inside the project shown relative to it, so artifacts match across machines. */
export function relativize(text: string, root: string): string {
  return text.split(`${root}${path.sep}`).join('');
}

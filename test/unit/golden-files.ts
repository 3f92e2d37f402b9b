import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/**
 * A golden-file checker for one folder: compares text with `<dir>/<name>.sql`, or rewrites the
 * file when UPDATE_GOLDEN=1 (review the diff in the commit).
 */
export function goldenFolder(dir: string): (name: string, text: string) => void {
  const update = process.env.UPDATE_GOLDEN === '1';
  return (name, text) => {
    const file = path.join(dir, `${name}.sql`);
    if (update) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, text);
      return;
    }
    if (!fs.existsSync(file)) throw new Error(`missing golden file ${path.relative(process.cwd(), file)}: run with UPDATE_GOLDEN=1 and review it`);
    expect(text, `${name}.sql differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`).toBe(fs.readFileSync(file, 'utf8'));
  };
}

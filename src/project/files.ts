import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readdirSync, readlinkSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { EtlxError, type Diagnostic } from '../errors/diagnostic.js';

/** A text file of the project, read once. `path` is project-relative with forward slashes. */
export interface TextFile {
  readonly path: string;
  readonly absPath: string;
  readonly text: string;
  readonly checksum: string;
}

/** A file whose contents etlx does not read itself (seeds: DuckDB reads them). */
export interface DataFile {
  readonly path: string;
  readonly absPath: string;
  readonly checksum: string;
}

export function sha1(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/**
 * Every file under `dir` (recursively) whose name ends with one of `exts`, sorted by path.
 *
 * Only regular files are returned (a symbolic link counts as what it points to). A matching name
 * that is anything else is refused before anything is opened: a FIFO named `x.sql` would block
 * the read forever, and a dangling link would surface as a bare ENOENT. Symbolic links to
 * folders are not followed. Costs nothing extra for plain files: the directory listing already
 * says what each entry is.
 */
export function walk(root: string, dir: string, exts: readonly string[]): string[] {
  const abs = path.resolve(root, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  const problems: Diagnostic[] = [];
  const visit = (d: string) => {
    const entries = readdirSync(d, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      // `d` is already normalized and a name holds no separator: path.join's normalization
      // is most of a 10,000-file walk.
      const full = d.endsWith(path.sep) ? `${d}${e.name}` : `${d}${path.sep}${e.name}`;
      if (e.isDirectory()) visit(full);
      else if (!exts.some((x) => e.name.endsWith(x))) continue;
      else if (e.isFile()) out.push(full);
      else {
        const problem = notRegular(root, full, e);
        if (problem) problems.push(problem);
        else out.push(full);
      }
    }
  };
  if (statSync(abs).isDirectory()) visit(abs);
  if (problems.length > 0) throw new EtlxError(problems);
  return out.sort();
}

/** Why a matching entry that is not a plain file can't be read; undefined for a link to a file. */
function notRegular(root: string, full: string, e: Dirent): Diagnostic | undefined {
  const file = toPosix(path.relative(root, full));
  const hint = `etlx reads only regular files here; remove ${file} or rename it so it no longer ends in ${path.extname(full)}`;
  if (e.isSymbolicLink()) {
    let target: Stats;
    try {
      target = statSync(full);
    } catch (err) {
      let to = '';
      try {
        to = readlinkSync(full);
      } catch {
        // Gone between the listing and now: the message without the link's text is still right.
      }
      const why = (err as NodeJS.ErrnoException).code === 'ELOOP' ? 'a loop of symbolic links' : `a symbolic link to a missing file${to ? ` (${to})` : ''}`;
      return { code: 'E_PROJECT_FILE', message: `not a regular file: ${why}`, file, hint: `restore the file it points to, or ${hint.slice(hint.indexOf('remove'))}` };
    }
    if (target.isFile()) return undefined;
    if (target.isDirectory()) return { code: 'E_PROJECT_FILE', message: 'not a regular file: a symbolic link to a folder', file, hint };
    return { code: 'E_PROJECT_FILE', message: `not a regular file: a symbolic link to ${kindOf(target)}`, file, hint };
  }
  return { code: 'E_PROJECT_FILE', message: `not a regular file: ${kindOf(e)}`, file, hint };
}

function kindOf(e: Dirent | Stats): string {
  if (e.isFIFO()) return 'a named pipe (FIFO)';
  if (e.isSocket()) return 'a socket';
  if (e.isCharacterDevice() || e.isBlockDevice()) return 'a device';
  return 'an unknown kind of file';
}

/** Reads a project file; an error names the file instead of surfacing as an internal error. */
function readOrFail<T>(root: string, absPath: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    const file = toPosix(path.relative(root, absPath));
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new EtlxError({ code: 'E_PROJECT_FILE', message: `cannot read ${file}: ${code}`, file, hint: `check that ${file} exists and is readable` });
  }
}

/**
 * A configuration file's text (etlx.yml, profiles.yml), read only when it is a regular file:
 * opening a FIFO would block forever, a device or a folder is no configuration.
 */
export function readConfigText(root: string, absPath: string): string {
  const st = readOrFail(root, absPath, () => statSync(absPath));
  if (!st.isFile()) {
    const file = toPosix(path.relative(root, absPath)) || absPath;
    const what = st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a folder' : st.isSocket() ? 'a socket' : 'not a regular file';
    throw new EtlxError({ code: 'E_PROJECT_FILE', message: `${file} is ${what}, not a file etlx can read`, file, hint: `replace ${file} with a regular file` });
  }
  return readOrFail(root, absPath, () => readFileSync(absPath, 'utf8'));
}

/**
 * A project file's text. With `stamps`, the file's stamp (see `fileStamp`) is recorded too, from
 * the open file before it is read: an edit after the read then changes the stamp recorded.
 */
export function readText(root: string, absPath: string, stamps?: Map<string, string>): TextFile {
  const text = stamps ? readOrFail(root, absPath, () => readStamped(absPath, stamps)) : readOrFail(root, absPath, () => readFileSync(absPath, 'utf8'));
  return { path: toPosix(path.relative(root, absPath)), absPath, text, checksum: sha1(text) };
}

function readStamped(absPath: string, stamps: Map<string, string>): string {
  const fd = openSync(absPath, 'r');
  try {
    stamps.set(absPath, fileStamp(fstatSync(fd)));
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** How long after a change a file's timestamps are trusted to show the next change (coarse clocks: FAT 2 s). */
const RACY_MS = 2500;

/**
 * What identifies a file's content without reading it: size, mtime, ctime and inode (any write
 * changes mtime and ctime, a rename the inode). Empty ("read it again") while the file changed
 * too recently for that: a second write within the file system's clock tick can keep every
 * one of them. Compared with the real clock, which is what the file system stamps files with.
 */
export function fileStamp(st: Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>, now = Date.now()): string {
  if (Math.max(st.mtimeMs, st.ctimeMs) >= now - RACY_MS) return '';
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
}

/** Above this size a data file's checksum is its size, as dbt does for large seeds (with the path). */
export const HASHED_DATA_LIMIT = 1024 * 1024;

/**
 * A seed's identity for state:modified. Small files are hashed; hashing a large one would read
 * it all on every invocation (a 40 MB seed took about 80 ms), so its size stands in: an edit that
 * keeps the size exactly is then not seen as a change.
 */
export function readData(root: string, absPath: string, stamps?: Map<string, string>): DataFile {
  const st = readOrFail(root, absPath, () => statSync(absPath));
  stamps?.set(absPath, fileStamp(st));
  const size = st.size;
  const checksum = size > HASHED_DATA_LIMIT ? `size:${size}` : sha1(readOrFail(root, absPath, () => readFileSync(absPath)));
  return { path: toPosix(path.relative(root, absPath)), absPath, checksum };
}

/** The manifest's checksum entry: dbt's `{name, checksum}` shape. */
export function checksumEntry(checksum: string): { name: string; checksum: string } {
  return checksum.startsWith('size:') ? { name: 'size', checksum: checksum.slice(5) } : { name: 'sha1', checksum };
}

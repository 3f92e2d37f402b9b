import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EtlxError } from '../errors/diagnostic.js';
import { readConfigText } from './files.js';

export const PROFILES_FILE = 'profiles.yml';

/** What decides where profiles.yml is looked for. */
export interface ProfilesLocation {
  readonly projectDir: string;
  /** --profiles-dir: when given, it must hold a profiles.yml. */
  readonly profilesDir?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A profiles.yml as read: its absolute path and its text. */
export interface ProfilesFile {
  readonly path: string;
  readonly text: string;
}

/** Where profiles.yml is looked for, in order. */
export function profileSearchPath(at: ProfilesLocation): string[] {
  const dirs: string[] = [];
  if (at.profilesDir) dirs.push(path.resolve(at.profilesDir));
  if (at.env.ETLX_PROFILES_DIR) dirs.push(path.resolve(at.env.ETLX_PROFILES_DIR));
  dirs.push(at.projectDir);
  dirs.push(path.join(at.env.HOME ?? os.homedir(), '.etlx'));
  return dirs.map((d) => path.join(d, PROFILES_FILE));
}

/**
 * The profiles.yml files on the search path that exist, each read only when the caller asks for
 * it: the search stops at the first file that defines the profile, and a broken file further
 * down must not fail a run that never needed it.
 */
export function* readProfilesFiles(at: ProfilesLocation): Generator<ProfilesFile, void, undefined> {
  const required = at.profilesDir !== undefined ? path.join(path.resolve(at.profilesDir), PROFILES_FILE) : undefined;
  for (const file of profileSearchPath(at)) {
    if (!existsSync(file)) {
      if (file === required) {
        throw new EtlxError({
          code: 'E_PROFILES_NOT_FOUND',
          message: `no ${PROFILES_FILE} in --profiles-dir ${at.profilesDir}`,
          hint: 'point --profiles-dir at the folder holding profiles.yml, or copy profiles.example.yml there',
        });
      }
      continue;
    }
    yield { path: file, text: readConfigText(path.dirname(file), file) };
  }
}

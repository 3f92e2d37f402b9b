import type { Command } from 'commander';
import type { Invocation } from './main.js';

/** seed, run, test, build, show and retry: the commands that open the warehouse. */
export function registerRunCommands(program: Command, inv: Invocation): void {
  void program;
  void inv;
}

/**
 * Runs a command exactly as a page shows it, through `sh`, to prove the copy-paste works.
 * Needs `curl`; without it those tests are skipped with a warning.
 */
import { execFile, spawnSync } from "node:child_process";

export const hasCurl = spawnSync("sh", ["-c", "command -v curl"]).status === 0;

if (!hasCurl) {
  process.stderr.write("\n!! curl not found: SKIPPING the tests that run the pages' curl commands.\n\n");
}

/** Runs `command` with `sh -c`; resolves to stdout, rejects with stderr on failure. */
export function runInShell(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("sh", ["-c", command], { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command}\nfailed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

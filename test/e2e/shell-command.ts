/**
 * Runs a command exactly as a page shows it, through `sh`, to prove the copy-paste works.
 * Needs `curl`. Missing curl: on CI (`CI=true`) those tests fail saying so (`.ci/run` installs
 * it), as the browser tests do without Chromium; elsewhere they are skipped with a warning.
 */
import { execFile, spawnSync } from "node:child_process";

const curlFound = spawnSync("sh", ["-c", "command -v curl"]).status === 0;
const onCi = process.env.CI === "true";

/** False when the curl tests should be skipped (no curl, and not on CI). */
export const hasCurl = curlFound || onCi;

if (!hasCurl) {
  process.stderr.write("\n!! curl not found: SKIPPING the tests that run the pages' curl commands (with CI=true they fail instead).\n\n");
}

/** Runs `command` with `sh -c`; resolves to stdout, rejects with stderr on failure. */
export function runInShell(command: string): Promise<string> {
  if (!curlFound && /^\s*curl\b/.test(command)) {
    return Promise.reject(new Error("curl not found: the tests of the pages' curl commands cannot run on CI without it; install curl (.ci/run does)."));
  }
  return new Promise((resolve, reject) => {
    execFile("sh", ["-c", command], { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command}\nfailed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

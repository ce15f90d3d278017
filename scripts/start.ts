// The demo: `wrangler dev` on port 8787 and the sensor simulator feeding dashboard "demo",
// laid out with the demo's panels (scripts/simulated-sensors.ts).
// Arguments after `--` go to wrangler dev (e.g. `npm start -- --persist-to /tmp/state`).
// The admin token comes from .dev.vars, which this writes when it has none.
import { spawn, type ChildProcess } from "node:child_process";
import { devVarsPath, ensureDevAdminToken } from "./dev-vars.ts";

const port = process.env.PORT ?? "8787";
const url = `http://localhost:${port}`;
const children: ChildProcess[] = [];

function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: "inherit", env: process.env });
  children.push(child);
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`${command} ${args[0]} exited (${signal ?? code}); stopping the demo`);
      stop(code ?? 1);
    }
  });
  return child;
}

let stopping = false;
function stop(code: number): void {
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 500).unref();
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

const admin = ensureDevAdminToken();
if (admin.written) {
  console.log(`Pulseboard demo: wrote ADMIN_TOKEN=${admin.token} to ${devVarsPath} (gitignored): the admin token of this local server. Change it there and restart.`);
} else {
  console.log(`Pulseboard demo: using the ADMIN_TOKEN in ${devVarsPath}`);
}
// wrangler's default (info) prints a line per request: two a second from the simulator alone,
// which would scroll the address of the dashboard away. Warnings and errors still show;
// `npm start -- --log-level info` brings the request lines back.
const wranglerArgs = process.argv.slice(2);
const quiet = wranglerArgs.some((arg) => arg === "--log-level" || arg.startsWith("--log-level=")) ? [] : ["--log-level", "warn"];
console.log(`Pulseboard demo: starting wrangler dev on port ${port}, showing its warnings and errors only`);
start("npx", ["wrangler", "dev", "--port", port, "--show-interactive-dev-session=false", ...quiet, ...wranglerArgs]);
// The simulator says where to look once the dashboard and its panels are there, then keeps
// one progress line.
start("node", ["scripts/simulate.ts", "--url", url, "--dashboard", "demo", "--wait", "120", "--admin-token", admin.token]);

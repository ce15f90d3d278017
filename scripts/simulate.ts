// Simulated sensors: creates a dashboard if needed (laying out the demo's panels on one that
// has none), then posts readings over HTTP until stopped.
import { parseArgs } from "node:util";
import { devVar } from "./dev-vars.ts";
import { demoPanels, demoSensors } from "./simulated-sensors.ts";

const usage = `Usage: npm run simulate -- [options]

Posts simulated CPU, memory, temperature, request-rate and error-rate readings to a
Pulseboard dashboard, and lays out the demo's panels on it when it has none.

Options:
  --url <url>            Pulseboard base URL (default http://localhost:8787)
  --dashboard <id>       dashboard id (default demo)
  --token <token>        the dashboard's ingest token
  --admin-token <token>  admin token, used to create the dashboard when it does not exist
                         and to post when no --token is given (default: $ADMIN_TOKEN,
                         else the ADMIN_TOKEN in .dev.vars, as a local wrangler dev has it)
  --title <title>        title for a dashboard this command creates (default "Demo sensors")
  --no-panels            leave the dashboard's panels alone (default: a dashboard without
                         panels gets the demo's line charts, stats, gauges and tables)
  --interval <ms>        time between posts (default 500)
  --count <n>            stop after n posts (default: run until stopped)
  --wait <s>             how long to wait for the server to answer /healthz (default 60)
  --help                 show this help

Progress is one line that rewrites itself on a terminal, and a line every 30 s otherwise.`;

const { values: args } = parseArgs({
  allowNegative: true,
  options: {
    url: { type: "string", default: "http://localhost:8787" },
    dashboard: { type: "string", default: "demo" },
    token: { type: "string" },
    "admin-token": { type: "string" },
    title: { type: "string", default: "Demo sensors" },
    panels: { type: "boolean", default: true },
    interval: { type: "string", default: "500" },
    count: { type: "string" },
    wait: { type: "string", default: "60" },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log(usage);
  process.exit(0);
}

const base = args.url.replace(/\/$/, "");
const adminToken = args["admin-token"] ?? process.env.ADMIN_TOKEN ?? devVar("ADMIN_TOKEN");
const id = args.dashboard;
const interval = Number(args.interval);
const count = args.count === undefined ? Infinity : Number(args.count);
if (!(interval >= 10) || !(count > 0)) {
  console.error("--interval must be at least 10 ms and --count a positive number\n\n" + usage);
  process.exit(2);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What this prints while posting. On a terminal the progress is one line rewritten in place
 * (a carriage return, then "erase to the end of the line"), so the lines above it (where to
 * look) stay on screen; anywhere else (a log file, a pipe) a progress line every 30 s.
 */
const output = {
  tty: process.stdout.isTTY === true,
  everyMs: 30_000,
  lastPrinted: Date.now(),
  showing: false,

  /** A line of its own, above the progress line. */
  say(text: string): void {
    if (this.showing) process.stdout.write("\r\x1b[K");
    this.showing = false;
    console.log(text);
  },

  /** The progress, rewritten in place on a terminal; else printed every `everyMs`. */
  progress(text: string, now: number): void {
    if (this.tty) {
      process.stdout.write(`\r\x1b[K${text}`);
      this.showing = true;
    } else if (now - this.lastPrinted >= this.everyMs) {
      console.log(text);
      this.lastPrinted = now;
    }
  },

  /** A failure: on stderr, on a line of its own. */
  fail(text: string): void {
    if (this.showing) process.stdout.write("\n");
    this.showing = false;
    console.error(text);
  },
};

async function waitForServer(seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let said = false;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${base} did not answer /healthz within ${seconds} s`);
    if (!said) output.say(`simulate: waiting for ${base} ...`);
    said = true;
    await sleep(250);
  }
}

/** Returns the token to post with (the given one, a new dashboard's, or the admin token) and the dashboard's panel count. */
async function ensureDashboard(): Promise<{ token: string; panels: number }> {
  const existing = await fetch(`${base}/api/dashboards/${id}`);
  if (existing.ok) {
    const { panels } = (await existing.json()) as { panels: unknown[] };
    output.say(`simulate: dashboard "${id}" exists`);
    const token = args.token ?? adminToken;
    if (token === undefined) throw new Error(`dashboard "${id}" exists: give its ingest token with --token`);
    return { token, panels: panels.length };
  }
  if (existing.status !== 404) throw new Error(`GET /api/dashboards/${id}: ${existing.status} ${await existing.text()}`);
  if (adminToken === undefined) throw new Error(`dashboard "${id}" does not exist: give an admin token to create it with --admin-token, ADMIN_TOKEN or .dev.vars`);
  const created = await fetch(`${base}/api/dashboards`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id, title: args.title }),
  });
  if (created.status !== 201) throw new Error(`could not create "${id}": ${created.status} ${await created.text()}`);
  const { ingestToken } = (await created.json()) as { ingestToken: string };
  output.say(`simulate: created dashboard "${id}"; its ingest token (shown once): ${ingestToken}`);
  return { token: args.token ?? ingestToken, panels: 0 };
}

/** Lays out the demo's panels (a dashboard token may change panels, as an admin token may). */
async function layOutPanels(token: string): Promise<void> {
  const response = await fetch(`${base}/api/dashboards/${id}`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ panels: demoPanels }),
  });
  if (!response.ok) throw new Error(`could not lay out the demo's panels on "${id}": ${response.status} ${await response.text()}`);
  output.say(`simulate: laid out ${demoPanels.length} panels on "${id}"`);
}

async function run(): Promise<void> {
  await waitForServer(Number(args.wait));
  const { token, panels } = await ensureDashboard();
  if (args.panels && panels === 0) await layOutPanels(token);
  output.say(`\nPulseboard: open ${base}/d/${id} to watch "${id}" live (readings every ${interval} ms; Ctrl-C stops)\n`);
  const sensors = demoSensors();
  let stopping = false;
  process.on("SIGINT", () => (stopping = true));
  process.on("SIGTERM", () => (stopping = true));
  let posted = 0;
  let points = 0;
  let failures = 0;
  while (!stopping && posted < count) {
    const started = Date.now();
    const readings = sensors.read(started);
    try {
      const response = await fetch(`${base}/api/dashboards/${id}/metrics`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(readings),
      });
      if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      posted++;
      points += readings.length;
      failures = 0;
      output.progress(`simulate: ${plural(posted, "post")} of ${plural(points, "point")} to "${id}", the last at ${new Date(started).toTimeString().slice(0, 8)}`, started);
    } catch (err) {
      failures++;
      output.fail(`simulate: post failed (${failures} in a row): ${(err as Error).message}`);
    }
    // Back off up to 10 s while the server is failing; then resume the normal pace.
    await sleep(Math.max(0, Math.min(10_000, interval * 2 ** failures) - (Date.now() - started)));
  }
  output.say(`simulate: stopped after ${plural(posted, "post")} of ${plural(points, "point")}`);
}

run().catch((err: Error) => {
  output.fail(`simulate: ${err.message}`);
  process.exit(1);
});

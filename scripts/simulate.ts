// Simulated sensors: creates a dashboard if needed, then posts readings over HTTP until stopped.
import { parseArgs } from "node:util";
import { devVar } from "./dev-vars.ts";
import { demoSensors } from "./simulated-sensors.ts";

const usage = `Usage: npm run simulate -- [options]

Posts simulated CPU, temperature and request-rate readings to a Pulseboard dashboard.

Options:
  --url <url>            Pulseboard base URL (default http://localhost:8787)
  --dashboard <id>       dashboard id (default demo)
  --token <token>        the dashboard's ingest token
  --admin-token <token>  admin token, used to create the dashboard when it does not exist
                         and to post when no --token is given (default: $ADMIN_TOKEN,
                         else the ADMIN_TOKEN in .dev.vars, as a local wrangler dev has it)
  --title <title>        title for a dashboard this command creates (default "Demo sensors")
  --interval <ms>        time between posts (default 500)
  --count <n>            stop after n posts (default: run until stopped)
  --wait <s>             how long to wait for the server to answer /healthz (default 60)
  --help                 show this help`;

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:8787" },
    dashboard: { type: "string", default: "demo" },
    token: { type: "string" },
    "admin-token": { type: "string" },
    title: { type: "string", default: "Demo sensors" },
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    if (!said) console.log(`simulate: waiting for ${base} ...`);
    said = true;
    await sleep(250);
  }
}

/** Returns the token to post with: the given one, a new dashboard's, or the admin token. */
async function ensureDashboard(): Promise<string> {
  const existing = await fetch(`${base}/api/dashboards/${id}`);
  if (existing.ok) {
    console.log(`simulate: dashboard "${id}" exists`);
    const token = args.token ?? adminToken;
    if (token === undefined) throw new Error(`dashboard "${id}" exists: give its ingest token with --token`);
    return token;
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
  console.log(`simulate: created dashboard "${id}"; its ingest token (shown once): ${ingestToken}`);
  return args.token ?? ingestToken;
}

async function run(): Promise<void> {
  await waitForServer(Number(args.wait));
  const token = await ensureDashboard();
  console.log(`simulate: posting to ${base}/api/dashboards/${id}/metrics every ${interval} ms; watch ${base}/d/${id}`);
  const sensors = demoSensors();
  let stopping = false;
  process.on("SIGINT", () => (stopping = true));
  process.on("SIGTERM", () => (stopping = true));
  let posted = 0;
  let failures = 0;
  while (!stopping && posted < count) {
    const started = Date.now();
    const points = sensors.read(started);
    try {
      const response = await fetch(`${base}/api/dashboards/${id}/metrics`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(points),
      });
      if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      posted++;
      failures = 0;
      if (posted % 20 === 1) console.log(`simulate: ${posted} posts, ${posted * points.length} points`);
    } catch (err) {
      failures++;
      console.error(`simulate: post failed (${failures} in a row): ${(err as Error).message}`);
    }
    // Back off up to 10 s while the server is failing; then resume the normal pace.
    await sleep(Math.max(0, Math.min(10_000, interval * 2 ** failures) - (Date.now() - started)));
  }
  console.log(`simulate: stopped after ${posted} posts`);
}

run().catch((err: Error) => {
  console.error(`simulate: ${err.message}`);
  process.exit(1);
});

/**
 * Ingest at a fixed rate: request k starts at t0 + k / rate whatever earlier answers take
 * (an open loop, as sensors behave), so a slow server meets more requests in flight rather
 * than a gentler load. Each point's value is its request's index, which is how arrivals are
 * matched to the moment their request started.
 */
import type { DeliveryLedger } from "./delivery-ledger.ts";

/** Where requests go. */
export interface IngestEndpoint {
  url: string;
  headers: Record<string, string>;
}

/** What the requests of one run met. */
export interface IngestOutcome {
  /** Requests started (the first `sent` of the schedule; the rest were dropped at the deadline). */
  sent: number;
  /** Requests answered with a 2xx status. */
  ok: number;
  /** Failed requests by reason (status or error), with counts. */
  failures: Map<string, number>;
  /** Latest any request started after its scheduled time, in ms. */
  maxLagMs: number;
  /** performance.now() of the last request's start. */
  lastStart: number;
  /** Settles when every request has been answered or has failed. */
  answered: Promise<void>;
}

/** Most requests in flight; beyond it the schedule waits (and the lag shows it). */
const MAX_IN_FLIGHT = 500;
const REQUEST_TIMEOUT_MS = 20_000;
/** How far past its scheduled end ingest may run before the requests not yet started are dropped. */
const OVERRUN_MS = 2_000;

/**
 * A request body: `pointsPerPost` points of request `post`, one per series `fanout{s=i}`.
 * ASCII only, so its length in characters is its length in bytes.
 */
export function postBody(post: number, pointsPerPost: number): string {
  const ts = Date.now();
  return JSON.stringify(Array.from({ length: pointsPerPost }, (_, i) => ({ name: "fanout", value: post, ts, tags: { s: String(i) } })));
}

/** Sends `count` requests one after another, before viewers connect, with values of -1. */
export async function warmUp(endpoint: IngestEndpoint, count: number, pointsPerPost: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(endpoint.url, { method: "POST", headers: endpoint.headers, body: postBody(-1, pointsPerPost) });
    const text = await response.text();
    if (!response.ok) throw new Error(`warm-up request answered ${response.status}: ${text.slice(0, 200)}`);
  }
}

/** Starts `ledger.posts` requests at `postsPerSecond`; resolves once the last has started. */
export async function driveIngest(endpoint: IngestEndpoint, ledger: DeliveryLedger, postsPerSecond: number): Promise<IngestOutcome> {
  const outcome: IngestOutcome = { sent: 0, ok: 0, failures: new Map(), maxLagMs: 0, lastStart: 0, answered: Promise.resolve() };
  const fail = (reason: string): void => {
    outcome.failures.set(reason, (outcome.failures.get(reason) ?? 0) + 1);
  };
  const pending: Promise<void>[] = [];
  let inFlight = 0;
  const interval = 1000 / postsPerSecond;
  const t0 = performance.now() + 20;
  const stopAt = t0 + ledger.posts * interval + OVERRUN_MS;
  for (let post = 0; post < ledger.posts; post++) {
    const due = t0 + post * interval;
    const wait = due - performance.now();
    if (wait > 0) await delay(wait);
    while (inFlight >= MAX_IN_FLIGHT && performance.now() < stopAt) await delay(1);
    if (performance.now() >= stopAt) break;
    const body = postBody(post, ledger.pointsPerPost);
    const start = performance.now();
    ledger.postStart[post] = start;
    ledger.postBytes[post] = body.length;
    outcome.maxLagMs = Math.max(outcome.maxLagMs, start - due);
    outcome.lastStart = start;
    outcome.sent++;
    inFlight++;
    const request = fetch(endpoint.url, { method: "POST", headers: endpoint.headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
      .then(async (response) => {
        const text = await response.text();
        if (!response.ok) return fail(`HTTP ${response.status}`);
        outcome.ok++;
        // Pulseboard answers with the sequence range it stored the points under.
        if (text.startsWith("{")) {
          const seq = (JSON.parse(text) as { seq?: { from: number; to: number } | null }).seq;
          if (seq) {
            ledger.postSeqFrom[post] = seq.from;
            ledger.postSeqTo[post] = seq.to;
          }
        }
      })
      .catch((error: Error) => fail(error.name === "TimeoutError" ? "timed out" : error.message))
      .finally(() => inFlight--);
    pending.push(request);
  }
  outcome.answered = Promise.all(pending).then(() => undefined);
  return outcome;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { Hono } from "hono";
import type { Credential, IngestAnswer } from "../dashboard/ingest-contract";
import { basicAuthPassword, bearerToken, credentialOf, isAdminToken } from "./auth";
import { dashboardIdSchema } from "./dashboard-id";
import { ApiError, safeHeaders } from "./errors";
import { decodeBody } from "./decode-body";
import { IGNORED_HEADER, ingestWith } from "./ingest-handler";
import { parsePrecision, PRECISIONS } from "./precision";
import { ErrorCode } from "../common/http-contract";
import type { AppContext, AppEnv } from "./hono-env";
import { IDENTITY } from "./influx-status-routes";

/**
 * InfluxDB-compatible write endpoints, so Telegraf and the InfluxDB client libraries can write
 * unchanged: v2 `POST /api/v2/write?bucket=<dashboard>` with `Authorization: Token <token>`,
 * and v1 `POST /write?db=<dashboard>` with the token as password (`p=` or basic auth).
 * Both answer 204 on success and speak InfluxDB's error shapes, v2 `{code, message}` and v1
 * `{error}`, with InfluxDB's statuses.
 */
type Flavour = "v1" | "v2";

/** InfluxDB's error codes (v2) by status. */
const V2_CODES: Record<number, string> = {
  400: "invalid",
  401: "unauthorized",
  404: "not found",
  413: "request too large",
  415: "unsupported media type",
  429: "too many requests",
  500: "internal error",
};

function influxError(flavour: Flavour, err: ApiError, c: AppContext): Response {
  const line = typeof err.details.line === "number" ? { line: err.details.line } : {};
  const body = flavour === "v2" ? { code: V2_CODES[err.status] ?? "invalid", message: err.message, ...line } : { error: err.message };
  return c.json(body, err.status, safeHeaders({ ...err.headers, "X-Influxdb-Error": err.message }));
}

/** A token and where it came from: a URL (`p=`) ends up in logs and histories, a header does not. */
interface PresentedToken {
  token: string;
  inUrl: boolean;
}

/** The token of a v2 request: an `Authorization: Token` (or `Bearer`) header. */
function v2Token(c: AppContext): PresentedToken | null {
  const token = bearerToken(c.req.header("Authorization"));
  return token ? { token, inUrl: false } : null;
}

/** The token of a v1 request: `p=`, basic auth's password, or an `Authorization: Token` header. */
function v1Token(c: AppContext): PresentedToken | null {
  const p = c.req.query("p");
  if (p) return { token: p, inUrl: true };
  const header = c.req.header("Authorization");
  if (header && /^Basic\s/i.test(header)) {
    const password = basicAuthPassword(header);
    return password ? { token: password, inUrl: false } : null;
  }
  const token = bearerToken(header);
  return token ? { token, inUrl: false } : null;
}

async function credentialFor(c: AppContext, presented: PresentedToken | null): Promise<Credential> {
  if (!presented) throw new ApiError(401, ErrorCode.missingToken, "unauthorized access: send the dashboard's ingest token");
  // InfluxDB v1 clients put their password in `p=`, so ingest tokens may come that way; the
  // admin token opens every dashboard and must not be left in a proxy's or a shell's history.
  if (presented.inUrl && (await isAdminToken(c.env, presented.token))) {
    throw new ApiError(401, "admin_token_in_url", "unauthorized access: the admin token is not accepted in the URL (p=); send it in a header, `Authorization: Token <token>`");
  }
  return credentialOf(c.env, presented.token);
}

function dashboardParam(c: AppContext, name: "bucket" | "db"): string {
  const id = c.req.query(name);
  if (!id) throw new ApiError(400, "invalid_parameter", `${name} is required: the dashboard id to write to`, { field: name });
  if (!dashboardIdSchema.safeParse(id).success) throw new ApiError(404, ErrorCode.dashboardNotFound, `${name === "bucket" ? "bucket" : "database"} "${id}" not found`);
  return id;
}

/** Turns a dashboard's answer into InfluxDB's: 204, or the error with InfluxDB's status. */
function influxAnswer(c: AppContext, id: string, flavour: Flavour, answer: IngestAnswer, ignored = 0): Response {
  switch (answer.status) {
    case "not_found":
      throw new ApiError(404, ErrorCode.dashboardNotFound, `${flavour === "v2" ? "bucket" : "database"} "${id}" not found`);
    case "forbidden":
      // InfluxDB answers a wrong token with 401, not 403.
      throw new ApiError(401, ErrorCode.invalidToken, "unauthorized access: the token is not valid for this dashboard");
    case "rate_limited": {
      const what = answer.cause === "wrong_tokens" ? "too many requests with a wrong token" : "too many requests";
      throw new ApiError(429, "rate_limited", `${what}: retry in ${answer.retryAfterSeconds} s`, {}, { "Retry-After": String(answer.retryAfterSeconds) });
    }
    case "idempotency_mismatch":
      throw new ApiError(400, "idempotency_key_reused", "this Idempotency-Key was used in the last 10 minutes with a different body");
    case "stored": {
      // String fields are taken and not stored (see the README): the answer says how many.
      if (ignored > 0) c.header(IGNORED_HEADER, String(ignored));
      if (answer.rejected.length === 0) return c.body(null, 204);
      const first = answer.rejected[0]!;
      const where = first.line !== undefined ? `line ${first.line}` : `point ${first.index}`;
      // As InfluxDB does, a write with bad lines is a 400 whether or not the good ones were
      // stored (they are); the message says which it was, and names the first bad line.
      const outcome =
        answer.accepted === 0
          ? `nothing written: ${answer.total === 1 ? "the point was" : `all ${answer.total} points were`} rejected`
          : `partial write: ${answer.rejected.length} of ${answer.total} points rejected, ${answer.accepted} written`;
      throw new ApiError(400, answer.accepted === 0 ? "invalid_points" : "partial_write", `${outcome}; first: ${where}: ${first.message}`, first.line !== undefined ? { line: first.line } : {});
    }
  }
}

function writeRoute(flavour: Flavour) {
  return async (c: AppContext) => {
    try {
      const id = dashboardParam(c, flavour === "v2" ? "bucket" : "db");
      const credential = await credentialFor(c, flavour === "v2" ? v2Token(c) : v1Token(c));
      const precision = parsePrecision(c.req.query("precision") ?? "ns", PRECISIONS[flavour]);
      const { answer, body } = await ingestWith(c, id, credential, (request, now) => decodeBody(request, "line-protocol", now, precision));
      return influxAnswer(c, id, flavour, answer, body?.ignored);
    } catch (err) {
      if (err instanceof ApiError) return influxError(flavour, err, c);
      throw err;
    }
  };
}

/**
 * `CREATE DATABASE <name>`, as Telegraf's InfluxDB 1.x output sends it before its first write
 * (`"name"` quoted, or a bare identifier; a `WITH ...` clause is taken and ignored).
 */
const CREATE_DATABASE = /^\s*CREATE\s+DATABASE\s+("(?:[^"\\]|\\.)+"|[^\s";]+)(?:\s+WITH\s[^;]*)?\s*;?\s*$/i;

/**
 * 1.x's InfluxQL endpoint. Pulseboard takes writes, so a query is refused with a 400 saying
 * so, as InfluxDB answers a query it cannot run (not a 5xx, which clients read as the server
 * being down: the `influx` package then takes the host out of its pool, failing its writes
 * too). One statement is answered: `CREATE DATABASE` of a dashboard that exists, with a token
 * that may write to it, is a success that changes nothing (InfluxDB's answer to creating a
 * database that exists), so a Telegraf configured as for InfluxDB logs no error at start.
 * Dashboards themselves are created with `POST /api/dashboards`.
 */
async function queryRoute(c: AppContext): Promise<Response> {
  const form = c.req.method === "POST" && /form-urlencoded|multipart/i.test(c.req.header("Content-Type") ?? "") ? await c.req.parseBody() : {};
  const q = c.req.query("q") ?? (typeof form.q === "string" ? form.q : undefined);
  const create = q === undefined ? null : CREATE_DATABASE.exec(q);
  if (!create) {
    return c.json(
      {
        error:
          "Pulseboard takes writes only: /query (InfluxQL) is not supported. Create a dashboard with POST /api/dashboards and write to it with /write?db=<dashboard id>",
      },
      400,
      { ...IDENTITY, "X-Influxdb-Error": "/query is not supported: Pulseboard takes writes only" },
    );
  }
  try {
    const quoted = create[1]!;
    const id = quoted.startsWith('"') ? quoted.slice(1, -1).replace(/\\(.)/g, "$1") : quoted;
    const missing = () => new ApiError(404, ErrorCode.dashboardNotFound, `database "${id}" not found: Pulseboard does not create databases; create the dashboard with POST /api/dashboards`);
    if (!dashboardIdSchema.safeParse(id).success) throw missing();
    const credential = await credentialFor(c, v1Token(c));
    const outcome = await c.env.DASHBOARD.getByName(id).authorize(credential);
    if (outcome.status === "not_found") throw missing();
    if (outcome.status === "forbidden") throw new ApiError(401, ErrorCode.invalidToken, "unauthorized access: the token is not valid for this dashboard");
    if (outcome.status === "rate_limited") {
      throw new ApiError(429, "rate_limited", `too many requests with a wrong token: retry in ${outcome.retryAfterSeconds} s`, {}, { "Retry-After": String(outcome.retryAfterSeconds) });
    }
    return c.json({ results: [{ statement_id: 0 }] }, 200, IDENTITY);
  } catch (err) {
    if (err instanceof ApiError) return influxError("v1", err, c);
    throw err;
  }
}

export const influxRoutes = new Hono<AppEnv>();
influxRoutes.post("/api/v2/write", writeRoute("v2"));
influxRoutes.post("/write", writeRoute("v1"));
influxRoutes.on(["GET", "POST"], "/query", queryRoute);

/**
 * What the Worker and a dashboard exchange about a write: the points it carries (columnar,
 * by series), the items refused and why, how the request authenticated, and the answer.
 */
import type { Tags } from "../common/protocol";
import type { TokenScope } from "./token-scope";

/**
 * Validated points of one series, columnar, as the Worker hands them to a dashboard. Typed
 * arrays cross the RPC boundary as raw bytes, far cheaper than thousands of small objects.
 */
export interface SeriesBatch {
  /** Canonical series key (`seriesKey(name, tags)`), computed once by the Worker. */
  key: string;
  /** Metric name. */
  name: string;
  /** Tags of the series. */
  tags: Tags;
  /** Point times, milliseconds since the epoch, in request order. */
  ts: Float64Array;
  /** Point values (finite), `values[i]` at `ts[i]`. */
  values: Float64Array;
  /** Where each point came from in the request: its index (JSON) or line (NDJSON, line protocol). */
  items: Uint32Array;
}

/** An item of the request that was not stored, and why. Exactly one of `index` and `line` is set. */
export interface Rejection {
  /** Position of the point in a JSON body (0-based). */
  index?: number;
  /** Line of an NDJSON or line-protocol body (1-based). */
  line?: number;
  /** Field at fault, e.g. `value` or `tags.host` (absent when the whole item is wrong). */
  field?: string;
  /** What is wrong, for people. */
  message: string;
}

/** How the items of a request are numbered: by index (JSON arrays) or by line. */
export type ItemUnit = "index" | "line";

/** A rejection of the item numbered `item` in `unit`. */
export function rejection(unit: ItemUnit, item: number, message: string, field?: string): Rejection {
  const where = unit === "index" ? { index: item } : { line: item };
  return field === undefined ? { ...where, message } : { ...where, field, message };
}

/** Number of points in some series batches. */
export function pointCount(series: readonly SeriesBatch[]): number {
  let count = 0;
  for (const batch of series) count += batch.ts.length;
  return count;
}

/** How a write request to a dashboard authenticated, as the Worker passes it to the object. */
export type Credential =
  /** The Worker verified the admin token. */
  | { kind: "admin" }
  /** One of the dashboard's tokens; only its SHA-256 hex travels, and the object finds it among its own and checks its scope. */
  | { kind: "ingest"; tokenHash: string };

/** What the Worker asks a dashboard to store. */
export interface IngestRequest {
  /** How the request authenticated. */
  credential: Credential;
  /** Points that passed the Worker's validation, by series. */
  series: SeriesBatch[];
  /** Items the Worker already refused. */
  rejected: Rejection[];
  /** How the request's items are numbered. */
  unit: ItemUnit;
  /** Items in the request, valid or not. */
  total: number;
  /** `Idempotency-Key` and the SHA-256 of the body, when the client sent a key. */
  idempotency?: { key: string; bodyHash: string };
}

/** A dashboard's answer to an ingest request; the Worker turns it into HTTP. */
export type IngestAnswer =
  | {
      status: "stored";
      /** Points stored. */
      accepted: number;
      /**
       * Of those, points that took the place of a stored one at the same series and time, or
       * of one earlier in the request (absent when none did, and on a replay).
       */
      replaced?: number;
      /** Sequence numbers given to the stored points (null when none was stored). */
      seq: { from: number; to: number } | null;
      /** Every refused item with its reason, in request order. */
      rejected: Rejection[];
      /** Items in the request. */
      total: number;
      /** True when this is the remembered answer to an earlier request with the same key. */
      replayed: boolean;
      /**
       * Present (false) only on a replay whose rebuilt list of rejections differs from the
       * first answer's: the list is then the retry's; `accepted` and `seq` are the first answer's.
       */
      rejectedExact?: false;
    }
  | { status: "not_found" }
  | {
      status: "forbidden";
      /** Set when the token is the dashboard's but its scope does not allow writing: the scope needed. */
      required?: TokenScope;
    }
  | {
      status: "rate_limited";
      /** The dashboard's ingest rate, or (before any of the body was looked at) wrong tokens coming too often. */
      cause: "ingest_rate" | "wrong_tokens";
      /** Seconds until the request would be accepted. */
      retryAfterSeconds: number;
    }
  | { status: "idempotency_mismatch" };

/**
 * What a replay needs of a first answer, and no more: the retry carries the same body (its
 * SHA-256 is checked), so the rejections are rebuilt from it rather than stored.
 */
export interface IngestRecord {
  /** Points stored. */
  accepted: number;
  /** Sequence numbers given to the stored points (null when none was stored). */
  seq: { from: number; to: number } | null;
  /** Items in the request. */
  total: number;
  /** Digest of the answer's list of rejections (`rejectionDigest`), to check a rebuilt list against. */
  rejectedDigest: string;
  /** Bit i set: the series cap refused the request's i-th series batch (null when it refused none). */
  refusedSeries: Uint8Array | null;
  /** Points that took the place of stored ones (`replaced` of the answer). */
  replaced: number;
  /**
   * Pairs (i, j): the store refused the j-th point of the i-th series batch the cap admitted
   * (see point-identity.ts); null when it refused none.
   */
  refusedPoints: Uint32Array | null;
}

/** A remembered answer: a record, or a whole answer kept by an older version (until it expires). */
export type Remembered = { bodyHash: string } & ({ record: IngestRecord } | { answer: IngestAnswer });

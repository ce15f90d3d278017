import type { Credential } from "./credential";
import type { ItemUnit, Rejection, SeriesBatch } from "./point";

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
  | { status: "forbidden" }
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
}

/** A remembered answer: a record, or a whole answer kept by an older version (until it expires). */
export type Remembered = { bodyHash: string } & ({ record: IngestRecord } | { answer: IngestAnswer });

import type { ItemUnit, Rejection } from "../dashboard/ingest-contract";

/** A decoded body before validation: candidate points, and items already refused while decoding. */
export interface CandidateBatch {
  /** How items are numbered in errors: by JSON index or by line. */
  unit: ItemUnit;
  /** Candidate points, each with its item number. */
  items: { item: number; candidate: unknown }[];
  /** Items that could not even be decoded. */
  rejected: Rejection[];
  /** Values taken but not stored, as the format's documentation says (line protocol's string fields). */
  ignored?: number;
}

/** A body that cannot be decoded at all, and why: the Worker answers it with a 400. */
export interface BodyFailure {
  failure: {
    /** Error code, as the HTTP API reports it. */
    code: "invalid_json" | "invalid_body";
    /** What is wrong, for people. */
    message: string;
    /** The part of the body at fault, when one is. */
    field?: string;
  };
}

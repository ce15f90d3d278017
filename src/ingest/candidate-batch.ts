import type { ItemUnit, Rejection } from "../dashboard/point";

/** A decoded body before validation: candidate points, and items already refused while decoding. */
export interface CandidateBatch {
  /** How items are numbered in errors: by JSON index or by line. */
  unit: ItemUnit;
  /** Candidate points, each with its item number. */
  items: { item: number; candidate: unknown }[];
  /** Items that could not even be decoded. */
  rejected: Rejection[];
}

import { rejection } from "../dashboard/ingest-contract";
import type { CandidateBatch } from "./candidate-batch";
import { decodeLines, type FieldValue, type Precision } from "./line-protocol";

export type { Precision };

const NS_PER_MS = 1_000_000n;

/** A field's value as a chart can show it, or null for strings (which are not stored). */
function numeric(value: FieldValue): number | null {
  if ("float" in value) return value.float;
  if ("int" in value) return Number(value.int);
  if ("uint" in value) return Number(value.uint);
  // Booleans chart as 1 and 0, the way status fields (`up=true`) are usually drawn.
  if ("bool" in value) return value.bool ? 1 : 0;
  return null;
}

/**
 * Points of a line-protocol body: every numeric and boolean field of a line becomes the
 * series `measurement.field` with the line's tags, numbered by line. String fields (a
 * container's state, an uptime written out) are taken and not stored: counted in `ignored`,
 * never a refusal, so a sender's ordinary output (Telegraf mixes them into many metrics)
 * writes without an error. A line that does not parse is refused with its line number and
 * the reason.
 */
export function lineProtocolCandidates(text: string, precision: Precision, now: number): CandidateBatch {
  const batch: CandidateBatch = { unit: "line", items: [], rejected: [], ignored: 0 };
  for (const entry of decodeLines(text, { precision, defaultTime: BigInt(now) * NS_PER_MS })) {
    if ("error" in entry) {
      // The rejection carries the line already; the message says where on it.
      batch.rejected.push(rejection("line", entry.error.line, `column ${entry.error.column}: ${entry.error.reason}`));
      continue;
    }
    const { point } = entry;
    const tags = Object.fromEntries(point.tags.map((tag) => [tag.key, tag.value]));
    // Floor division to whole milliseconds, the resolution points are kept at.
    const ts = Number(point.time >= 0n ? point.time / NS_PER_MS : (point.time - NS_PER_MS + 1n) / NS_PER_MS);
    for (const field of point.fields) {
      const value = numeric(field.value);
      if (value === null) {
        batch.ignored!++;
        continue;
      }
      batch.items.push({ item: point.line, candidate: { name: `${point.measurement}.${field.key}`, value, ts, tags } });
    }
  }
  return batch;
}

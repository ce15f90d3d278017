import { z } from "zod";
import { MAX_CLIENT_MESSAGE_BYTES, type ClientMessage } from "../common/protocol";
import { patternsProblem } from "../common/series-pattern";

const patterns = z.array(z.string(), { error: "series must be an array of patterns" }).superRefine((list, context) => {
  const problem = patternsProblem(list);
  if (problem !== null) context.addIssue({ code: "custom", message: problem });
});

/** A history request's id: 1-64 characters, echoed in its answer. */
const requestId = z.string().min(1).max(64);

/** The client half of the wire protocol, as a schema: what is validated is what is typed. */
export const clientMessageSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("resume"), since: z.int().nonnegative() }),
    z.strictObject({ type: z.literal("subscribe"), series: patterns }),
    z.strictObject({
      type: z.literal("history"),
      id: requestId,
      series: patterns,
      from: z.int().nonnegative(),
      to: z.int().nonnegative(),
      step: z.int().positive().optional(),
    }),
  ],
  { error: "type must be one of resume, subscribe, history" },
) satisfies z.ZodType<ClientMessage>;

const encoder = new TextEncoder();

/** Whether `text` takes more than `max` bytes of UTF-8 (each UTF-16 unit is 1 to 3 of them). */
function longerThan(text: string, max: number): boolean {
  if (text.length > max) return true;
  return text.length * 3 > max && encoder.encode(text).byteLength > max;
}

/** A request id as the protocol allows it, to echo in an error. */
function validId(json: unknown): string | undefined {
  const id = requestId.safeParse((json as { id?: unknown } | null)?.id);
  return id.success ? id.data : undefined;
}

/** A client message, or why it was refused (with the request id when a valid one could be read). */
export function parseClientMessage(raw: string | ArrayBuffer): { message: ClientMessage } | { error: string; id?: string } {
  if (typeof raw !== "string") return { error: "messages must be JSON text, not binary" };
  if (longerThan(raw, MAX_CLIENT_MESSAGE_BYTES)) return { error: `messages are at most ${MAX_CLIENT_MESSAGE_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { error: "messages must be JSON" };
  }
  const parsed = clientMessageSchema.safeParse(json);
  if (parsed.success) return { message: parsed.data };
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
  const id = validId(json);
  return id === undefined ? { error: where + issue.message } : { error: where + issue.message, id };
}

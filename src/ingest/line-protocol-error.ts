/**
 * Why one entry of a line-protocol body was rejected, and where.
 *
 * It is the only error the decoder produces: each bad entry is reported as one of these (and
 * never thrown out of `decodeLines`), so a caller can keep the good lines of a body and name
 * the bad ones.
 */
export class LineProtocolError extends Error {
  /** 1-based line of the body on which the fault was found. */
  readonly line: number;
  /** 1-based column of the fault within that line, counted in UTF-16 code units (bytes, for ASCII). */
  readonly column: number;
  /** What is wrong, for people, without the position (the message adds `line:column`). */
  readonly reason: string;

  constructor(reason: string, line: number, column: number) {
    // The error describes input, not a fault of the code, and a bad batch makes one per line:
    // a stack trace would say nothing and, on V8 (Workers, Node), triples the cost of each.
    const engine = Error as unknown as { stackTraceLimit?: number };
    const limit = engine.stackTraceLimit;
    if (typeof limit === "number") engine.stackTraceLimit = 0;
    super(`line ${line}, column ${column}: ${reason}`);
    if (typeof limit === "number") engine.stackTraceLimit = limit;
    this.name = "LineProtocolError";
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

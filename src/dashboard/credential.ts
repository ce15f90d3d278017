/** How a write request to a dashboard authenticated, as the Worker passes it to the object. */
export type Credential =
  /** The Worker verified the admin token. */
  | { kind: "admin" }
  /** An ingest token; only its SHA-256 hex travels, and the object compares it with its own. */
  | { kind: "ingest"; tokenHash: string };

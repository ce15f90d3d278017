/**
 * Secrets (ingest tokens, view keys, the admin token): made here, hashed here, compared here.
 * Tokens are random secrets handed out once at creation. Only their SHA-256 hash is
 * stored, and comparisons run in constant time (`crypto.subtle.timingSafeEqual`, a workerd
 * extension) so a response time never tells how much of a guess was right.
 */

const encoder = new TextEncoder();

/** A new secret: `prefix` and 32 random bytes, base64url. */
function newSecret(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return prefix + base64.replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** A new ingest token, `pb_…`. */
export function newIngestToken(): string {
  return newSecret("pb_");
}

/** A new view key of a private dashboard, `pbv_…` (a valid WebSocket subprotocol token). */
export function newViewKey(): string {
  return newSecret("pbv_");
}

/** Hex SHA-256 of a text (its UTF-8) or of bytes (a token's hash is what a dashboard keeps). */
export async function sha256Hex(input: string | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", typeof input === "string" ? encoder.encode(input) : input);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Constant-time equality of two hashes. Only for values of a fixed length, such as two hex
 * SHA-256 digests: a length mismatch returns at once, which tells nothing when every value
 * has the same length. Secrets of any length go through {@link secretEquals}.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.byteLength !== right.byteLength) return false;
  return crypto.subtle.timingSafeEqual(left, right);
}

/**
 * Equality of two secrets whose lengths vary (a presented token and the admin token):
 * their SHA-256 digests are compared, always 32 bytes, so neither the time taken nor an
 * early exit tells a guesser how long the secret is or how much of it was right.
 */
export async function secretEquals(presented: string, expected: string): Promise<boolean> {
  const [left, right] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(presented)), crypto.subtle.digest("SHA-256", encoder.encode(expected))]);
  return crypto.subtle.timingSafeEqual(left, right);
}

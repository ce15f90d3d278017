import { ApiError } from "./errors";

/**
 * Reads a request body as UTF-8 text, refusing more than `maxBytes` (413) whether or not the
 * client declared a Content-Length. `Content-Encoding: gzip` is decompressed as it streams,
 * and the bound applies to the decompressed bytes too, so a small gzip bomb is a 413 after
 * reading at most `maxBytes`, never an exhausted isolate.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const bytes = await readBodyBytes(request, maxBytes);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_encoding", "the body is not valid UTF-8");
  }
}

/** Reads a request body as bytes, bounded and gunzipped as {@link readBodyText} says. */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const encoding = request.headers.get("Content-Encoding")?.trim().toLowerCase() || "identity";
  if (encoding !== "identity" && encoding !== "gzip") {
    throw new ApiError(415, "unsupported_encoding", `Content-Encoding "${encoding}" is not supported; send identity or gzip`, { accepted: ["identity", "gzip"] });
  }
  const declared = Number(request.headers.get("Content-Length") ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes, "body");
  if (!request.body) return new Uint8Array();
  let stream: ReadableStream<Uint8Array> = request.body;
  if (encoding === "gzip") stream = stream.pipeThrough(new DecompressionStream("gzip"));
  return readAtMost(stream, maxBytes, encoding === "gzip" ? "decompressed body" : "body");
}

/**
 * Reads a request body's bytes as sent, refusing more than `maxBytes` (413) whether or not
 * the client declared a Content-Length. No `Content-Encoding` is undone: the caller knows
 * which its format uses.
 */
export async function readRawBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("Content-Length") ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes, "body");
  if (!request.body) return new Uint8Array(0);
  return readAtMost(request.body, maxBytes, "body");
}

async function readAtMost(stream: ReadableStream<Uint8Array>, maxBytes: number, what: string): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        void reader.cancel().catch(() => {});
        throw tooLarge(maxBytes, what);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ApiError || !what.startsWith("decompressed")) throw err;
    throw new ApiError(400, "invalid_encoding", `the gzip body could not be decompressed: ${(err as Error).message}`);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(maxBytes: number, what: string): ApiError {
  return new ApiError(413, "body_too_large", `the ${what} is larger than ${maxBytes} bytes`, { limit: maxBytes });
}

import { ErrorCode } from "../common/http-contract";
import { viewError } from "../dashboard/view-error";
import { ApiError } from "./errors";
import { readBodyText } from "./request-body";

/** A JSON body of at most `maxBytes` (an empty one is `{}`); 400 `invalid_json` when it does not parse. */
export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const text = await readBodyText(request, maxBytes);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, "invalid_json", `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/** The answer to a reader a private dashboard refuses: 401 without a view key, 403 with a wrong one. */
export function viewRefused(verdict: "view_key_required" | "invalid_view_key"): ApiError {
  const { code, message } = viewError(verdict);
  return new ApiError(verdict === "view_key_required" ? 401 : 403, code, message);
}

export function notFound(id: string): ApiError {
  return new ApiError(404, ErrorCode.dashboardNotFound, `no dashboard "${id}"`, { field: "id" });
}

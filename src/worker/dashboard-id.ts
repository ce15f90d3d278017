import { z } from "zod";
import { DASHBOARD_ID_PATTERN, DASHBOARD_ID_RULE, ErrorCode } from "../common/http-contract";
import { ApiError } from "./errors";

/** Dashboard ids (PRODUCT.md): {@link DASHBOARD_ID_RULE}. */
export const dashboardIdSchema = z.string().regex(DASHBOARD_ID_PATTERN, DASHBOARD_ID_RULE);

/** Returns `raw` if it is a valid dashboard id; otherwise a 404, since no such dashboard can exist. */
export function parseDashboardId(raw: string): string {
  if (!dashboardIdSchema.safeParse(raw).success) {
    throw new ApiError(404, ErrorCode.dashboardNotFound, `no dashboard "${raw}": ids are ${DASHBOARD_ID_RULE}`, {
      field: "id",
    });
  }
  return raw;
}

/** A fresh random id for a dashboard created without one. */
export function newDashboardId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return "d" + Array.from(bytes, (b) => b.toString(36).padStart(2, "0")).join("").slice(0, 11);
}

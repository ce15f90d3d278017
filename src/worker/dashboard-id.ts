import { z } from "zod";
import { ApiError } from "./errors";

/** Dashboard ids (PRODUCT.md): 1-64 characters of `a-z 0-9 - _`, starting with a letter or digit. */
export const dashboardIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "1-64 characters of a-z 0-9 - _, starting with a letter or digit");

/** Returns `raw` if it is a valid dashboard id; otherwise a 404, since no such dashboard can exist. */
export function parseDashboardId(raw: string): string {
  if (!dashboardIdSchema.safeParse(raw).success) {
    throw new ApiError(404, "dashboard_not_found", `no dashboard "${raw}": ids are 1-64 characters of a-z 0-9 - _, starting with a letter or digit`, {
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

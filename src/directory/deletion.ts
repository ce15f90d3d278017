import { CloseCode } from "../common/protocol";
import { closeQuietly } from "../dashboard/fan-out";

/**
 * What deleting a dashboard does to each of its objects, the dashboard's and its relays':
 * viewers closed with 4404, and the alarm and every stored byte deleted.
 */

/** The close reason viewers of a deleted dashboard get, with {@link CloseCode.deleted}. */
export const DELETED_REASON = "the dashboard was deleted";

/** Closes every viewer socket of the object, hibernated ones included, with 4404. */
export function closeViewers(ctx: DurableObjectState): void {
  for (const socket of ctx.getWebSockets()) closeQuietly(socket, CloseCode.deleted, DELETED_REASON);
}

/**
 * Deletes the alarm, then everything stored. Since compatibility date 2026-02-24 `deleteAll`
 * removes the alarm too (https://developers.cloudflare.com/changelog/2026-02-24-deleteall-deletes-alarms);
 * deleting it first keeps that so whatever the date.
 */
export async function deleteStorage(ctx: DurableObjectState): Promise<void> {
  await ctx.storage.deleteAlarm();
  await ctx.storage.deleteAll();
}

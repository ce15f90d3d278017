import { seriesMatcher, type SeriesMatcher } from "../shared/series-pattern";

/** What a viewer socket carries through hibernation: the only per-socket state there is. */
export interface ViewerAttachment {
  /** When the viewer connected, milliseconds since the epoch. */
  joinedAt: number;
  /** Subscribed series patterns; `["*"]` is everything. */
  series: string[];
  /** Invalid messages received in a row (reset by a valid one). */
  invalid: number;
}

/** Viewers that receive the same frames: one subscription, one serialisation. */
export interface ViewerGroup {
  /** The group's series patterns. */
  patterns: string[];
  /** Matcher for those patterns. */
  matcher: SeriesMatcher;
  /** Whether the group takes every series (the frame needs no filtering). */
  everything: boolean;
  /** The group's open sockets. */
  sockets: WebSocket[];
}

export function attachmentOf(socket: WebSocket): ViewerAttachment {
  return (socket.deserializeAttachment() as ViewerAttachment | null) ?? { joinedAt: 0, series: ["*"], invalid: 0 };
}

/**
 * Viewers grouped by subscription, derived from the runtime's socket list and the sockets'
 * attachments. The grouping is cached between broadcasts and dropped whenever a viewer
 * joins, leaves or resubscribes, so the broadcast loop does no per-socket bookkeeping.
 */
export class ViewerRegistry {
  private groups: ViewerGroup[] | null = null;

  constructor(private readonly sockets: () => WebSocket[]) {}

  /** Open viewers, grouped by subscription. */
  current(): ViewerGroup[] {
    if (!this.groups) {
      const byPatterns = new Map<string, ViewerGroup>();
      for (const socket of this.open()) {
        const { series } = attachmentOf(socket);
        const id = JSON.stringify(series);
        let group = byPatterns.get(id);
        if (!group) {
          group = { patterns: series, matcher: seriesMatcher(series), everything: series.includes("*"), sockets: [] };
          byPatterns.set(id, group);
        }
        group.sockets.push(socket);
      }
      this.groups = [...byPatterns.values()];
    }
    return this.groups;
  }

  /** Open viewer sockets, excluding `leaving` (whose close is being handled). */
  open(leaving?: WebSocket): WebSocket[] {
    return this.sockets().filter((socket) => socket !== leaving && socket.readyState === WebSocket.OPEN);
  }

  /** Forget the grouping: a viewer joined, left or changed its subscription. */
  changed(): void {
    this.groups = null;
  }
}

import { isGlob, seriesMatcher, type SeriesMatcher } from "../common/series-pattern";
import { RememberedAnswers } from "./remembered-answers";
import type { CloseOrder } from "./deferred-closes";
import { freshBudget, type SocketBudget } from "./socket-budget";

/** What a viewer socket carries through hibernation: the only per-socket state there is. */
export interface ViewerAttachment {
  /** When the viewer connected, milliseconds since the epoch. */
  joinedAt: number;
  /** Subscribed series patterns; `["*"]` is everything. */
  series: string[];
  /** What the viewer has asked of the dashboard in the current budget window. */
  budget: SocketBudget;
  /**
   * The instance sending this viewer its snapshot or replay, while it does (absent
   * otherwise): a later instance finding it set knows that feed was cut off.
   */
  fedBy?: string;
  /**
   * Set once the object has decided to close this socket (see `DeferredCloses`): it gets no
   * more frames, its messages are dropped, and a later instance closes it at once.
   */
  closing?: CloseOrder;
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
  const attachment = socket.deserializeAttachment() as Partial<ViewerAttachment> | null;
  // Sockets accepted before budgets existed carry no budget: they start with a fresh one.
  const known: ViewerAttachment = { joinedAt: attachment?.joinedAt ?? 0, series: attachment?.series ?? ["*"], budget: attachment?.budget ?? freshBudget(0) };
  if (attachment?.fedBy !== undefined) known.fedBy = attachment.fedBy;
  if (attachment?.closing !== undefined) known.closing = attachment.closing;
  return known;
}

/**
 * Viewers grouped by subscription, derived from the runtime's socket list and the sockets'
 * attachments (so it survives hibernation: a woken object rebuilds it on first use), then
 * kept up to date as viewers join, leave or resubscribe, so neither a broadcast nor a join
 * walks every socket.
 */
export class ViewerRegistry {
  private groups: Map<string, ViewerGroup> | null = null;
  private readonly answers = new RememberedAnswers();

  /**
   * `instance` names this instance of the object: a viewer whose feed an earlier instance
   * started (and lost when it was evicted) is handed to `cutOff` instead of being grouped,
   * since live frames would follow a snapshot or replay it never finished getting; so is a
   * viewer an earlier instance had decided to close (`closing` in its attachment).
   */
  constructor(
    private readonly sockets: () => WebSocket[],
    private readonly instance: string,
    private readonly cutOff: (socket: WebSocket, attachment: ViewerAttachment) => void,
  ) {}

  /** Open viewers, grouped by subscription. */
  current(): ViewerGroup[] {
    return [...this.built().values()];
  }

  /** Open viewers. */
  open(): WebSocket[] {
    return this.current().flatMap((group) => group.sockets);
  }

  /** How many viewers are open. */
  count(): number {
    let count = 0;
    for (const group of this.built().values()) count += group.sockets.length;
    return count;
  }

  /** A viewer joined (already accepted, its attachment written). */
  joined(socket: WebSocket, patterns: string[]): void {
    // Before the first build the runtime's list already holds the socket.
    if (this.groups) this.add(this.groups, socket, patterns);
  }

  /** A viewer left, or is leaving (its close is being handled). */
  left(socket: WebSocket): void {
    if (!this.groups) return;
    for (const [id, group] of this.groups) {
      const index = group.sockets.indexOf(socket);
      if (index < 0) continue;
      group.sockets.splice(index, 1);
      if (group.sockets.length === 0) this.groups.delete(id);
      return;
    }
  }

  /** A viewer changed its subscription. */
  resubscribed(socket: WebSocket, patterns: string[]): void {
    this.left(socket);
    this.joined(socket, patterns);
  }

  private built(): Map<string, ViewerGroup> {
    if (!this.groups) {
      const groups = new Map<string, ViewerGroup>();
      for (const socket of this.sockets()) {
        if (socket.readyState !== WebSocket.OPEN) continue;
        const attachment = attachmentOf(socket);
        if (attachment.closing !== undefined || (attachment.fedBy !== undefined && attachment.fedBy !== this.instance)) this.cutOff(socket, attachment);
        else this.add(groups, socket, attachment.series);
      }
      this.groups = groups;
    }
    return this.groups;
  }

  private add(groups: Map<string, ViewerGroup>, socket: WebSocket, patterns: string[]): void {
    const id = JSON.stringify(patterns);
    let group = groups.get(id);
    if (!group) {
      const matcher = patterns.some(isGlob) ? this.answers.remembering(seriesMatcher(patterns)) : seriesMatcher(patterns);
      groups.set(id, (group = { patterns, matcher, everything: patterns.includes("*"), sockets: [] }));
    }
    group.sockets.push(socket);
  }
}

import type { Panel } from "../common/dashboard-config";
import { variablesField, type Variable } from "../common/template-variables";
import { relayName, type AnnotationChange, type RelayAck, type RelayAddress, type RelayRoute, type RelayUpdate } from "../relay/relay-contract";
import type { Relay } from "../relay/relay-object";
import type { DashboardSettings } from "./dashboard-settings";
import type { PointRun } from "./stream-source";

/** Storage key of the relays a dashboard pushes to (only ever written for a dashboard that exists). */
const MEMBERS_KEY = "relays";
/** First wait before a failed push is retried, in ms; doubled on each failure in a row. */
const RETRY_FIRST_MS = 500;
const RETRY_MOST_MS = 30_000;
/** Failures in a row after which a relay is dropped (it attaches again when a viewer reaches it). */
const MOST_FAILURES = 12;

interface Member {
  /** Names the relay's instance that attached last: what an older instance says no longer counts. */
  generation: string;
  /** The relay's own viewers, as it last said. */
  viewers: number;
  failures: number;
  retry: ReturnType<typeof setTimeout> | null;
  /** Revoked token ids of pushes that failed: the retry carries them, since a bare position would not. */
  revoked: string[];
}

/**
 * The relays an object pushes to, seen from that object (the dashboard, or a relay for the
 * relays below it): which relays hold its viewers (kept in its
 * storage, so an instance after an eviction still pushes to them), how many viewers each
 * holds, where new viewers go, and the pushes: each frame, viewer count and config change
 * goes to every relay once, over RPC (which wakes a hibernated relay and pins nothing).
 * A push that fails is retried with backoff as a bare position, from which the relay
 * refills what it missed.
 */
export class RelayFleet {
  private members: Map<number, Member> | null = null;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly settings: DashboardSettings,
    private readonly dashboardId: () => string,
    private readonly broadcastSeq: () => number,
  ) {}

  /**
   * Where a new viewer goes: null for the dashboard's own object (an audience under
   * `relayAfterViewers`), else how many relays take new viewers, enough for the relayed
   * audience at `viewersPerRelay` each, one more as it fills up, and which of them holds the fewest.
   */
  route(local: number): Omit<RelayRoute, "readers"> | null {
    const relayed = this.viewers();
    if (local + relayed < this.settings.relayAfterViewers) return null;
    const relays = Math.max(1, Math.ceil((relayed + 1) / this.settings.viewersPerRelay));
    const { viewersPerRelay } = this.settings;
    // Counts of relays below the first level reach this object summed into their branch's,
    // so there relays are taken to fill in order.
    if (relays > this.settings.relayFanOut) return { relays, emptiest: Math.floor(relayed / viewersPerRelay), room: viewersPerRelay - (relayed % viewersPerRelay), viewersPerRelay };
    let emptiest = 0;
    for (let index = 1; index < relays; index++) if (this.viewersOf(index) < this.viewersOf(emptiest)) emptiest = index;
    return { relays, emptiest, room: Math.max(1, viewersPerRelay - this.viewersOf(emptiest)), viewersPerRelay };
  }

  private viewersOf(index: number): number {
    return this.loaded().get(index)?.viewers ?? 0;
  }

  /** Whether the object `ctx` belongs to pushes to any relay (read from its storage). */
  static hasMembers(ctx: DurableObjectState): boolean {
    return (ctx.storage.kv.get<number[]>(MEMBERS_KEY)?.length ?? 0) > 0;
  }

  /** Viewers on relays (each relay counts its own and those of the relays it pushes to). */
  viewers(): number {
    let count = 0;
    for (const member of this.loaded().values()) count += member.viewers;
    return count;
  }

  /** How many relays are pushed to. */
  size(): number {
    return this.loaded().size;
  }

  /** A relay's instance (`generation`) starts taking this dashboard's frames. */
  attached(index: number, generation: string): void {
    const members = this.loaded();
    const member = members.get(index);
    if (member) {
      member.generation = generation;
      member.failures = 0;
      return;
    }
    members.set(index, { generation, viewers: 0, failures: 0, retry: null, revoked: [] });
    this.save();
  }

  /**
   * A relay's own viewer count; a relay with none is no longer pushed to (it attaches again
   * for its next viewer). Returns whether the viewers on relays changed.
   */
  counted(index: number, generation: string, viewers: number): boolean {
    const member = this.loaded().get(index);
    if (!member || (member.generation !== generation && member.generation !== "")) return false;
    const changed = member.viewers !== viewers;
    if (viewers === 0) this.drop(index);
    else {
      member.generation = generation;
      member.viewers = viewers;
    }
    return changed;
  }

  /**
   * The dashboard is being deleted: every relay pushed to deletes itself, the relays below it
   * first (see `Relay.destroy`). Whether all did; if so, none is pushed to any more.
   */
  async destroy(): Promise<boolean> {
    const members = this.loaded();
    if (!(await destroyRelays(this.env, this.dashboardId(), [...members.keys()]))) return false;
    this.forget();
    return true;
  }

  /** Pushes to no relay any more, and notes nothing: the object's storage is being deleted. */
  forget(): void {
    for (const member of this.loaded().values()) if (member.retry !== null) clearTimeout(member.retry);
    this.loaded().clear();
  }

  /** {@link destroy} for a relay's own relays, named by its storage (its stream need not have started). */
  static destroyRecorded(ctx: DurableObjectState, env: Env, dashboard: string): Promise<boolean> {
    return destroyRelays(env, dashboard, ctx.storage.kv.get<number[]>(MEMBERS_KEY) ?? []);
  }

  /** A frame went out: every relay gets it. */
  framed(run: PointRun): void {
    for (const index of this.loaded().keys()) this.push(index, { run, through: run.to });
  }

  /** The audience changed: every relay hears the new count. */
  announce(viewers: number): void {
    for (const index of this.loaded().keys()) this.push(index, { through: this.broadcastSeq(), viewers });
  }

  /** The title, panels or variables changed: every relay hears it at once. */
  configured(title: string, panels: Panel[], variables: readonly Variable[]): void {
    for (const index of this.loaded().keys()) this.push(index, { through: this.broadcastSeq(), config: { title, panels, ...variablesField(variables) } });
  }

  /** Annotations were added or removed: every relay hears it at once. */
  annotated(change: AnnotationChange): void {
    for (const index of this.loaded().keys()) this.push(index, { through: this.broadcastSeq(), annotations: change });
  }

  /** Tokens were revoked: every relay closes the viewers they let in. */
  revoked(ids: string[]): void {
    for (const index of this.loaded().keys()) this.push(index, { through: this.broadcastSeq(), revoked: ids });
  }

  private push(index: number, update: Omit<RelayUpdate, "address">): void {
    const address: RelayAddress = { dashboard: this.dashboardId(), index };
    const generation = this.loaded().get(index)?.generation;
    this.relay(address)
      .update({ ...update, address })
      .then(
        (ack) => this.acked(index, generation, ack),
        (err: unknown) => this.failed(index, err, update.revoked),
      );
  }

  private acked(index: number, generation: string | undefined, ack: RelayAck): void {
    const member = this.loaded().get(index);
    if (!member) return;
    // A relay that holds no viewers; unless it attached again since this push went out.
    if (ack.status === "detached") return member.generation === generation ? this.drop(index) : undefined;
    member.generation = ack.generation;
    member.viewers = ack.viewers;
    member.failures = 0;
  }

  private failed(index: number, err: unknown, revoked: string[] | undefined): void {
    const member = this.loaded().get(index);
    if (!member) return;
    if (revoked) member.revoked.push(...revoked);
    member.failures++;
    console.warn(`push to relay ${index} failed (${member.failures} in a row)`, err);
    if (member.failures >= MOST_FAILURES) return this.drop(index);
    if (member.retry !== null) return;
    const wait = Math.min(RETRY_MOST_MS, RETRY_FIRST_MS * 2 ** (member.failures - 1));
    member.retry = setTimeout(() => {
      member.retry = null;
      if (this.loaded().get(index) !== member) return;
      const revoked = member.revoked.splice(0);
      this.push(index, revoked.length > 0 ? { through: this.broadcastSeq(), revoked } : { through: this.broadcastSeq() });
    }, wait);
  }

  private drop(index: number): void {
    const member = this.loaded().get(index);
    if (!member) return;
    if (member.retry !== null) clearTimeout(member.retry);
    this.loaded().delete(index);
    this.save();
  }

  private relay(address: RelayAddress): DurableObjectStub<Relay> {
    return relayStub(this.env, address);
  }

  private loaded(): Map<number, Member> {
    if (!this.members) {
      const saved = this.ctx.storage.kv.get<number[]>(MEMBERS_KEY) ?? [];
      // Instances unknown until they answer a push: "" accepts the first that does.
      this.members = new Map(saved.map((index) => [index, { generation: "", viewers: 0, failures: 0, retry: null, revoked: [] }]));
    }
    return this.members;
  }

  private save(): void {
    const indices = [...this.loaded().keys()];
    if (indices.length === 0) this.ctx.storage.kv.delete(MEMBERS_KEY);
    else this.ctx.storage.kv.put(MEMBERS_KEY, indices);
  }
}

function relayStub(env: Env, address: RelayAddress): DurableObjectStub<Relay> {
  return env.RELAY.getByName(relayName(address)) as DurableObjectStub<Relay>;
}

/** Deletes relays `indices` of `dashboard`, in parallel; whether every one did. */
async function destroyRelays(env: Env, dashboard: string, indices: number[]): Promise<boolean> {
  const results = await Promise.allSettled(indices.map((index) => relayStub(env, { dashboard, index }).destroy()));
  let all = true;
  results.forEach((result, i) => {
    if (result.status === "fulfilled" && result.value) return;
    console.warn(`deleting relay ${indices[i]} of dashboard "${dashboard}" failed`, result.status === "rejected" ? result.reason : "a relay below it failed");
    all = false;
  });
  return all;
}

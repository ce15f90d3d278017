import type { Panel } from "./dashboard-config.ts";
import type { Tags } from "./protocol.ts";
import type { Variable } from "./template-variables.ts";

/** A series as the API lists it (without points). */
export interface SeriesInfo {
  /** Canonical key (name plus sorted tags). */
  key: string;
  /** Metric name. */
  name: string;
  /** Tags. */
  tags: Tags;
}

/** The body of `GET /api/dashboards/:id`: shared by the server that sends it and the page that reads it. */
export interface DashboardInfo {
  /** Dashboard id. */
  id: string;
  /** Human title. */
  title: string;
  /** Creation time, milliseconds since the epoch. */
  createdAt: number;
  /** Sequence number of the newest stored point. */
  seq: number;
  /** Viewers connected now. */
  viewers: number;
  /** Every series the dashboard keeps. */
  series: SeriesInfo[];
  /** Panels, in display order (empty: the page shows one automatic chart per series). */
  panels: Panel[];
  /** Template variables (README, "Panels"); absent when there are none. */
  variables?: Variable[];
  /** Whether reading the dashboard needs its view key. */
  private: boolean;
}

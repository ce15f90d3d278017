/**
 * The directory's listing as `GET /api/dashboards` answers it: one page of dashboards, each
 * with its live facts. Shared by the Worker, which builds it (`src/directory/directory-page.ts`),
 * and the landing page, which shows it (`src/client/landing/directory-list.ts`), so it may use
 * neither DOM nor Workers APIs. The README's "Directory" section documents each field.
 */

/** What a dashboard says of itself now, when listed. */
export interface DashboardFacts {
  /** Sequence number of the newest stored point (0 when none). */
  seq: number;
  /** Time of the newest stored point, ms since the epoch; null before the first. */
  lastPointAt: number | null;
  /** Viewers connected now, on the dashboard and its relays. */
  viewers: number;
  /** Series kept. */
  series: number;
  /** Bytes of the dashboard's SQLite storage. */
  storageBytes: number;
}

/** One dashboard of a listing page. */
export interface ListedDashboard {
  /** Dashboard id. */
  id: string;
  /** Its title, as the dashboard says (the directory's copy when it could not be asked). */
  title: string;
  /** Whether it is private. */
  private: boolean;
  /** Creation time, ms since the epoch. */
  createdAt: number;
  /** Live facts, or null when the dashboard could not be asked this time. */
  stats: DashboardFacts | null;
}

/** The 200 body of `GET /api/dashboards`. */
export interface DirectoryListing {
  /** The page's dashboards, in id order. */
  dashboards: ListedDashboard[];
  /** The `cursor` of the next page; null on the last. */
  next: string | null;
}

/**
 * Limits enforced by the API, in one place so that code, errors and README agree.
 * Each is checked where input enters and answered with a JSON error naming it.
 */
export const limits = {
  /** Largest ingest request body, in bytes. */
  maxBodyBytes: 1024 * 1024,
  /**
   * Largest Prometheus remote-write body once snappy-decompressed, in bytes (the compressed
   * body is held to `maxBodyBytes`). Protobuf repeats every label of every series, so 5,000
   * samples with long label sets need more than the compressed limit.
   */
  maxRemoteWriteBytes: 4 * 1024 * 1024,
  /** Most points in one ingest request. */
  maxPointsPerRequest: 5000,
  /** Most distinct series (name plus tags) one dashboard keeps. */
  maxSeriesPerDashboard: 1000,
  /** Longest metric name, in characters. */
  maxNameLength: 200,
  /** Most tags on one point. */
  maxTags: 16,
  /** Longest tag name, in characters. */
  maxTagKeyLength: 64,
  /** Longest tag value, in characters. */
  maxTagValueLength: 200,
  /** Largest body creating a dashboard (a definition included) or changing its title and panels, in bytes. */
  maxSettingsBodyBytes: 64 * 1024,
  /** Longest dashboard title, in characters. */
  maxTitleLength: 120,
  /** How far in the future a point's time may be (clock skew allowance), in milliseconds. */
  maxFutureMs: 60 * 60 * 1000,
  /** How far in the past a point's time may be, in milliseconds. */
  maxPastMs: 7 * 24 * 60 * 60 * 1000,
  /**
   * Most cells (buckets x series) in one history answer; each carries six numbers, so an
   * answer stays under about 10 MB of JSON.
   */
  maxHistoryCells: 100_000,
  /** Most raw points, or per-minute rollup rows, one history query reads. */
  maxHistoryScan: 1_000_000,
  /** Longest annotation text, in characters. */
  maxAnnotationText: 1000,
  /** Most annotations in one request. */
  maxAnnotationsPerRequest: 100,
  /** Most annotations one dashboard keeps (older ones go with the rollups' retention). */
  maxAnnotationsPerDashboard: 10_000,
  /** Most annotations one read answers. */
  maxAnnotationsPerRead: 1_000,
  /** Most tokens one dashboard holds (every kind together). */
  maxTokensPerDashboard: 100,
  /** Longest token name, in characters. */
  maxTokenNameLength: 64,
  /** Most dashboards on one page of the directory (`GET /api/dashboards?limit=`). */
  maxDirectoryPage: 100,
  /** Dashboards on a page of the directory when `limit` is not given. */
  defaultDirectoryPage: 50,
  /** Longest search of the directory (`q=`), in characters: no id or title is longer. */
  maxDirectorySearch: 120,
  /** Most recent points per series sent to a viewer on connect. */
  snapshotPointsPerSeries: 600,
} as const;

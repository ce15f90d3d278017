/**
 * The demo: believable sensor signals, each reading depending on the previous one and on the
 * time of day so charts move the way real machines do rather than as white noise, and the
 * panels that show them (what `npm start` lays out and the README's screenshots show).
 */
import type { Panel } from "../src/common/dashboard-config.ts";
import { seriesKey } from "../src/common/series-key.ts";

/** One point in the JSON ingest shape. */
export interface SensorPoint {
  name: string;
  value: number;
  ts: number;
  tags: Record<string, string>;
}

interface Sensor {
  name: string;
  tags: Record<string, string>;
  next(ts: number, previous: number): number;
  value: number;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/** A standard normal sample (Box-Muller). */
function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

const DAY_MS = 86_400_000;

function dailyCycle(ts: number): number {
  return Math.sin((2 * Math.PI * (ts % DAY_MS)) / DAY_MS - Math.PI / 2);
}

function cpu(host: string, base: number): Sensor {
  return {
    name: "cpu.usage",
    tags: { host },
    value: base,
    // Mean-reverting walk with occasional load spikes, in percent.
    next: (ts, previous) => {
      const target = base + 15 * dailyCycle(ts);
      const spike = Math.random() < 0.02 ? 25 + 20 * Math.random() : 0;
      return round(clamp(previous + 0.2 * (target - previous) + 3 * gaussian() + spike, 0, 100), 1);
    },
  };
}

function temperature(room: string, base: number): Sensor {
  return {
    name: "temperature",
    tags: { room },
    value: base,
    // Slow drift around a daily cycle, in degrees Celsius.
    next: (ts, previous) => round(previous + 0.05 * (base + 1.5 * dailyCycle(ts) - previous) + 0.08 * gaussian(), 2),
  };
}

function requestRate(service: string, base: number): Sensor {
  return {
    name: "http.requests_per_second",
    tags: { service },
    value: base,
    // Traffic follows the day, with bursts that decay.
    next: (ts, previous) => {
      const target = base * (1 + 0.4 * dailyCycle(ts));
      const burst = Math.random() < 0.03 ? base * (0.5 + Math.random()) : 0;
      return Math.max(0, Math.round(previous + 0.3 * (target - previous) + 0.05 * base * gaussian() + burst));
    },
  };
}

function memory(host: string, base: number): Sensor {
  return {
    name: "mem.used_percent",
    tags: { host },
    value: base,
    // Creeps up as caches fill, and drops back when they are flushed, in percent.
    next: (_ts, previous) => {
      if (previous > base + 25 && Math.random() < 0.01) return base;
      return round(clamp(previous + 0.02 + 0.3 * gaussian(), 0, 100), 1);
    },
  };
}

function errorRate(service: string, base: number): Sensor {
  return {
    name: "http.errors_percent",
    tags: { service },
    value: base,
    // Mostly quiet, with rare bad minutes, in percent of requests.
    next: (_ts, previous) => {
      const incident = Math.random() < 0.005 ? 3 + 4 * Math.random() : 0;
      return round(clamp(previous + 0.1 * (base - previous) + 0.05 * gaussian() + incident, 0, 100), 2);
    },
  };
}

/**
 * The demo's sensors: three hosts' CPU and memory, two rooms' temperature, two services'
 * request and error rates.
 */
export function demoSensors(): { read(ts: number): SensorPoint[] } {
  const sensors = [
    cpu("web-1", 35),
    cpu("web-2", 50),
    cpu("db-1", 25),
    memory("web-1", 48),
    memory("web-2", 55),
    memory("db-1", 70),
    temperature("server-room", 22),
    temperature("office", 20.5),
    requestRate("api", 320),
    requestRate("web", 120),
    errorRate("api", 0.4),
    errorRate("web", 0.8),
  ];
  return {
    read: (ts) =>
      sensors.map((sensor) => {
        sensor.value = sensor.next(ts, sensor.value);
        return { name: sensor.name, value: sensor.value, ts, tags: sensor.tags };
      }),
  };
}

const amber = "#d97706";
const red = "#dc2626";
const green = "#16a34a";

/**
 * The demo dashboard's panels: every series in at least one, each unit on its panel. Twelve,
 * so the grid has no empty cell at one, two, three, four or six columns (a phone, a tablet,
 * a laptop and wider screens).
 */
export const demoPanels: Panel[] = [
  { id: "cpu", title: "CPU by host", type: "line", series: ["cpu.usage"], unit: "percent", decimals: 1 },
  {
    id: "api-rate",
    title: "API requests",
    type: "stat",
    series: [seriesKey("http.requests_per_second", { service: "api" })],
    unit: "reqps",
    decimals: 0,
    thresholds: [
      { value: 600, color: amber },
      { value: 900, color: red },
    ],
  },
  {
    id: "server-room",
    title: "Server room",
    type: "gauge",
    series: [seriesKey("temperature", { room: "server-room" })],
    unit: "celsius",
    decimals: 1,
    min: 15,
    max: 35,
    thresholds: [
      { value: 15, color: green },
      { value: 27, color: amber },
      { value: 30, color: red },
    ],
  },
  { id: "temperatures", title: "Temperatures", type: "table", series: ["temperature"], unit: "celsius", decimals: 1 },
  { id: "requests", title: "Requests per second", type: "line", series: ["http.requests_per_second"], unit: "reqps", decimals: 0 },
  {
    id: "office",
    title: "Office",
    type: "gauge",
    series: [seriesKey("temperature", { room: "office" })],
    unit: "celsius",
    decimals: 1,
    min: 15,
    max: 30,
    thresholds: [
      { value: 15, color: "#2563eb" },
      { value: 19, color: green },
      { value: 25, color: amber },
    ],
  },
  // An aggregation: both services' request rates summed into one number, worked out on the page.
  {
    id: "all-requests",
    title: "Requests, all services",
    type: "stat",
    series: ["http.requests_per_second"],
    aggregate: "sum",
    unit: "reqps",
    decimals: 0,
  },
  { id: "cpu-now", title: "CPU now", type: "table", series: ["cpu.usage"], unit: "percent", decimals: 1 },
  { id: "memory", title: "Memory used by host", type: "line", series: ["mem.used_percent"], unit: "percent", decimals: 1 },
  {
    id: "db-memory",
    title: "Database memory",
    type: "gauge",
    series: [seriesKey("mem.used_percent", { host: "db-1" })],
    unit: "percent",
    decimals: 0,
    min: 0,
    max: 100,
    thresholds: [
      { value: 0, color: green },
      { value: 85, color: amber },
      { value: 95, color: red },
    ],
  },
  {
    id: "api-errors",
    title: "API errors",
    type: "stat",
    series: [seriesKey("http.errors_percent", { service: "api" })],
    unit: "percent",
    decimals: 2,
    thresholds: [
      { value: 1, color: amber },
      { value: 5, color: red },
    ],
  },
  { id: "errors", title: "Errors by service", type: "table", series: ["http.errors_percent"], unit: "percent", decimals: 2 },
];

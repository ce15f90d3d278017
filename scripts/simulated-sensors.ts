/**
 * Believable sensor signals for the demo: each reading depends on the previous one and on
 * the time of day, so charts move the way real machines do rather than as white noise.
 */

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

/** The demo's sensors: three hosts' CPU, two rooms' temperature, two services' request rate. */
export function demoSensors(): { read(ts: number): SensorPoint[] } {
  const sensors = [
    cpu("web-1", 35),
    cpu("web-2", 50),
    cpu("db-1", 25),
    temperature("server-room", 22),
    temperature("office", 20.5),
    requestRate("api", 320),
    requestRate("web", 120),
  ];
  return {
    read: (ts) =>
      sensors.map((sensor) => {
        sensor.value = sensor.next(ts, sensor.value);
        return { name: sensor.name, value: sensor.value, ts, tags: sensor.tags };
      }),
  };
}

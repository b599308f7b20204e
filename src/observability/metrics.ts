import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per server instance, so two nodes in one process (tests) do not mix. */
export interface Metrics {
  registry: Registry;
  connections: Gauge<'door'>;
  framesIn: Counter<'door'>;
  framesOut: Counter<'door'>;
  errors: Counter<'condition'>;
  latency: Histogram<'op' | 'transport'>;
  /** 1 while the database answers, 0 during an outage (src/store/health.ts). */
  storeUp: Gauge;
  /** Seconds the current database outage has lasted (0 while up); main.ts sets its collect. */
  storeDownSeconds: Gauge;
  /** Database outages that ended, and their total length. */
  storeOutages: Counter;
  storeOutageSeconds: Counter;
  /** 1 while this node is connected to its bus (always 1 on the in-process bus), else 0. */
  busUp: Gauge;
  /** Bus outages this node has seen end, and how long they lasted in all. */
  busOutages: Counter;
  busOutageSeconds: Counter;
  /** Sessions resynced from the store after a bus outage (core/recovery.ts). */
  busResyncs: Counter;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // prom-client's own names already say what they are (process_cpu_..., nodejs_heap_...).
  collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  return {
    registry,
    connections: new Gauge({
      name: 'parley_connections',
      help: 'Open client connections',
      labelNames: ['door'],
      registers: [registry],
    }),
    framesIn: new Counter({
      name: 'parley_frames_in_total',
      help: 'Frames received from clients',
      labelNames: ['door'],
      registers: [registry],
    }),
    framesOut: new Counter({
      name: 'parley_frames_out_total',
      help: 'Frames sent to clients',
      labelNames: ['door'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'parley_errors_total',
      help: 'Error replies sent, by condition',
      labelNames: ['condition'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'parley_request_duration_seconds',
      help: 'Time to answer a request',
      labelNames: ['op', 'transport'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    storeUp: new Gauge({
      name: 'parley_store_up',
      help: '1 while the database answers, 0 during an outage',
      registers: [registry],
    }),
    storeDownSeconds: new Gauge({
      name: 'parley_store_down_seconds',
      help: 'How long the current database outage has lasted (0 while it answers)',
      registers: [registry],
    }),
    storeOutages: new Counter({
      name: 'parley_store_outages_total',
      help: 'Database outages seen (the first failed query of each)',
      registers: [registry],
    }),
    storeOutageSeconds: new Counter({
      name: 'parley_store_outage_seconds_total',
      help: 'Seconds of database outages that have ended',
      registers: [registry],
    }),
    busUp: new Gauge({
      name: 'parley_bus_up',
      help: 'Whether this node is connected to its bus (1) or cut off (0)',
      registers: [registry],
    }),
    busOutages: new Counter({
      name: 'parley_bus_outages_total',
      help: 'Bus outages this node has seen end',
      registers: [registry],
    }),
    busOutageSeconds: new Counter({
      name: 'parley_bus_outage_seconds_total',
      help: 'Time this node spent cut off from its bus',
      registers: [registry],
    }),
    busResyncs: new Counter({
      name: 'parley_bus_resynced_sessions_total',
      help: 'Sessions caught up from the store after a bus outage',
      registers: [registry],
    }),
  };
}

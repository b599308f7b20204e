/**
 * The room fanout scenario (issue 4): M members of one room connected over
 * WebSocket, K of them sending `rooms.send` to it; every message must reach the
 * other M-1 members as a live `room.message` event (the sender's own connection
 * gets the reply instead). Started by bench/run.ts (`--scenario fanout`).
 *
 * The room and its members are written straight into the store before the server
 * starts (seedRoom), like the accounts, so setting up 1,000 members takes a second
 * rather than 1,000 joins each fanned out to everyone already in the room.
 */
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { newId } from '../src/core/ids.js';
import type { openStore as OpenStore } from '../src/store/open.js';
import type { Account } from './accounts.js';
import {
  closeClients,
  log,
  machineSample,
  openClients,
  procSample,
  round,
  Samples,
  type ServerProc,
  sleep,
  sqlPerMessage,
  tally,
} from './common.js';

export const FANOUT_ROOM = 'bench-fanout';

/**
 * Creates the room (when missing) and makes every account a member (the first is
 * its owner), in one transaction through the store's own room API. The server must
 * not be running: it learns a user's rooms when the user connects.
 */
export async function seedRoom(o: {
  /** The store of the code being measured (its migrations), not the working tree's. */
  openStore: typeof OpenStore;
  url: string;
  dataDir: string;
  schema?: string;
  accounts: Account[];
}): Promise<{ roomId: string; created: boolean; added: number; seconds: number }> {
  const t0 = performance.now();
  const store = await o.openStore({
    url: o.url,
    dataDir: o.dataDir,
    poolSize: 4,
    ...(o.schema ? { schema: o.schema } : {}),
  });
  try {
    const ids: string[] = [];
    for (const a of o.accounts) {
      const u = await store.accounts.userByUsername(a.username);
      if (!u) throw new Error(`seeded user ${a.username} is missing from the store`);
      ids.push(u.id);
    }
    const existing = await store.rooms.byName(FANOUT_ROOM);
    const t = Date.now();
    const roomId = existing?.id ?? newId(t);
    let added = 0;
    await store.rooms.transact(roomId, async (tx) => {
      if (!existing) {
        const ok = await tx.createRoom({
          id: roomId,
          name: FANOUT_ROOM,
          topic: 'room fanout benchmark',
          topicLocked: false,
          visibility: 'public',
          createdAt: t,
          createdBy: ids[0] ?? null,
        });
        if (!ok) throw new Error(`room ${FANOUT_ROOM} could not be created`);
      }
      for (const [i, userId] of ids.entries()) {
        if (existing && (await tx.member(userId))) continue;
        await tx.putMember({
          roomId,
          userId,
          historyFrom: 0,
          role: i === 0 ? 'owner' : 'member',
          muted: false,
          notify: 'all',
          joinedAt: t,
        });
        added++;
      }
    });
    return {
      roomId,
      created: !existing,
      added,
      seconds: round((performance.now() - t0) / 1000),
    };
  } finally {
    await store.close();
  }
}

export interface FanoutOptions {
  senders: number;
  /** 0 with rateMax. */
  rate: number;
  rateMax: boolean;
  windowSize: number;
  textBytes: number;
  warmup: number;
  duration: number;
  grace: number;
  connectConcurrency: number;
  /** --sql-stats (SQLite): the statements run during the measured window, per message. */
  sqlStats?: boolean;
}

const REPLY = '{"type":"reply","re":';
const ROOM_MESSAGE = '{"type":"event","name":"room.message"';
const ROOM_SEQ = '"roomSeq":';
const CLIENT_ID = '"clientId":"';

type Phase = 'setup' | 'probe' | 'warmup' | 'measure' | 'drain' | 'done';

interface Rec {
  cid: string;
  sender: number;
  sentAt: number;
  intended: number;
  probe: boolean;
  measured: boolean;
  acked: boolean;
  deliveries: number;
}

interface Member {
  ws: WebSocket;
  idx: number;
  /** Highest roomSeq seen on this connection (events must come in room order, once each). */
  lastSeq: number;
  // Senders only:
  inFlight: number;
  nextReq: number;
  pending: Map<number, Rec>;
  /** Scheduled send times that waited for a free slot in the window (fixed rate only). */
  backlog: number[];
  backHead: number;
}

export async function fanoutScenario(srv: ServerProc, accounts: Account[], o: FanoutOptions) {
  const M = accounts.length;
  const K = Math.min(o.senders, M);
  const expected = M - 1;
  const closes: Record<string, number> = {};
  let phase: Phase = 'setup';
  const opened = await openClients(srv.port, accounts, o.connectConcurrency, (code) =>
    tally(closes, `${phase}:${code}`),
  );
  if (opened.clients.length !== M)
    throw new Error(
      `only ${opened.clients.length} of ${M} members connected: ${JSON.stringify(opened.failures)}`,
    );
  log(`${M} members connected in ${round(opened.seconds)} s`);
  const byName = new Map(opened.clients.map((c) => [c.account.username, c.ws]));
  const members: Member[] = accounts.map((a, i) => ({
    ws: byName.get(a.username)!,
    idx: i,
    lastSeq: 0,
    inFlight: 0,
    nextReq: 1,
    pending: new Map(),
    backlog: [],
    backHead: 0,
  }));
  const senders = members.slice(0, K);
  const text = 'x'.repeat(o.textBytes);
  const outstanding = new Map<string, Rec>();
  const ackLatency = new Samples();
  /** Send to each member's delivery, for every delivery of a message sent in the window. */
  const deliveryLatency = new Samples();
  /** Send to the last of its M-1 deliveries (the whole room has it). */
  const completeLatency = new Samples();
  const ackFromSchedule = new Samples();
  const sendDelay = new Samples();
  const errors: Record<string, number> = {};
  const c = {
    scheduled: 0,
    sent: 0,
    sentMeasured: 0,
    acked: 0,
    ackedInWindow: 0,
    duplicateAcks: 0,
    delivered: 0,
    deliveredInWindow: 0,
    completed: 0,
    extraDeliveries: 0,
    ownDeliveries: 0,
    unknownDeliveries: 0,
    outOfOrder: 0,
    frameErrors: 0,
    otherFrames: 0,
    backlogDropped: 0,
    probesSent: 0,
  };
  let t0 = Infinity;
  let tEnd = Infinity;

  function send(cl: Member, intended: number, probe = false) {
    const id = cl.nextReq++;
    const cid = `${probe ? 'p' : ''}${cl.idx}.${id}`;
    const now = performance.now();
    const rec: Rec = {
      cid,
      sender: cl.idx,
      sentAt: now,
      intended,
      probe,
      measured: phase === 'measure' && !probe,
      acked: false,
      deliveries: 0,
    };
    cl.pending.set(id, rec);
    outstanding.set(cid, rec);
    cl.inFlight++;
    if (probe) c.probesSent++;
    else {
      c.sent++;
      if (rec.measured) {
        c.sentMeasured++;
        if (!o.rateMax) sendDelay.push(now - intended);
      }
    }
    cl.ws.send(
      `{"id":${id},"type":"rooms.send","data":{"room":"${FANOUT_ROOM}","clientId":"${cid}","text":"${text}"}}`,
    );
  }

  function pump(cl: Member) {
    if (phase !== 'warmup' && phase !== 'measure') return;
    if (o.rateMax) {
      while (cl.inFlight < o.windowSize) send(cl, performance.now());
      return;
    }
    while (cl.inFlight < o.windowSize && cl.backHead < cl.backlog.length)
      send(cl, cl.backlog[cl.backHead++]!);
    if (cl.backHead > 1024 && cl.backHead * 2 > cl.backlog.length) {
      cl.backlog = cl.backlog.slice(cl.backHead);
      cl.backHead = 0;
    }
  }

  function complete(rec: Rec) {
    return rec.acked && rec.deliveries >= expected;
  }

  function onFrame(cl: Member, data: Buffer) {
    const s = data.toString();
    const now = performance.now();
    // The server writes frames with JSON.stringify in a fixed key order, so the
    // fields needed are cut out of the text instead of parsing every frame.
    if (s.startsWith(ROOM_MESSAGE)) {
      const q = s.indexOf(ROOM_SEQ) + ROOM_SEQ.length;
      const seq = Number(s.slice(q, s.indexOf(',', q)));
      if (seq <= cl.lastSeq) c.outOfOrder++;
      else cl.lastSeq = seq;
      const i = s.indexOf(CLIENT_ID) + CLIENT_ID.length;
      const cid = s.slice(i, s.indexOf('"', i));
      const rec = outstanding.get(cid);
      if (!rec) {
        c.unknownDeliveries++;
        return;
      }
      if (rec.sender === cl.idx) {
        c.ownDeliveries++;
        return;
      }
      rec.deliveries++;
      if (rec.deliveries > expected) {
        c.extraDeliveries++;
        return;
      }
      if (!rec.probe) {
        c.delivered++;
        if (now >= t0 && now < tEnd) c.deliveredInWindow++;
        if (rec.measured) deliveryLatency.push(now - rec.sentAt);
        if (rec.deliveries === expected) {
          c.completed++;
          if (rec.measured) completeLatency.push(now - rec.sentAt);
        }
      }
      if (complete(rec)) outstanding.delete(cid);
    } else if (s.startsWith(REPLY)) {
      const end = s.indexOf(',', REPLY.length);
      const re = Number(s.slice(REPLY.length, end));
      const rec = cl.pending.get(re);
      if (!rec) return;
      cl.pending.delete(re);
      cl.inFlight--;
      if (s.startsWith('"ok":true', end + 1)) {
        rec.acked = true;
        if (s.includes('"duplicate":true')) c.duplicateAcks++;
        if (!rec.probe) {
          c.acked++;
          if (now >= t0 && now < tEnd) c.ackedInWindow++;
          if (rec.measured) {
            ackLatency.push(now - rec.sentAt);
            if (!o.rateMax) ackFromSchedule.push(now - rec.intended);
          }
        }
        if (complete(rec)) outstanding.delete(rec.cid);
      } else {
        const j = JSON.parse(s) as { error?: { condition?: string; text?: string } };
        tally(errors, `${j.error?.condition}: ${j.error?.text}`);
        outstanding.delete(rec.cid);
      }
      pump(cl);
    } else if (s.startsWith('{"type":"error"')) {
      c.frameErrors++;
      if (c.frameErrors <= 5) log(`error frame: ${s.slice(0, 200)}`);
    } else c.otherFrames++;
  }

  for (const m of members) m.ws.on('message', (data: Buffer) => onFrame(m, data));

  // Readiness: a node learns a user's rooms asynchronously when the user connects.
  // Probe messages (not counted) until one reaches all M-1 other members.
  phase = 'probe';
  const probeStart = performance.now();
  let probeReached = 0;
  let probeOk = false;
  for (let attempt = 0; attempt < 6 && !probeOk; attempt++) {
    const sender = senders[0]!;
    const cid = `p${sender.idx}.${sender.nextReq}`;
    send(sender, performance.now(), true);
    const rec = outstanding.get(cid)!;
    const until = performance.now() + 10_000;
    while (!complete(rec) && performance.now() < until) await sleep(20);
    probeReached = rec.deliveries;
    probeOk = complete(rec);
    if (!probeOk)
      log(`probe ${attempt + 1}: ${rec.deliveries}/${expected} delivered, acked ${rec.acked}`);
  }
  if (!probeOk)
    throw new Error(`the room never reached all members: a probe got ${probeReached}/${expected}`);
  const readySeconds = (performance.now() - probeStart) / 1000;
  log(`room ready: a probe reached all ${expected} other members in ${round(readySeconds)} s`);

  const load = o.rateMax
    ? `as fast as possible, window ${o.windowSize}`
    : `${o.rate} msg/s (window ${o.windowSize})`;
  log(`${M} members, ${K} senders; ${load}; warmup ${o.warmup} s, measure ${o.duration} s`);
  const start = performance.now();
  phase = 'warmup';
  let ticker: NodeJS.Timeout | undefined;
  if (o.rateMax) for (const cl of senders) pump(cl);
  else {
    ticker = setInterval(() => {
      if (phase !== 'warmup' && phase !== 'measure') return;
      // Message k is due at start + k / rate, round-robin over the senders.
      const due = Math.floor(((performance.now() - start) / 1000) * o.rate) + 1;
      while (c.scheduled < due) {
        const intended = start + (c.scheduled / o.rate) * 1000;
        const cl = senders[c.scheduled % K]!;
        c.scheduled++;
        if (cl.inFlight < o.windowSize && cl.backHead === cl.backlog.length) send(cl, intended);
        else cl.backlog.push(intended);
      }
    }, 1);
  }

  await sleep(o.warmup * 1000);
  const sqlBefore = o.sqlStats ? await srv.sql() : undefined;
  const pid = srv.child.pid!;
  const gen0 = process.cpuUsage();
  const p0 = procSample(pid);
  const m0 = machineSample();
  t0 = performance.now();
  phase = 'measure';
  void srv.stats().catch(() => undefined);
  const samples: {
    t: number;
    rss: number;
    acked: number;
    delivered: number;
    cpu: number;
    loopP99Ms?: number;
  }[] = [];
  let last = p0;
  let lastAcked = c.ackedInWindow;
  let lastDelivered = c.deliveredInWindow;
  const step = Math.min(5, o.duration);
  while (o.duration * 1000 - (performance.now() - t0) > 50) {
    await sleep(Math.min(step * 1000, o.duration * 1000 - (performance.now() - t0)));
    const p = procSample(pid);
    const dt = (p.at - last.at) / 1000;
    const sample: (typeof samples)[number] = {
      t: round((p.at - t0) / 1000, 1),
      rss: p.rss,
      acked: Math.round((c.ackedInWindow - lastAcked) / dt),
      delivered: Math.round((c.deliveredInWindow - lastDelivered) / dt),
      cpu: round((p.cpuSeconds - last.cpuSeconds) / dt),
    };
    samples.push(sample);
    void srv.stats().then(
      (s) => (sample.loopP99Ms = round(s.loopDelayP99Ms)),
      () => undefined,
    );
    log(
      `  t=${sample.t}s acked ${sample.acked}/s delivered ${sample.delivered}/s server cpu ${sample.cpu} rss ${round(p.rss / 2 ** 20, 1)} MB`,
    );
    last = p;
    lastAcked = c.ackedInWindow;
    lastDelivered = c.deliveredInWindow;
  }
  const p1 = procSample(pid);
  const m1 = machineSample();
  tEnd = p1.at;
  const sql = sqlBefore ? sqlPerMessage(sqlBefore, await srv.sql(), c.ackedInWindow) : undefined;
  phase = 'drain';
  const gen1 = process.cpuUsage(gen0);
  const windowSeconds = (tEnd - t0) / 1000;
  if (ticker) clearInterval(ticker);
  for (const cl of senders) {
    c.backlogDropped += cl.backlog.length - cl.backHead;
    cl.backlog = [];
    cl.backHead = 0;
  }

  // Drain: every reply, and all M-1 deliveries of every acked message, or the grace ends.
  const drainStart = performance.now();
  const settled = () => {
    if (senders.some((cl) => cl.inFlight > 0)) return false;
    for (const r of outstanding.values()) if (r.acked) return false;
    return true;
  };
  while (!settled() && performance.now() - drainStart < o.grace * 1000) await sleep(50);
  const drainSeconds = (performance.now() - drainStart) / 1000;
  phase = 'done';
  let lostDeliveries = 0;
  let incompleteMessages = 0;
  for (const r of outstanding.values())
    if (r.acked && !r.probe && r.deliveries < expected) {
      incompleteMessages++;
      lostDeliveries += expected - r.deliveries;
    }
  const unacked = senders.reduce((n, cl) => n + cl.inFlight, 0);
  const p2 = procSample(pid);
  const s2 = await srv.stats();
  await closeClients(opened.clients);

  const serverCpu = p1.cpuSeconds - p0.cpuSeconds;
  const perCpu = (n: number) => (serverCpu > 0 ? round(n / serverCpu, 0) : null);
  return {
    members: M,
    senders: K,
    targetRate: o.rateMax ? 'max' : o.rate,
    window: o.windowSize,
    textBytes: o.textBytes,
    warmupSeconds: o.warmup,
    windowSeconds: round(windowSeconds),
    connectSeconds: round(opened.seconds),
    readySeconds: round(readySeconds),
    // Messages acknowledged (committed) per second in the window, and deliveries received.
    throughput: round(c.ackedInWindow / windowSeconds, 1),
    deliveriesPerSecond: round(c.deliveredInWindow / windowSeconds, 0),
    ackedInWindow: c.ackedInWindow,
    deliveredInWindow: c.deliveredInWindow,
    serverCpuSeconds: round(serverCpu, 3),
    serverCpuUtilization: round(serverCpu / windowSeconds),
    serverCpuUserSeconds: round(p1.userSeconds - p0.userSeconds, 2),
    serverCpuSystemSeconds: round(p1.systemSeconds - p0.systemSeconds, 2),
    // The headline: live deliveries written by the server per second of its CPU.
    deliveriesPerServerCpuSecond: perCpu(c.deliveredInWindow),
    // The same from the acks: each acked message owes M-1 deliveries.
    ackedTimesRecipientsPerServerCpuSecond: perCpu(c.ackedInWindow * expected),
    msgsPerServerCpuSecond: perCpu(c.ackedInWindow),
    serverCpuUsPerMessage: c.ackedInWindow ? round((serverCpu * 1e6) / c.ackedInWindow, 0) : null,
    ackLatencyMs: ackLatency.summary(),
    deliveryLatencyMs: deliveryLatency.summary(),
    completeLatencyMs: completeLatency.summary(),
    ...(o.rateMax
      ? {}
      : {
          ackFromScheduleMs: ackFromSchedule.summary(),
          sendDelayMs: sendDelay.summary(),
          scheduled: c.scheduled,
        }),
    sent: c.sent,
    sentMeasured: c.sentMeasured,
    acked: c.acked,
    expectedDeliveries: c.acked * expected,
    delivered: c.delivered,
    completedMessages: c.completed,
    lostDeliveries,
    incompleteMessages,
    unacked,
    backlogDropped: c.backlogDropped,
    duplicateAcks: c.duplicateAcks,
    extraDeliveries: c.extraDeliveries,
    ownDeliveries: c.ownDeliveries,
    unknownDeliveries: c.unknownDeliveries,
    outOfOrder: c.outOfOrder,
    errors,
    frameErrors: c.frameErrors,
    otherFrames: c.otherFrames,
    closedByServer: closes,
    drainSeconds: round(drainSeconds),
    serverRss: {
      start: p0.rss,
      end: p1.rss,
      max: Math.max(p0.rss, p1.rss, ...samples.map((x) => x.rss)),
      afterDrain: p2.rss,
    },
    serverLoopDelayP99MsWorst: Math.max(0, ...samples.map((x) => x.loopP99Ms ?? 0)),
    serverHeapUsedAfterDrain: s2.heapUsed,
    serverSessions: s2.sessions,
    perInterval: samples,
    ...(sql ? { sql } : {}),
    generatorCpuSeconds: round((gen1.user + gen1.system) / 1e6, 3),
    generatorCpuUtilization: round((gen1.user + gen1.system) / 1e6 / windowSeconds),
    machineCpuUtilization: round((m1.busySeconds - m0.busySeconds) / windowSeconds),
    postgresCpuUtilization: round((m1.postgresSeconds - m0.postgresSeconds) / windowSeconds),
  };
}

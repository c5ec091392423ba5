// Small fakes for the no-DOM layer's tests: a manual clock with timers, a WebSocket and an
// RTCPeerConnection that record what is done to them. (Node runs every file under test/
// as a test, so this one checks its own clock too.)
import test from 'node:test';
import assert from 'node:assert/strict';

/** A manual clock: timers fire only when advance() moves time past them, in time order. */
export function fakeTime(start = 1_000_000) {
  let now = start;
  let seq = 0;
  const timers = new Map(); // id → {at, fn, every}
  const api = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms || 0), fn, every: null });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    setInterval(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn, every: ms });
      return id;
    },
    clearInterval(id) {
      timers.delete(id);
    },
    /** Moves time forward by `ms`, firing due timers in order. */
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let next = null;
        for (const [id, x] of timers) if (x.at <= end && (!next || x.at < next[1].at)) next = [id, x];
        if (!next) break;
        const [id, x] = next;
        now = x.at;
        if (x.every) x.at += x.every;
        else timers.delete(id);
        x.fn();
      }
      now = end;
    },
    /** Pending timers' due times, sorted. */
    pending: () => [...timers.values()].map((x) => x.at).sort((a, b) => a - b),
  };
  return api;
}

/** Lets queued promise callbacks run (the call chains its steps on promises). */
export async function settle(rounds = 20) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** A WebSocket that records what is sent; the test opens, feeds and closes it. */
export class FakeSocket {
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closed = null;
  }
  send(data) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data));
  }
  close(code, reason) {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  /** Test side: the connection opens. */
  open() {
    this.readyState = 1;
    if (this.onopen) this.onopen();
  }
  /** Test side: a frame from the server (an object is sent as JSON). */
  receive(msg) {
    if (this.onmessage) this.onmessage({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  }
  /** Test side: the server or the network closes the connection. */
  drop(code = 1006, reason = '') {
    this.readyState = 3;
    if (this.onclose) this.onclose({ code, reason });
  }
  types() {
    return this.sent.map((m) => m.type);
  }
}

/** A socket factory that remembers every socket it made. */
export function socketFactory() {
  const made = [];
  const open = (url) => {
    const ws = new FakeSocket(url);
    made.push(ws);
    return ws;
  };
  open.made = made;
  open.last = () => made[made.length - 1];
  return open;
}

/** An RTCPeerConnection with the signaling states of the real one and a log of calls. */
export class FakePeerConnection {
  constructor(config) {
    this.config = config;
    this.signalingState = 'stable';
    this.connectionState = 'new';
    this.iceConnectionState = 'new';
    this.localDescription = null;
    this.remoteDescription = null;
    this.log = [];
    this.candidates = [];
    this.transceivers = [];
    this.tracks = [];
    this.closedAt = null;
  }
  addTrack(track) {
    this.tracks.push(track);
  }
  getTransceivers() {
    return this.transceivers;
  }
  addTransceiver(kind, init) {
    const tr = { receiver: { track: { kind } }, direction: init.direction, mid: null, sender: { track: null, async replaceTrack(t) { this.track = t; } } };
    this.transceivers.push(tr);
    return tr;
  }
  /** The test sets the kinds of the m-lines a remote offer has (`offerLines`); setting it
   * makes the transceivers a browser would, receive-only, after those already there. */
  linesFromOffer() {
    for (const [i, kind] of (this.offerLines || []).entries()) {
      if (!this.transceivers[i]) this.addTransceiver(kind, { direction: 'recvonly' });
    }
  }
  /** Negotiated transceivers have a mid: their m-line's index. */
  assignMids() {
    this.transceivers.forEach((tr, i) => {
      if (tr.mid === null) tr.mid = String(i);
    });
  }
  createDataChannel(label, opts) {
    const ch = new FakeChannel(label, opts);
    (this.channels = this.channels || []).push(ch);
    return ch;
  }
  async createOffer(opts) {
    this.log.push(opts && opts.iceRestart ? 'createOffer(iceRestart)' : 'createOffer');
    return { type: 'offer', sdp: 'offer-sdp' + (opts && opts.iceRestart ? '-restart' : '') };
  }
  async createAnswer() {
    this.log.push('createAnswer');
    return { type: 'answer', sdp: 'answer-sdp' };
  }
  async setLocalDescription(d) {
    this.log.push('setLocal:' + d.type);
    if (d.type === 'rollback') {
      this.localDescription = null;
      this.signalingState = 'stable';
    } else {
      this.localDescription = d;
      this.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable';
      this.assignMids();
    }
  }
  async setRemoteDescription(d) {
    this.log.push('setRemote:' + d.type);
    this.remoteDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
    if (d.type === 'offer') this.linesFromOffer();
    this.assignMids();
  }
  async addIceCandidate(c) {
    this.log.push('addIce');
    this.candidates.push(c);
  }
  restartIce() {
    this.log.push('restartIce');
  }
  getConfiguration() {
    return this.config;
  }
  setConfiguration(config) {
    this.log.push('setConfiguration');
    this.config = config;
  }
  close() {
    this.signalingState = 'closed';
    this.closedAt = this.log.length;
  }
  /** Test side: the browser found a local candidate. */
  gather(candidate) {
    this.onicecandidate({ candidate: { toJSON: () => candidate } });
  }
  /** Test side: the connection's state changes. */
  state(cs, ics = cs) {
    this.connectionState = cs;
    this.iceConnectionState = ics;
    if (this.onconnectionstatechange) this.onconnectionstatechange();
  }
}

/** An RTCDataChannel that records what is sent; the test opens it and feeds it. */
export class FakeChannel {
  constructor(label, opts = {}) {
    this.label = label;
    this.id = opts.id;
    this.negotiated = !!opts.negotiated;
    this.readyState = 'connecting';
    this.bufferedAmount = 0;
    this.sent = [];
  }
  send(data) {
    if (this.readyState !== 'open') throw new Error('send on a channel that is not open');
    this.sent.push(data);
  }
  close() {
    this.readyState = 'closed';
  }
  /** Test side: the channel opens. */
  open() {
    this.readyState = 'open';
    if (this.onopen) this.onopen();
  }
  /** Test side: a message from the other end (an object is sent as JSON text). */
  receive(data) {
    if (this.onmessage) this.onmessage({ data: typeof data === 'object' && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data) ? JSON.stringify(data) : data });
  }
  /** The JSON text messages sent, parsed. */
  texts() {
    return this.sent.filter((x) => typeof x === 'string').map((x) => JSON.parse(x));
  }
}

/** A peer-connection factory that remembers every connection it made. */
export function pcFactory() {
  const made = [];
  const make = (config) => {
    const pc = new FakePeerConnection(config);
    made.push(pc);
    return pc;
  };
  make.made = made;
  make.last = () => made[made.length - 1];
  return make;
}

/** A MediaStream holding tracks. */
export class FakeStream {
  constructor(tracks = []) {
    this.tracks = tracks;
  }
  getTracks() {
    return this.tracks;
  }
  addTrack(t) {
    this.tracks.push(t);
  }
}

/** A local track that can be stopped and muted. */
export function fakeTrack(kind) {
  return { kind, enabled: true, stopped: false, stop() { this.stopped = true; } };
}

test('the fake clock fires timers in time order, intervals repeatedly', () => {
  const time = fakeTime(0);
  const seen = [];
  time.setTimeout(() => seen.push('b@' + time.now()), 20);
  time.setTimeout(() => seen.push('a@' + time.now()), 10);
  const every = time.setInterval(() => seen.push('i@' + time.now()), 15);
  time.advance(31);
  time.clearInterval(every);
  time.advance(100);
  assert.deepEqual(seen, ['a@10', 'i@15', 'b@20', 'i@30']);
  assert.equal(time.now(), 131);
});

/**
 * A call (call.js's createCall, passed in) joined as `side` with the other side's
 * connection made, its data channels open: what the in-room modules (screen, chat, files)
 * work on. `extra` goes to createCall.
 */
export async function connectedCall(createCall, { side = 'vendor', joined = {}, ...extra } = {}) {
  const time = fakeTime(1_000_000);
  const sockets = socketFactory();
  const pcs = pcFactory();
  const events = [];
  const call = createCall({
    meetingId: 'm-1',
    token: 'TOKEN',
    url: 'ws://x/ws',
    openSocket: sockets,
    newPeerConnection: pcs,
    newMediaStream: () => new FakeStream(),
    emit: (type, detail) => events.push([type, detail]),
    timers: time,
    now: time.now,
    ...extra,
  });
  call.start();
  const ws = sockets.last();
  ws.open();
  ws.receive({ type: 'joined', phase: 'live', peer_present: true, ice_servers: [], you: { side }, ...joined });
  await settle();
  const pc = pcs.last() || null;
  const channels = (pc && pc.channels) || [];
  for (const ch of channels) ch.open();
  const [control, files] = channels;
  return { call, st: call.st, time, sockets, ws, pcs, pc, control, files, events };
}

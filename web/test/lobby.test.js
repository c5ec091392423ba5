// wire/lobby.js: the lobby client — hello first, reconnects and their backoff, the status
// it keeps, admissions (now, or once a conversation is over), the vendor's auto-check-in.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createLobby, markOf, walkInDeadlines } from '../js/wire/lobby.js';
import { fakeTime, settle, socketFactory } from './fakes.js';

function idSet(ids = []) {
  const s = new Set(ids);
  return { has: (x) => s.has(x), add: (x) => s.add(x), remove: (x) => s.delete(x), raw: s };
}

function setup(extra = {}) {
  const time = fakeTime(1_000_000);
  const sockets = socketFactory();
  const events = [];
  const notes = [];
  const leftRooms = idSet();
  const lobbyLeft = idSet();
  const opts = {
    url: 'ws://x/ws/lobby',
    token: 'TOKEN',
    role: 'vendor',
    openSocket: sockets,
    noteServerTime: (...a) => notes.push(a),
    leftRooms,
    lobbyLeft,
    emit: (type, detail) => events.push([type, detail]),
    timers: time,
    now: time.now,
    random: () => 0.5, // no jitter
    ...extra,
  };
  const lobby = createLobby(opts);
  return { lobby, L: lobby.L, time, sockets, events, notes, leftRooms, lobbyLeft, of: (type) => events.filter((e) => e[0] === type).map((e) => e[1]) };
}

function connected(s, welcome = { type: 'welcome', server_time: 123 }) {
  s.lobby.start();
  const ws = s.sockets.last();
  ws.open();
  ws.receive(welcome);
  return ws;
}

const BOOTH = { id: 'i1', name: '종로구' };
const vendorStatus = (over = {}) => ({ type: 'vendor_status', server_time: 2_000_000, places: [], in_room: null, ...over });

test('hello is the first message, with the token; welcome marks the lobby connected', () => {
  const s = setup();
  const ws = connected(s);
  assert.deepEqual(ws.sent[0], { type: 'hello', v: 1, token: 'TOKEN' });
  assert.equal(ws.sent[1].type, 'ping');
  assert.equal(s.L.connected, true);
  assert.equal(s.L.downSince, 0);
  assert.deepEqual(s.notes, [[123]]);
  assert.equal(s.of('change').length, 1);
});

test('a lost lobby reconnects after 1, 2, 4, 8, 15, 15 s; welcome resets the wait', () => {
  const s = setup();
  connected(s);
  const waits = [];
  for (let i = 0; i < 6; i++) {
    const n = s.sockets.made.length;
    const at = s.time.now();
    s.sockets.last().drop();
    assert.equal(s.L.connected, false);
    while (s.sockets.made.length === n) s.time.advance(50);
    waits.push(s.time.now() - at);
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 15000, 15000]);
  s.sockets.last().open();
  s.sockets.last().receive({ type: 'welcome', server_time: 1 });
  const n = s.sockets.made.length;
  const at = s.time.now();
  s.sockets.last().drop();
  while (s.sockets.made.length === n) s.time.advance(50);
  assert.equal(s.time.now() - at, 1000);
});

test('the reconnect wait has ±20 % jitter', () => {
  for (const [r, wait] of [[0, 800], [0.5, 1000], [0.999, 1200]]) {
    const s = setup({ random: () => r });
    connected(s);
    s.sockets.last().drop();
    s.time.advance(wait - 1);
    assert.equal(s.sockets.made.length, 1, `random ${r}: not before ${wait} ms`);
    s.time.advance(1);
    assert.equal(s.sockets.made.length, 2, `random ${r}: at ${wait} ms`);
  }
});

test('a fatal refusal stops reconnecting; not_joined is only a notice', () => {
  const s = setup();
  const ws = connected(s);
  ws.receive({ type: 'error', code: 'not_joined', message: 'x', fatal: true });
  assert.equal(s.L.fatal, null);
  assert.deepEqual(s.of('error').at(-1), { error: { code: 'not_joined', message: 'x', fatal: true }, notify: true });
  ws.receive({ type: 'error', code: 'token_expired', message: 'old', fatal: true });
  assert.deepEqual(s.L.fatal, { code: 'token_expired', message: 'old' });
  assert.equal(s.of('error').at(-1).notify, false);
  ws.drop();
  s.time.advance(120000);
  assert.equal(s.sockets.made.length, 1);
  assert.equal(s.lobby.alive(), true); // refused for good counts as settled: no new client
});

test('temporarily_unavailable shows the banner until /readyz answers', async () => {
  let ready = false;
  const s = setup({ checkReady: async () => ready });
  const ws = connected(s);
  ws.receive({ type: 'error', code: 'temporarily_unavailable', message: 'redis', fatal: false });
  assert.equal(s.L.unavailable, true);
  assert.equal(s.of('error').at(-1).notify, false);
  s.time.advance(3000);
  await settle();
  assert.equal(s.L.unavailable, true);
  ready = true;
  s.time.advance(3000);
  await settle();
  assert.equal(s.L.unavailable, false);
});

test('a status clears the store-trouble banner', () => {
  const s = setup();
  const ws = connected(s);
  ws.receive({ type: 'error', code: 'temporarily_unavailable', fatal: false });
  ws.receive(vendorStatus());
  assert.equal(s.L.unavailable, false);
});

test('markOf gives body[data-lobby] for both sides', () => {
  assert.equal(markOf(null), 'idle');
  assert.equal(markOf(vendorStatus()), 'idle');
  assert.equal(markOf(vendorStatus({ places: [{}] })), 'waiting');
  assert.equal(markOf(vendorStatus({ places: [{}], in_room: { meeting: 'm' } })), 'admitted');
  assert.equal(markOf({ type: 'booth_status', queue: [], current: null }), 'idle');
  assert.equal(markOf({ type: 'booth_status', queue: [{}], current: null }), 'waiting');
  assert.equal(markOf({ type: 'booth_status', queue: [], current: { meeting: 'm' } }), 'admitted');
});

test('walk-in deadlines move only when the estimate moves by 1.5 s or more', () => {
  const place = (wait) => ({ booth: { id: 'b' }, meeting: null, estimated_wait_s: wait });
  let eta = walkInDeadlines({ server_time: 10_000, places: [place(60)] }, {});
  assert.deepEqual(eta, { b: 70_000 });
  eta = walkInDeadlines({ server_time: 11_000, places: [place(60)] }, eta); // 71 000: within 1.5 s
  assert.deepEqual(eta, { b: 70_000 });
  eta = walkInDeadlines({ server_time: 12_000, places: [place(60)] }, eta); // 72 000: moved
  assert.deepEqual(eta, { b: 72_000 });
  assert.deepEqual(walkInDeadlines({ server_time: 0, places: [{ booth: { id: 'c' }, meeting: 'm', estimated_wait_s: 5 }] }, {}), {});
});

test('a vendor sent back from the room to the queue is told so', () => {
  const s = setup();
  const ws = connected(s);
  const room = { meeting: 'w-1', booth: BOOTH, until: 5 };
  ws.receive(vendorStatus({ in_room: room }));
  ws.receive(vendorStatus({ places: [{ booth: BOOTH, position: 3, waiting: 3 }] }));
  assert.deepEqual(s.of('sent-back'), [{ room }]);
});

test('admitted: the room is entered at once, unless left on purpose or already there', () => {
  const s = setup({ atRoom: (id) => id === 'here' });
  const ws = connected(s);
  ws.receive({ type: 'admitted', room: { meeting: 'w-1', booth: BOOTH } });
  assert.deepEqual(s.of('enter'), [{ room: { meeting: 'w-1', booth: BOOTH }, name: '종로구' }]);
  assert.deepEqual(s.L.admitted, { meeting: 'w-1', booth: BOOTH });
  s.leftRooms.add('w-2');
  ws.receive({ type: 'admitted', room: { meeting: 'w-2', booth: BOOTH } });
  ws.receive({ type: 'admitted', room: { meeting: 'here', booth: BOOTH } });
  assert.equal(s.of('enter').length, 1);
});

test('admitted during a conversation: told once, entered when the conversation is over', () => {
  let busy = true;
  const s = setup({ role: 'buyer', busyElsewhere: () => busy });
  const ws = connected(s);
  const cur = { meeting: 'm-2', walk_in: false, enterprise: { id: 'e1', name: '(주)함께' } };
  ws.receive({ type: 'booth_status', queue: [], current: cur });
  ws.receive({ type: 'booth_status', queue: [], current: { ...cur, until: 9 } }); // same meeting: no new turn
  assert.deepEqual(s.of('turn'), [{ room: cur, name: '(주)함께' }]);
  assert.deepEqual(s.of('enter'), []);
  s.time.advance(3000);
  assert.deepEqual(s.of('enter'), []);
  busy = false;
  s.time.advance(1000);
  assert.equal(s.of('enter').length, 1);
  assert.equal(s.of('enter')[0].room.meeting, 'm-2');
});

test('a deferred admission that the lobby took back is dropped', () => {
  let busy = true;
  const s = setup({ role: 'buyer', busyElsewhere: () => busy });
  const ws = connected(s);
  ws.receive({ type: 'booth_status', queue: [], current: { meeting: 'm-2', walk_in: false, enterprise: { id: 'e1', name: 'x' } } });
  ws.receive({ type: 'booth_status', queue: [], current: null });
  busy = false;
  s.time.advance(2000);
  assert.deepEqual(s.of('enter'), []);
  assert.equal(s.L.deferred, null);
});

test('a walk-in let in at the booth does not pull the buyer into the room', () => {
  const s = setup({ role: 'buyer' });
  const ws = connected(s);
  ws.receive({ type: 'booth_status', queue: [], current: { meeting: 'w-9', walk_in: true, enterprise: { id: 'e', name: 'x' } } });
  assert.deepEqual(s.of('enter'), []);
});

const booked = { id: 'm-1', institution: { id: 'i1' }, window: { starts_at: 2_000_000 }, phase: 'check-in' };

test('auto-enter checks in once by itself, then waits for the start in the room', () => {
  const s = setup({ phaseOf: () => 'check-in' });
  const ws = connected(s);
  ws.receive(vendorStatus());
  assert.equal(s.lobby.autoStep(booked, 1_990_000), 'wait');
  assert.equal(s.lobby.autoStep(booked, 1_990_000), 'wait');
  assert.deepEqual(ws.sent.filter((m) => m.type === 'check_in'), [{ type: 'check_in', booth: 'i1', meeting: 'm-1' }]);
  ws.receive(vendorStatus({ places: [{ booth: { id: 'i1' }, meeting: 'm-1', position: 1, waiting: 1 }] }));
  assert.equal(s.L.autoPending, null);
  assert.deepEqual(s.lobby.placeFor('m-1'), { booth: { id: 'i1' }, meeting: 'm-1', position: 1, waiting: 1 });
  // Checked in for the booking: the vendor waits for the start in the room itself.
  assert.equal(s.lobby.autoStep(booked, 1_990_000), 'enter');
  // Waiting at the booth otherwise (a walk-in place): the lobby admits, or 20 s after the start the room.
  ws.receive(vendorStatus({ places: [{ booth: { id: 'i1' }, meeting: null, position: 1, waiting: 1 }] }));
  assert.equal(s.lobby.autoStep(booked, 2_019_000), 'wait');
  assert.equal(s.lobby.autoStep(booked, 2_021_000), 'enter'); // 20 s after the start, no admission
});

test('a refused automatic check-in falls back to entering the room', () => {
  const s = setup();
  const ws = connected(s);
  ws.receive(vendorStatus());
  s.lobby.autoStep(booked, 0);
  ws.receive({ type: 'error', code: 'no_walk_ins', message: 'no', fatal: false });
  assert.equal(s.lobby.autoStep(booked, 0), 'enter');
});

test('a busy refusal retries the check-in after 5 s', () => {
  const s = setup();
  const ws = connected(s);
  ws.receive(vendorStatus());
  s.lobby.autoStep(booked, 0);
  ws.receive({ type: 'error', code: 'busy', message: 'x', fatal: false });
  assert.equal(s.lobby.autoStep(booked, 0), 'wait');
  assert.equal(ws.sent.filter((m) => m.type === 'check_in').length, 1);
  s.time.advance(5000);
  assert.equal(s.lobby.autoStep(booked, 0), 'wait');
  assert.equal(ws.sent.filter((m) => m.type === 'check_in').length, 2);
});

test('auto-enter goes straight to the room when the lobby is down for 10 s, or refused us', () => {
  const s = setup();
  s.lobby.start(); // never opens
  assert.equal(s.lobby.autoStep(booked, 0), 'wait');
  s.time.advance(10001);
  assert.equal(s.lobby.autoStep(booked, 0), 'enter');
  const f = setup();
  const ws = connected(f);
  ws.receive({ type: 'error', code: 'token_invalid', fatal: true });
  assert.equal(f.lobby.autoStep(booked, 0), 'enter');
});

test('a queue left on purpose is not joined again by auto-enter; checking in by hand clears that', () => {
  const s = setup();
  const ws = connected(s);
  ws.receive(vendorStatus());
  s.lobby.leave({ booth: { id: 'i1' }, meeting: 'm-1' });
  assert.deepEqual(ws.sent.at(-1), { type: 'leave_queue', booth: 'i1' });
  assert.equal(s.lobby.autoStep(booked, 0), 'none');
  s.lobby.checkIn('i1', 'm-1');
  assert.deepEqual(ws.sent.at(-1), { type: 'check_in', booth: 'i1', meeting: 'm-1' });
  assert.equal(s.lobbyLeft.has('m-1'), false);
  s.lobby.checkIn('i2', null);
  assert.deepEqual(ws.sent.at(-1), { type: 'check_in', booth: 'i2' });
});

test('too late to queue (grace) enters directly; buyers always enter directly', () => {
  const s = setup({ phaseOf: () => 'grace' });
  const ws = connected(s);
  ws.receive(vendorStatus());
  assert.equal(s.lobby.autoStep(booked, 0), 'enter');
  const b = setup({ role: 'buyer' });
  assert.equal(b.lobby.autoStep(booked, 0), 'enter');
});

test('stop closes the socket for good', () => {
  const s = setup();
  const ws = connected(s);
  s.lobby.stop();
  assert.deepEqual(ws.closed, { code: 1000, reason: 'bye' });
  s.time.advance(60000);
  assert.equal(s.sockets.made.length, 1);
  assert.equal(s.lobby.alive(), false);
});

test('the snapshot for the test hooks follows the last status', () => {
  const s = setup();
  const ws = connected(s);
  ws.receive(vendorStatus({ places: [{ booth: BOOTH }] }));
  const snap = s.lobby.snapshot();
  assert.equal(snap.connected, true);
  assert.equal(snap.role, 'vendor');
  assert.deepEqual(snap.places, [{ booth: BOOTH }]);
  assert.equal(snap.booth, null);
});

test('an announcement on the lobby socket is passed to the page', () => {
  const s = setup();
  const ws = connected(s);
  const msg = { type: 'announcement', id: 'a-1', text: '2회차가 5분 후 시작합니다.', from: '운영자 김민수', audience: { to: 'all' }, at: 5 };
  ws.receive(msg);
  assert.deepEqual(s.of('announcement'), [msg]);
  assert.equal(s.L.connected, true);
});

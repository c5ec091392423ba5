// wire/board.js: the moderators' board client — hello first (with the round asked for),
// the model kept from board / board_update / activity, watch, pings, reconnects, and the
// pure helpers the page filters and counts with.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createBoard, applyBoard, applyUpdate, applyActivity, emptyModel, filterRooms, needsAttention, timeLeft, contactsFor, absentSides, boothsOf, ACTIVITY_CAP } from '../js/wire/board.js';
import { fakeTime, socketFactory } from './fakes.js';

const ORG = (id, name) => ({ id, name, kind: 'district', kind_label: '자치구' });
const I1 = ORG('i001', '서울특별시');
const I2 = ORG('i002', '종로구');
const E1 = ORG('e001', '(주)함께만드는세상');
const E2 = ORG('e002', '마을협동조합');

function room(id, { inst = I1, ent = E1, start = 1000, round = 1, phase = 'live', attention = [], ends = 2000, buyer = null, vendor = null } = {}) {
  return {
    meeting: { id, round, theme: 't', slot: 0, starts_at: start, ends_at: ends, institution: inst, enterprise: ent },
    walk_in: false,
    window: { checkin_opens_at: start - 600, starts_at: start, ends_at: ends, closes_at: ends + 60, no_show_at: start + 120 },
    phase,
    buyer,
    vendor,
    moderator: null,
    no_show: null,
    no_show_marked: false,
    attention,
    actions: 0,
  };
}

const BOARD = {
  type: 'board',
  v: 1,
  round: 1,
  rounds: [{ number: 1, theme: 't1', starts_at: 0, ends_at: 1 }, { number: 2, theme: 't2', starts_at: 2, ends_at: 3 }],
  server_time: 5000,
  counts: { rooms: 2, live: 2, attention: 1 },
  rooms: [room('r1-s01-i001', { start: 2000 }), room('r1-s00-i002', { inst: I2, ent: E2, attention: [{ kind: 'absent', side: 'vendor' }] })],
  booths: [{ institution: I1, buyer_here: true, waiting: [], current: null }, { institution: I2, buyer_here: false, waiting: [], current: null }],
  contacts: [
    { participant: 'p-v-e002', name: '박민준', role: 'vendor', organisation: E2.name, phone: '02-1', email: 'e2@x' },
    { participant: 'p-b-i002', name: '최', role: 'buyer', organisation: I2.name, phone: '02-2', email: 'i2@x' },
    { participant: 'p-v-x', name: '다른', role: 'vendor', organisation: '다른 기업', phone: '02-3', email: null },
  ],
  activity: [{ at: 4000, moderator: 'p-mod-1', name: '김', action: 'join', meeting: 'r1-s00-i002' }],
};

function setup(extra = {}) {
  const time = fakeTime(1_000_000);
  const sockets = socketFactory();
  const events = [];
  const notes = [];
  const board = createBoard({ url: 'ws://x/ws/board', token: 'TOKEN', openSocket: sockets, noteServerTime: (...a) => notes.push(a), emit: (type, d) => events.push([type, d]), timers: time, now: time.now, random: () => 0.5, ...extra });
  return { board, B: board.B, time, sockets, events, notes, of: (type) => events.filter((e) => e[0] === type).map((e) => e[1]) };
}

function connected(s) {
  s.board.start();
  const ws = s.sockets.last();
  ws.open();
  ws.receive(BOARD);
  return ws;
}

test('hello goes first with the token (and the round asked for), then a ping', () => {
  const s = setup({ round: 2 });
  s.board.start();
  s.sockets.last().open();
  assert.deepEqual(s.sockets.last().sent[0], { type: 'hello', v: 1, token: 'TOKEN', round: 2 });
  assert.equal(s.sockets.last().sent[1].type, 'ping');
  const t = setup();
  t.board.start();
  t.sockets.last().open();
  assert.deepEqual(t.sockets.last().sent[0], { type: 'hello', v: 1, token: 'TOKEN' });
});

test('board replaces the model: rooms in schedule order, counts, contacts, activity', () => {
  const s = setup();
  connected(s);
  const m = s.board.model();
  assert.equal(s.B.connected, true);
  assert.equal(m.round, 1);
  assert.deepEqual(m.rooms.map((r) => r.meeting.id), ['r1-s00-i002', 'r1-s01-i001']);
  assert.equal(m.counts.attention, 1);
  assert.equal(m.activity.length, 1);
  assert.deepEqual(s.notes[0], [5000]);
  assert.equal(s.of('change').length, 1);
});

test('board_update replaces rooms and booths by id, adds new ones, takes the counts', () => {
  const s = setup();
  const ws = connected(s);
  const changed = room('r1-s00-i002', { inst: I2, ent: E2, phase: 'grace', attention: [] });
  const walkIn = { ...room('w-i001-1500', { start: 1500 }), walk_in: true };
  ws.receive({ type: 'board_update', round: 1, server_time: 6000, counts: { rooms: 3, attention: 0 }, rooms: [changed, walkIn], booths: [{ institution: I2, buyer_here: true, waiting: [{ vendor: 'v' }], current: null }] });
  const m = s.board.model();
  assert.deepEqual(m.rooms.map((r) => r.meeting.id), ['r1-s00-i002', 'w-i001-1500', 'r1-s01-i001']);
  assert.equal(m.rooms[0].phase, 'grace');
  assert.deepEqual(m.counts, { rooms: 3, attention: 0 });
  assert.equal(m.booths.length, 2);
  assert.equal(m.booths[1].waiting.length, 1);
  assert.equal(m.booths[0].institution.id, 'i001');
  assert.equal(m.serverTime, 6000);
});

test('a closed walk-in room listed in gone leaves the board', () => {
  const s = setup();
  const ws = connected(s);
  ws.receive({ type: 'board_update', round: 1, server_time: 6000, counts: { rooms: 3 }, rooms: [room('w-i001-1500', { start: 1500 })] });
  assert.ok(s.board.model().rooms.some((r) => r.meeting.id === 'w-i001-1500'));
  ws.receive({ type: 'board_update', round: 1, server_time: 7000, counts: { rooms: 2 }, gone: ['w-i001-1500'] });
  assert.ok(!s.board.model().rooms.some((r) => r.meeting.id === 'w-i001-1500'));
  assert.deepEqual(s.board.model().counts, { rooms: 2 });
});

test('an update for another round (one that crossed a watch) is ignored', () => {
  const s = setup();
  const ws = connected(s);
  const before = s.board.model();
  ws.receive({ type: 'board_update', round: 2, server_time: 6000, counts: { rooms: 9 }, rooms: [room('r2-x')] });
  assert.equal(s.board.model(), before);
  assert.equal(applyUpdate(emptyModel(), { round: 1, counts: {} }), null);
});

test('watch asks for another round; a reconnect asks for the round watched', () => {
  const s = setup();
  const ws = connected(s);
  assert.equal(s.board.watch(2), true);
  assert.deepEqual(ws.sent.at(-1), { type: 'watch', round: 2 });
  ws.receive({ ...BOARD, round: 2, rooms: [] });
  assert.equal(s.board.model().round, 2);
  assert.equal(s.board.model().rooms.length, 0);
  ws.drop(1006);
  s.time.advance(1000);
  s.sockets.last().open();
  assert.deepEqual(s.sockets.last().sent[0], { type: 'hello', v: 1, token: 'TOKEN', round: 2 });
});

test('activity is added live, newest last, capped', () => {
  const s = setup();
  const ws = connected(s);
  ws.receive({ type: 'activity', entry: { at: 4500, moderator: 'p-mod-2', name: '이', action: 'extend:300', meeting: 'r1-s00-i002' } });
  assert.equal(s.board.model().activity.at(-1).action, 'extend:300');
  assert.equal(s.of('activity').length, 1);
  let m = emptyModel();
  for (let i = 0; i < ACTIVITY_CAP + 5; i++) m = applyActivity(m, { at: i, action: 'end' });
  assert.equal(m.activity.length, ACTIVITY_CAP);
  assert.equal(m.activity[0].at, 5);
  assert.equal(applyBoard(m, { ...BOARD, activity: m.activity.concat([{ at: 999 }]) }).activity.length, ACTIVITY_CAP);
});

test('pongs give the clock a round trip; the board reconnects with backoff, welcome resets it', () => {
  const s = setup();
  const ws = connected(s);
  const t = s.time.now();
  s.time.advance(100);
  ws.receive({ type: 'pong', t, server_time: 9000 });
  assert.deepEqual(s.notes.at(-1), [9000, t, t + 100]);
  const waits = [];
  for (let i = 0; i < 5; i++) {
    const n = s.sockets.made.length;
    const at = s.time.now();
    s.sockets.last().drop(1006);
    assert.equal(s.B.connected, false);
    while (s.sockets.made.length === n) s.time.advance(50);
    waits.push(s.time.now() - at);
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 15000]);
  s.sockets.last().open();
  s.sockets.last().receive(BOARD);
  const n = s.sockets.made.length;
  const at = s.time.now();
  s.sockets.last().drop(1006);
  while (s.sockets.made.length === n) s.time.advance(50);
  assert.equal(s.time.now() - at, 1000);
});

test('a fatal refusal (wrong_role) stops reconnecting; a non-fatal one is passed on', () => {
  const s = setup();
  const ws = connected(s);
  ws.receive({ type: 'error', code: 'bad_message', message: 'no round 9', fatal: false });
  assert.equal(s.B.fatal, null);
  assert.equal(s.of('error')[0].code, 'bad_message');
  ws.receive({ type: 'error', code: 'wrong_role', message: 'moderators only', fatal: true });
  ws.drop(4000, 'wrong_role');
  s.time.advance(60000);
  assert.equal(s.sockets.made.length, 1);
  assert.deepEqual(s.B.fatal, { code: 'wrong_role', message: 'moderators only' });
});

test('stop closes the socket and nothing reconnects', () => {
  const s = setup();
  const ws = connected(s);
  s.board.stop();
  assert.equal(ws.closed.code, 1000);
  s.time.advance(60000);
  assert.equal(s.sockets.made.length, 1);
});

test('filters: round, booth, needs attention', () => {
  const rooms = applyBoard(emptyModel(), BOARD).rooms.concat([room('r2-s00-i001', { round: 2, start: 9000 })]);
  assert.equal(filterRooms(rooms).length, 3);
  assert.deepEqual(filterRooms(rooms, { round: 2 }).map((r) => r.meeting.id), ['r2-s00-i001']);
  assert.deepEqual(filterRooms(rooms, { booth: 'i002' }).map((r) => r.meeting.id), ['r1-s00-i002']);
  assert.deepEqual(filterRooms(rooms, { attention: true }).map((r) => r.meeting.id), ['r1-s00-i002']);
  assert.deepEqual(filterRooms(rooms, { round: 1, booth: 'i001', attention: true }), []);
  assert.equal(needsAttention(rooms[0]), true);
  assert.deepEqual(boothsOf(rooms).map((b) => b.id), ['i001', 'i002']);
});

test('time left follows the window the board sent (rescheduled), by phase', () => {
  const r = room('r', { start: 1000, ends: 2000 });
  r.window.ends_at = 2600; // extended by a moderator
  r.window.closes_at = 2660;
  assert.deepEqual(timeLeft(r, 1500), { kind: 'left', ms: 1100 });
  assert.deepEqual(timeLeft({ ...r, phase: 'check-in' }, 400), { kind: 'to_start', ms: 600 });
  assert.deepEqual(timeLeft({ ...r, phase: 'grace' }, 2610), { kind: 'grace', ms: 50 });
  assert.deepEqual(timeLeft({ ...r, phase: 'closed' }, 9999), { kind: 'closed', ms: 0 });
});

test("an absent side's contacts: that role at the room's organisation, by name", () => {
  const model = applyBoard(emptyModel(), BOARD);
  const r = model.rooms[0];
  assert.deepEqual(absentSides(r), ['vendor']);
  assert.deepEqual(contactsFor(model, r, 'vendor').map((c) => c.phone), ['02-1']);
  assert.deepEqual(contactsFor(model, r, 'buyer').map((c) => c.email), ['i2@x']);
  assert.deepEqual(contactsFor(model, model.rooms[1], 'vendor'), []);
});

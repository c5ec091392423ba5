// wire/signaling.js: what goes on the room's socket, and what comes off it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { openSignaling, PING_MS } from '../js/wire/signaling.js';
import { fakeTime, socketFactory } from './fakes.js';

function open(extra = {}) {
  const time = fakeTime(5000);
  const sockets = socketFactory();
  const got = [];
  const notes = [];
  const closes = [];
  const conn = openSignaling({
    url: 'ws://x/ws',
    token: 'TOKEN',
    meeting: 'm-1',
    openSocket: sockets,
    noteServerTime: (...a) => notes.push(a),
    onMessage: (m) => got.push(m),
    onClose: (ev) => closes.push(ev),
    timers: time,
    now: time.now,
    ...extra,
  });
  return { time, ws: sockets.last(), got, notes, closes, conn };
}

test('join is the first message, with the token, the meeting and the version', () => {
  const { ws } = open();
  assert.equal(ws.url, 'ws://x/ws');
  assert.deepEqual(ws.sent, []);
  ws.open();
  assert.deepEqual(ws.sent[0], { type: 'join', v: 1, token: 'TOKEN', meeting: 'm-1' });
  assert.deepEqual(ws.sent[1], { type: 'ping', t: 5000 });
});

test('a ping goes out every 20 s, and stops once the socket closes', () => {
  const { ws, time } = open();
  ws.open();
  time.advance(PING_MS * 3);
  assert.deepEqual(ws.types(), ['join', 'ping', 'ping', 'ping', 'ping']);
  ws.drop();
  time.advance(PING_MS * 3);
  assert.equal(ws.sent.length, 5);
});

test('unreadable frames and frames without a type are ignored', () => {
  const { ws, got } = open();
  ws.open();
  ws.receive('{not json');
  ws.receive({ no: 'type' });
  ws.receive('null');
  ws.receive({ type: 'peer_joined' });
  assert.deepEqual(got, [{ type: 'peer_joined' }]);
});

test('a pong gives the round trip midpoint; other messages note their server_time', () => {
  const { ws, notes, time } = open();
  ws.open();
  time.advance(100);
  ws.receive({ type: 'pong', t: 5000, server_time: 9000 });
  ws.receive({ type: 'pong', server_time: 9100 });
  ws.receive({ type: 'phase', phase: 'live', server_time: 9200 });
  ws.receive({ type: 'peer_joined' });
  assert.deepEqual(notes, [[9000, 5000, 5100], [9100], [9200]]);
});

test('sending before the socket opens does nothing', () => {
  const { ws, conn } = open();
  assert.equal(conn.send({ type: 'ice' }), false);
  ws.open();
  assert.equal(conn.send({ type: 'ice' }), true);
  assert.deepEqual(ws.types(), ['join', 'ping', 'ice']);
});

test('close(true) says leave, closes normally, and nothing is delivered afterwards', () => {
  const { ws, conn, got, closes } = open();
  ws.open();
  conn.close(true);
  assert.deepEqual(ws.types(), ['join', 'ping', 'leave']);
  assert.deepEqual(ws.closed, { code: 1000, reason: 'bye' });
  ws.receive({ type: 'peer_joined' });
  ws.drop();
  assert.deepEqual(got, []);
  assert.deepEqual(closes, []);
});

test('a close from the other end is reported once, with its code and reason', () => {
  const { ws, closes } = open();
  ws.open();
  ws.drop(4000, 'replaced');
  ws.drop(4000, 'replaced');
  assert.deepEqual(closes, [{ code: 4000, reason: 'replaced' }]);
});

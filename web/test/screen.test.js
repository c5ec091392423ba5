// screen.js with call_peer.js: a shared screen goes on the screen line (the last video
// m-line, sendrecv on both ends) by replaceTrack, without renegotiating; the control channel
// marks it on and off with its mid; the other side finds the track to show large; the
// record hears a side shared its screen.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createCall } from '../js/call.js';
import { screenTransceiver } from '../js/call_peer.js';
import { createScreenShare } from '../js/screen.js';
import { connectedCall, settle, FakeStream, fakeTrack } from './fakes.js';

function display() {
  const track = fakeTrack('video');
  const stream = { getVideoTracks: () => [track] };
  const asked = [];
  return { track, asked, getDisplayMedia: async (c) => (asked.push(c), stream) };
}

test('the answering side makes the offer\'s screen line sendrecv and shares on it without a new offer', async () => {
  const c = await connectedCall(createCall, { side: 'vendor', media: Promise.resolve(new FakeStream([fakeTrack('audio'), fakeTrack('video')])) });
  c.pc.offerLines = ['audio', 'video', 'video'];
  c.ws.receive({ type: 'call_ready', offerer: false, peer: 'buyer' });
  c.ws.receive({ type: 'offer', sdp: 'their-offer', from: 'buyer' });
  await settle();
  const screenLine = screenTransceiver(c.pc);
  assert.equal(screenLine.mid, '2');
  assert.equal(screenLine.direction, 'sendrecv');
  assert.equal(screenLine.sender.track, null, 'nothing is sent until a share');
  const seen = [];
  const d = display();
  const screen = createScreenShare({ call: c.call, getDisplayMedia: d.getDisplayMedia, emit: (type, x) => seen.push([type, x]) });
  const offersBefore = c.ws.sent.filter((m) => m.type === 'offer').length;
  const logBefore = c.pc.log.length;
  assert.deepEqual(await screen.start(), { ok: true });
  assert.equal(screenLine.sender.track, d.track);
  assert.deepEqual(c.control.texts().at(-1), { t: 'screen', on: true, mid: '2' });
  assert.equal(c.ws.sent.filter((m) => m.type === 'offer').length, offersBefore, 'no renegotiation');
  assert.equal(c.pc.log.length, logBefore);
  // For the record: the side shared its screen.
  assert.deepEqual(c.ws.sent.at(-1), { type: 'sharing', screen_shared: true, files_sent: 0 });
  assert.deepEqual(seen.at(-1), ['local', d.track]);
  // The browser's own "stop sharing" ends the track.
  d.track.onended();
  await settle();
  assert.equal(screenLine.sender.track, null);
  assert.deepEqual(c.control.texts().at(-1), { t: 'screen', on: false, mid: '2' });
  assert.deepEqual(seen.at(-1), ['local', null]);
  assert.equal(d.track.stopped, true);
});

test('the offering side puts the screen line last in its first offer, and a share made before it is on it', async () => {
  const c = await connectedCall(createCall, { side: 'buyer', joined: { you: { side: 'buyer' } } });
  const d = display();
  const screen = createScreenShare({ call: c.call, getDisplayMedia: d.getDisplayMedia });
  await screen.start();
  c.ws.receive({ type: 'call_ready', offerer: true, peer: 'vendor' });
  await settle();
  const last = c.pc.transceivers.at(-1);
  assert.equal(last.receiver.track.kind, 'video');
  assert.equal(last.direction, 'sendrecv');
  assert.equal(last.sender.track, d.track);
  assert.equal(screenTransceiver(c.pc), last);
});

test('the other side\'s mark shows its screen line\'s track, and hides it when it stops or the connection goes', async () => {
  const c = await connectedCall(createCall, { side: 'buyer', joined: { you: { side: 'buyer' } } });
  c.ws.receive({ type: 'call_ready', offerer: true, peer: 'vendor' });
  await settle();
  const seen = [];
  createScreenShare({ call: c.call, getDisplayMedia: async () => null, emit: (type, x) => seen.push([type, x]) });
  const line = screenTransceiver(c.pc);
  c.control.receive({ t: 'screen', on: true, mid: line.mid });
  assert.deepEqual(seen.at(-1), ['remote', { seat: 'vendor', track: line.receiver.track }]);
  c.control.receive({ t: 'screen', on: false, mid: line.mid });
  assert.deepEqual(seen.at(-1), ['remote', null]);
  c.control.receive({ t: 'screen', on: true, mid: line.mid });
  c.ws.receive({ type: 'peer_left', side: 'vendor' });
  await settle();
  assert.deepEqual(seen.at(-1), ['remote', null]);
});

test('a refused screen choice is told apart from a failure; the record hears nothing', async () => {
  const c = await connectedCall(createCall, { side: 'vendor' });
  const denied = createScreenShare({
    call: c.call,
    getDisplayMedia: async () => {
      throw Object.assign(new Error('no'), { name: 'NotAllowedError' });
    },
  });
  assert.deepEqual(await denied.start(), { ok: false, why: 'denied' });
  const broken = createScreenShare({ call: c.call, getDisplayMedia: async () => ({ getVideoTracks: () => [] }) });
  assert.deepEqual(await broken.start(), { ok: false, why: 'failed' });
  assert.ok(!c.ws.sent.some((m) => m.type === 'sharing'));
});

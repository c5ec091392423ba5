// call.js: one side of a room's call driven with fake sockets and peer connections — who
// offers, ICE candidates held until the remote description, reconnects and their backoff,
// the end of the room.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createCall } from '../js/call.js';
import { fakeTime, settle, socketFactory, pcFactory, FakeStream, fakeTrack } from './fakes.js';

const MEETING = { id: 'm-1', window: { checkin_opens_at: 0, starts_at: 10, ends_at: 20, closes_at: 30 } };

function setup(extra = {}) {
  const time = fakeTime(1_000_000);
  const sockets = socketFactory();
  const pcs = pcFactory();
  const events = [];
  const call = createCall({
    meetingId: 'm-1',
    token: 'TOKEN',
    url: 'ws://x/ws',
    meeting: MEETING,
    openSocket: sockets,
    newPeerConnection: pcs,
    newMediaStream: () => new FakeStream(),
    emit: (type, detail) => events.push([type, detail]),
    timers: time,
    now: time.now,
    ...extra,
  });
  return { call, st: call.st, time, sockets, pcs, events, types: () => events.map((e) => e[0]) };
}

/** Starts the call and has the server accept it. */
async function joined(s, msg = {}) {
  s.call.start();
  s.sockets.last().open();
  s.sockets.last().receive({ type: 'joined', phase: 'live', peer_present: true, ice_servers: [{ urls: 'stun:x' }], you: { side: 'vendor' }, ...msg });
  await settle();
  return s.sockets.last();
}

test('the call joins with the token first, and makes a peer connection once joined', async () => {
  const s = setup();
  const ws = await joined(s);
  assert.deepEqual(ws.sent[0], { type: 'join', v: 1, token: 'TOKEN', meeting: 'm-1' });
  assert.equal(s.st.joined, true);
  assert.equal(s.st.side, 'vendor');
  assert.equal(s.st.phase, 'live');
  assert.equal(s.pcs.made.length, 1);
  assert.deepEqual(s.pcs.last().config, { iceServers: [{ urls: 'stun:x' }], iceTransportPolicy: 'all' });
  assert.equal(s.st.pc, s.pcs.last());
});

test('a deployment that wants every call relayed gets relay-only peer connections', async () => {
  const s = setup();
  await joined(s, { ice_transport_policy: 'relay' });
  assert.equal(s.pcs.last().config.iceTransportPolicy, 'relay');
});

test('a moved close brings fresh relay credentials to the running connection', async () => {
  const s = setup();
  const ws = await joined(s);
  const fresh = [{ urls: ['turn:relay:3478?transport=udp'], username: '99:p', credential: 'c' }];
  ws.receive({ type: 'rescheduled', window: { ends_at: 5, closes_at: 6 }, by: 'mod', server_time: 1, ice_servers: fresh });
  await settle();
  assert.deepEqual(s.pcs.last().config.iceServers, fresh);
  assert.equal(s.pcs.last().config.iceTransportPolicy, 'all', 'the rest of the configuration is kept');
  assert.deepEqual(s.st.iceServers, fresh, 'and a connection made later uses them too');
});

test('the local tracks go into the peer connection', async () => {
  const tracks = [fakeTrack('audio'), fakeTrack('video')];
  const s = setup({ media: Promise.resolve(new FakeStream(tracks)) });
  await joined(s);
  assert.deepEqual(s.pcs.last().tracks, tracks);
  assert.ok(s.events.some(([type]) => type === 'local-stream'));
});

test('call_ready with offerer: true makes the offer, receiving audio and video, with the screen line last', async () => {
  const s = setup();
  const ws = await joined(s);
  ws.receive({ type: 'call_ready', offerer: true });
  await settle();
  const pc = s.pcs.last();
  assert.equal(s.st.call, 'connecting');
  assert.deepEqual(pc.log, ['createOffer', 'setLocal:offer']);
  assert.deepEqual(pc.transceivers.map((x) => [x.receiver.track.kind, x.direction]), [['audio', 'recvonly'], ['video', 'recvonly'], ['video', 'sendrecv']]);
  assert.deepEqual(ws.sent.at(-1), { type: 'offer', sdp: 'offer-sdp' });
});

test('call_ready with offerer: false waits for the offer and answers it', async () => {
  const s = setup();
  const ws = await joined(s);
  ws.receive({ type: 'call_ready', offerer: false });
  await settle();
  assert.deepEqual(s.pcs.last().log, []);
  assert.ok(!ws.types().includes('offer'));
  ws.receive({ type: 'offer', sdp: 'their-offer' });
  await settle();
  assert.deepEqual(s.pcs.last().log, ['setRemote:offer', 'createAnswer', 'setLocal:answer']);
  assert.deepEqual(ws.sent.at(-1), { type: 'answer', sdp: 'answer-sdp' });
});

test('ICE candidates that arrive before the remote description wait for it', async () => {
  const s = setup();
  const ws = await joined(s);
  ws.receive({ type: 'call_ready', offerer: true });
  ws.receive({ type: 'ice', candidate: { candidate: 'c1' } });
  ws.receive({ type: 'ice', candidate: { candidate: 'c2' } });
  await settle();
  const pc = s.pcs.last();
  assert.deepEqual(pc.candidates, []);
  assert.equal(s.st.pendingIce.length, 2);
  ws.receive({ type: 'answer', sdp: 'their-answer' });
  await settle();
  assert.deepEqual(pc.log, ['createOffer', 'setLocal:offer', 'setRemote:answer', 'addIce', 'addIce']);
  assert.deepEqual(pc.candidates, [{ candidate: 'c1' }, { candidate: 'c2' }]);
  ws.receive({ type: 'ice', candidate: { candidate: 'c3' } });
  await settle();
  assert.deepEqual(pc.candidates.at(-1), { candidate: 'c3' });
  assert.equal(s.st.pendingIce.length, 0);
});

test('local candidates are sent as ice messages', async () => {
  const s = setup();
  const ws = await joined(s);
  s.pcs.last().gather({ candidate: 'local-1', sdpMid: '0' });
  assert.deepEqual(ws.sent.at(-1), { type: 'ice', candidate: { candidate: 'local-1', sdpMid: '0' } });
});

test('an offer that crosses ours is answered after rolling ours back', async () => {
  const s = setup();
  const ws = await joined(s);
  ws.receive({ type: 'call_ready', offerer: true });
  await settle();
  ws.receive({ type: 'offer', sdp: 'their-offer' });
  await settle();
  assert.deepEqual(s.pcs.last().log, ['createOffer', 'setLocal:offer', 'setLocal:rollback', 'setRemote:offer', 'createAnswer', 'setLocal:answer']);
  assert.equal(ws.sent.at(-1).type, 'answer');
});

test('an answer without an offer of ours is ignored', async () => {
  const s = setup();
  const ws = await joined(s);
  ws.receive({ type: 'answer', sdp: 'stray' });
  await settle();
  assert.deepEqual(s.pcs.last().log, []);
});

test('the peer connection state drives data-call; only the offerer restarts ICE, at most every 5 s', async () => {
  const s = setup();
  const ws = await joined(s);
  ws.receive({ type: 'call_ready', offerer: true });
  ws.receive({ type: 'answer', sdp: 'their-answer' });
  await settle();
  const pc = s.pcs.last();
  pc.state('connected');
  assert.equal(s.st.call, 'connected');
  assert.equal(s.st.status, 'connected');
  pc.state('failed');
  await settle();
  assert.equal(s.st.call, 'connecting');
  assert.equal(s.st.status, 'unstable');
  assert.deepEqual(pc.log.slice(-3), ['restartIce', 'createOffer(iceRestart)', 'setLocal:offer']);
  assert.deepEqual(ws.sent.at(-1), { type: 'offer', sdp: 'offer-sdp-restart' });
  // A second failure right away does not restart again.
  await pc.setRemoteDescription({ type: 'answer', sdp: 'a2' });
  const before = pc.log.length;
  pc.state('failed');
  await settle();
  assert.equal(pc.log.length, before);
  s.time.advance(5000);
  pc.state('failed');
  await settle();
  assert.equal(pc.log[before], 'restartIce');
});

test('the answering side does not restart ICE on failure', async () => {
  const s = setup();
  const ws = await joined(s);
  ws.receive({ type: 'call_ready', offerer: false });
  ws.receive({ type: 'offer', sdp: 'their-offer' });
  await settle();
  const pc = s.pcs.last();
  const before = pc.log.length;
  pc.state('failed');
  await settle();
  assert.equal(pc.log.length, before);
  assert.equal(s.st.status, 'unstable');
});

test('peer_left starts over with a fresh peer connection', async () => {
  const s = setup();
  const ws = await joined(s);
  const first = s.pcs.last();
  ws.receive({ type: 'peer_left' });
  await settle();
  assert.equal(s.pcs.made.length, 2);
  assert.equal(first.signalingState, 'closed');
  assert.equal(s.st.peerPresent, false);
  assert.equal(s.st.status, 'peer_left');
});

test('a lost socket reconnects after 1 s, 2 s, 4 s …, and a join resets the wait', async () => {
  const s = setup();
  await joined(s);
  const t0 = s.time.now();
  const waits = [];
  for (let i = 0; i < 5; i++) {
    const before = s.sockets.made.length;
    const at = s.time.now();
    s.sockets.last().drop(1006);
    assert.equal(s.st.status, 'reconnecting');
    assert.equal(s.st.call, 'idle');
    while (s.sockets.made.length === before) s.time.advance(100);
    waits.push(s.time.now() - at);
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 10000]);
  assert.ok(s.time.now() > t0);
  // Joined again: the next loss waits 1 s.
  s.sockets.last().open();
  s.sockets.last().receive({ type: 'joined', phase: 'live' });
  await settle();
  const before = s.sockets.made.length;
  const at = s.time.now();
  s.sockets.last().drop(1006);
  while (s.sockets.made.length === before) s.time.advance(100);
  assert.equal(s.time.now() - at, 1000);
  assert.deepEqual(s.sockets.last().sent, []);
  s.sockets.last().open();
  assert.equal(s.sockets.last().sent[0].type, 'join');
});

test('a close with code 4000 is fatal: no reconnect, the reason is the error code', async () => {
  const s = setup();
  await joined(s);
  s.sockets.last().drop(4000, 'replaced');
  s.time.advance(60000);
  assert.equal(s.sockets.made.length, 1);
  assert.deepEqual(s.st.fatal, { code: 'replaced', message: '' });
  assert.equal(s.st.ended, true);
  const finish = s.events.find((e) => e[0] === 'finish');
  assert.equal(finish[1].kind, 'fatal');
});

test('replaced (close 4001) is fatal; too slow (error too_slow, close 4002) reconnects', async () => {
  const s = setup();
  await joined(s);
  s.sockets.last().drop(4001, 'replaced');
  s.time.advance(60000);
  assert.equal(s.sockets.made.length, 1);
  assert.deepEqual(s.st.fatal, { code: 'replaced', message: '' });

  const t = setup();
  await joined(t);
  t.sockets.last().receive({ type: 'error', code: 'too_slow', message: 'read faster', fatal: true });
  assert.equal(t.st.ended, false);
  t.sockets.last().drop(4002, 'too_slow');
  t.time.advance(1000);
  assert.equal(t.sockets.made.length, 2, 'a new socket joins again');
  assert.equal(t.st.fatal, null);
});

test('a fatal error message ends the call at once, before queued steps', async () => {
  const s = setup();
  s.call.start();
  s.sockets.last().open();
  s.sockets.last().receive({ type: 'error', code: 'too_early', message: 'wait', fatal: true });
  assert.deepEqual(s.st.fatal, { code: 'too_early', message: 'wait' });
  assert.deepEqual(s.st.lastError, { code: 'too_early', message: 'wait', fatal: true });
  assert.equal(s.sockets.last().closed.code, 1000);
  s.time.advance(60000);
  assert.equal(s.sockets.made.length, 1);
});

test('closed ends the room: phase closed, the reason kept, media stopped, no reconnect', async () => {
  const tracks = [fakeTrack('audio'), fakeTrack('video')];
  const s = setup({ media: Promise.resolve(new FakeStream(tracks)) });
  const ws = await joined(s);
  ws.receive({ type: 'closed', reason: 'timer' });
  assert.equal(s.st.phase, 'closed');
  assert.deepEqual(s.st.closed, { reason: 'timer' });
  assert.equal(s.st.call, 'idle');
  assert.ok(tracks.every((x) => x.stopped));
  assert.equal(s.st.pc, null);
  assert.ok(!ws.types().includes('leave'));
  ws.drop(1000);
  s.time.advance(60000);
  assert.equal(s.sockets.made.length, 1);
  assert.deepEqual(s.types().slice(-3), ['teardown', 'call', 'finish']);
});

test('stop(true) says leave once; a second stop does nothing', async () => {
  const s = setup();
  const ws = await joined(s);
  assert.equal(s.call.stop(true), true);
  assert.equal(s.call.stop(true), false);
  assert.deepEqual(ws.types().filter((x) => x === 'leave'), ['leave']);
  assert.equal(s.call.controlState('audio'), 'none');
});

test('non-fatal errors and warnings are passed to the page; the call goes on', async () => {
  const s = setup();
  const ws = await joined(s);
  ws.receive({ type: 'error', code: 'not_live', message: 'x' });
  ws.receive({ type: 'warning', remaining_s: 60 });
  ws.receive({ type: 'no_show', absent: 'buyer' });
  await settle();
  assert.deepEqual(s.st.lastError, { code: 'not_live', message: 'x', fatal: false });
  assert.deepEqual(s.events.find((e) => e[0] === 'warning'), ['warning', 60]);
  assert.equal(s.st.noShow, 'buyer');
  assert.equal(s.st.ended, false);
});

test('toggle mutes and unmutes the local tracks of one kind', async () => {
  const tracks = [fakeTrack('audio'), fakeTrack('video')];
  const s = setup({ media: Promise.resolve(new FakeStream(tracks)) });
  await joined(s);
  assert.equal(s.call.controlState('audio'), 'on');
  s.call.toggle('audio');
  assert.equal(s.call.controlState('audio'), 'off');
  assert.equal(s.call.controlState('video'), 'on');
  s.call.toggle('audio');
  assert.equal(s.call.controlState('audio'), 'on');
});

test('a socket that cannot be made is a fatal network error', () => {
  const s = setup({
    openSocket: () => {
      throw new Error('blocked');
    },
  });
  s.call.start();
  assert.equal(s.st.fatal.code, 'network');
});

// --- the moderator's seat ------------------------------------------------------------------

test('a side joining a room a moderator is already in learns the moderator\'s name from joined', async () => {
  const s = setup();
  await joined(s, { present: ['buyer', 'moderator'], names: { buyer: '김구매', moderator: '운영자 김민수' } });
  assert.deepEqual(s.st.moderator, { name: '운영자 김민수' });
  assert.ok(s.events.some(([type, d]) => type === 'moderator' && d.present && d.already && d.name === '운영자 김민수'));
});

test('a moderator joins a live call: the side answers their offer with to: moderator, the call with the other side stays', async () => {
  const s = setup();
  const ws = await joined(s);
  ws.receive({ type: 'call_ready', offerer: false, peer: 'buyer' });
  ws.receive({ type: 'offer', sdp: 'buyer-offer', from: 'buyer' });
  await settle();
  const sides = s.pcs.last();
  assert.deepEqual(ws.sent.at(-1), { type: 'answer', sdp: 'answer-sdp' });
  sides.state('connected');
  ws.receive({ type: 'peer_joined', side: 'moderator', name: '운영자 김민수' });
  ws.receive({ type: 'call_ready', offerer: false, peer: 'moderator' });
  await settle();
  assert.deepEqual(s.st.moderator, { name: '운영자 김민수' });
  assert.ok(s.events.some(([type, d]) => type === 'moderator' && d.present && d.name === '운영자 김민수'));
  assert.equal(s.pcs.made.length, 2, 'a second connection, for the moderator');
  const mod = s.pcs.last();
  assert.notEqual(mod, sides);
  ws.receive({ type: 'offer', sdp: 'mod-offer', from: 'moderator' });
  ws.receive({ type: 'ice', candidate: { candidate: 'm1' }, from: 'moderator' });
  await settle();
  assert.deepEqual(mod.log, ['setRemote:offer', 'createAnswer', 'setLocal:answer', 'addIce']);
  assert.deepEqual(ws.sent.at(-1), { type: 'answer', sdp: 'answer-sdp', to: 'moderator' });
  mod.gather({ candidate: 'local-m' });
  assert.deepEqual(ws.sent.at(-1), { type: 'ice', candidate: { candidate: 'local-m' }, to: 'moderator' });
  // The sides' connection is untouched and still the page's main one.
  assert.equal(s.st.pc, sides);
  assert.equal(sides.signalingState, 'stable');
  assert.equal(s.st.call, 'connected');
  assert.deepEqual(mod.candidates, [{ candidate: 'm1' }]);
  assert.deepEqual(sides.candidates, []);
  // The moderator's connection failing does not make the sides' call unstable.
  mod.state('failed');
  await settle();
  assert.equal(s.st.status, 'connected');
  assert.ok(s.events.some(([type, d]) => type === 'peer-call' && d.seat === 'moderator' && d.call === 'connecting'));
  mod.ontrack({ track: fakeTrack('video') });
  assert.ok(s.events.some(([type, d]) => type === 'remote-track' && d.seat === 'moderator' && d.stream.getTracks().length === 1));
});

test('a moderator offers to both sides present, naming each with to', async () => {
  const s = setup({ side: 'moderator' });
  const ws = await joined(s, { you: { side: 'moderator' }, present: ['buyer', 'vendor'] });
  assert.equal(s.st.side, 'moderator');
  assert.equal(s.pcs.made.length, 0, 'no connection before call_ready');
  ws.receive({ type: 'call_ready', offerer: true, peer: 'buyer' });
  ws.receive({ type: 'call_ready', offerer: true, peer: 'vendor' });
  await settle();
  assert.equal(s.pcs.made.length, 2);
  const [toBuyer, toVendor] = s.pcs.made;
  assert.deepEqual(ws.sent.filter((m) => m.type === 'offer'), [{ type: 'offer', sdp: 'offer-sdp', to: 'buyer' }, { type: 'offer', sdp: 'offer-sdp', to: 'vendor' }]);
  ws.receive({ type: 'answer', sdp: 'va', from: 'vendor' });
  ws.receive({ type: 'ice', candidate: { candidate: 'v1' }, from: 'vendor' });
  ws.receive({ type: 'ice', candidate: { candidate: 'b1' }, from: 'buyer' });
  await settle();
  assert.deepEqual(toVendor.log.slice(-2), ['setRemote:answer', 'addIce']);
  assert.deepEqual(toVendor.candidates, [{ candidate: 'v1' }]);
  assert.deepEqual(toBuyer.candidates, [], "the buyer's candidate waits for the buyer's answer");
  assert.equal(s.st.peers.get('buyer').pendingIce.length, 1);
  toVendor.gather({ candidate: 'mine' });
  assert.deepEqual(ws.sent.at(-1), { type: 'ice', candidate: { candidate: 'mine' }, to: 'vendor' });
  toVendor.state('connected');
  assert.equal(s.st.call, 'connected');
  // A side that reconnects gets a fresh offer: call_ready again replaces the used connection.
  toVendor.state('failed');
  await settle();
  assert.deepEqual(toVendor.log.slice(-3), ['restartIce', 'createOffer(iceRestart)', 'setLocal:offer']);
  assert.deepEqual(ws.sent.at(-1), { type: 'offer', sdp: 'offer-sdp-restart', to: 'vendor' });
});

test('peer_left moderator drops only that connection; peer_left of a side, for a moderator, only that side', async () => {
  const s = setup();
  const ws = await joined(s, { present: ['buyer', 'moderator'] });
  assert.deepEqual(s.st.moderator, { name: null });
  const sides = s.st.pc;
  ws.receive({ type: 'call_ready', offerer: false, peer: 'moderator' });
  await settle();
  const mod = s.pcs.last();
  ws.receive({ type: 'peer_left', side: 'moderator' });
  await settle();
  assert.equal(mod.signalingState, 'closed');
  assert.notEqual(sides.signalingState, 'closed');
  assert.equal(s.st.pc, sides);
  assert.equal(s.st.moderator, null);
  assert.equal(s.st.peers.has('moderator'), false);
  assert.equal(s.pcs.made.length, 2, 'nothing new is made for the moderator');
  assert.ok(s.events.some(([type, d]) => type === 'remote-reset' && d.seat === 'moderator'));

  const m = setup({ side: 'moderator' });
  const mws = await joined(m, { you: { side: 'moderator' }, present: ['buyer', 'vendor'] });
  mws.receive({ type: 'call_ready', offerer: true, peer: 'buyer' });
  mws.receive({ type: 'call_ready', offerer: true, peer: 'vendor' });
  await settle();
  const [b, v] = m.pcs.made;
  mws.receive({ type: 'peer_left', side: 'vendor' });
  await settle();
  assert.equal(v.signalingState, 'closed');
  assert.equal(b.signalingState, 'have-local-offer');
  assert.equal(m.st.peerPresent, true);
  assert.deepEqual([...m.st.peers.keys()], ['buyer']);
});

test('rescheduled moves the window; the page hears whether it was extended or shortened', async () => {
  const s = setup();
  const ws = await joined(s, { window: { checkin_opens_at: 0, starts_at: 10, ends_at: 20, closes_at: 30 } });
  ws.receive({ type: 'rescheduled', window: { checkin_opens_at: 0, starts_at: 10, ends_at: 320, closes_at: 330 }, by: '운영자 김민수', server_time: 15 });
  await settle();
  assert.equal(s.st.window.ends_at, 320);
  assert.deepEqual(s.events.find((e) => e[0] === 'rescheduled')[1], { window: s.st.window, by: '운영자 김민수', kind: 'extended', endsAt: 320 });
  ws.receive({ type: 'rescheduled', window: { checkin_opens_at: 0, starts_at: 10, ends_at: 200, closes_at: 210 }, by: 'x', server_time: 16 });
  await settle();
  assert.equal(s.events.filter((e) => e[0] === 'rescheduled')[1][1].kind, 'shortened');
  ws.receive({ type: 'announcement', id: 'a-1', text: '곧 시작합니다', from: '운영자', audience: { to: 'all' }, at: 1 });
  await settle();
  assert.equal(s.events.find((e) => e[0] === 'announcement')[1].id, 'a-1');
});

test('the offerer restarts ICE after 2 s disconnected, not if the connection comes back first', async () => {
  const s = setup();
  const ws = await joined(s);
  ws.receive({ type: 'call_ready', offerer: true });
  ws.receive({ type: 'answer', sdp: 'their-answer' });
  await settle();
  const pc = s.pcs.last();
  pc.state('connected');
  // A short loss: back within the wait, no restart.
  pc.state('disconnected');
  assert.equal(s.st.status, 'unstable');
  s.time.advance(1500);
  pc.state('connected');
  s.time.advance(5000);
  await settle();
  assert.ok(!pc.log.includes('restartIce'));
  // Gone for good (a new network): restarted once the wait is over.
  pc.state('disconnected');
  s.time.advance(1999);
  await settle();
  assert.ok(!pc.log.includes('restartIce'));
  s.time.advance(1);
  await settle();
  assert.deepEqual(pc.log.slice(-3), ['restartIce', 'createOffer(iceRestart)', 'setLocal:offer']);
  assert.deepEqual(ws.sent.at(-1), { type: 'offer', sdp: 'offer-sdp-restart' });
});

test('a network change restarts ICE on the connections this side offers, and only those', async () => {
  const s = setup();
  const ws = await joined(s);
  ws.receive({ type: 'call_ready', offerer: false });
  ws.receive({ type: 'offer', sdp: 'their-offer' });
  await settle();
  const answering = s.pcs.last();
  await s.call.restartIce();
  assert.ok(!answering.log.includes('restartIce'), 'the answerer waits for the offerer');
  const b = setup();
  const bws = await joined(b, { you: { side: 'buyer' } });
  bws.receive({ type: 'call_ready', offerer: true });
  bws.receive({ type: 'answer', sdp: 'their-answer' });
  await settle();
  b.time.advance(6000);
  await b.call.restartIce();
  await settle();
  assert.deepEqual(b.pcs.last().log.slice(-3), ['restartIce', 'createOffer(iceRestart)', 'setLocal:offer']);
});

test('what this side shared is reported once, and again after a reconnect; joined.files is taken', async () => {
  const s = setup();
  const ws = await joined(s, { files: { max_bytes: 1234, max_count: 3 } });
  assert.deepEqual(s.st.files, { max_bytes: 1234, max_count: 3 });
  assert.ok(!ws.types().includes('sharing'), 'nothing to report yet');
  s.call.noteSharing({ files_sent: 1 });
  s.call.noteSharing({ files_sent: 1 });
  s.call.noteSharing({ screen_shared: true });
  assert.deepEqual(ws.sent.filter((m) => m.type === 'sharing'), [
    { type: 'sharing', screen_shared: false, files_sent: 1 },
    { type: 'sharing', screen_shared: true, files_sent: 1 },
  ]);
  ws.drop(1006);
  s.time.advance(1000);
  const again = s.sockets.last();
  again.open();
  again.receive({ type: 'joined', phase: 'live', peer_present: true, ice_servers: [], you: { side: 'vendor' } });
  await settle();
  assert.deepEqual(again.sent.filter((m) => m.type === 'sharing'), [{ type: 'sharing', screen_shared: true, files_sent: 1 }]);
});

test('the answering side\'s network change asks the offerer to restart ICE, and the offerer does', async () => {
  const { connectedCall } = await import('./fakes.js');
  const v = await connectedCall(createCall, { side: 'vendor' });
  v.ws.receive({ type: 'call_ready', offerer: false, peer: 'buyer' });
  v.ws.receive({ type: 'offer', sdp: 'their-offer', from: 'buyer' });
  await settle();
  await v.call.restartIce();
  assert.deepEqual(v.control.texts().at(-1), { t: 'restart_ice' });
  assert.ok(!v.pc.log.includes('restartIce'));
  const b = await connectedCall(createCall, { side: 'buyer', joined: { you: { side: 'buyer' } } });
  b.ws.receive({ type: 'call_ready', offerer: true, peer: 'vendor' });
  b.ws.receive({ type: 'answer', sdp: 'their-answer', from: 'vendor' });
  await settle();
  b.time.advance(6000);
  b.control.receive({ t: 'restart_ice' });
  await settle();
  assert.deepEqual(b.pcs.last().log.slice(-3), ['restartIce', 'createOffer(iceRestart)', 'setLocal:offer']);
});

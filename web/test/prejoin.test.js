// The pre-join check's parts without DOM: the remembered device choice and its
// constraints, the advice for each getUserMedia failure, the relay test's classification
// (with fake peer connections and a fake clock) and the microphone meter.
import test from 'node:test';
import assert from 'node:assert/strict';
import { fakeTime, settle } from './fakes.js';
import { LS_DEVICES, loadChoice, saveChoice, deviceLists, reconcile, constraintsFor, mediaTries, applySpeaker } from '../js/devices.js';
import { adviceFor, isFinal, relayAdvice } from '../js/media_advice.js';
import { transportOf, relayTargets, isRelay, checkRelay } from '../js/turn_check.js';
import { levelOf, createMeter } from '../js/meter.js';

function memoryStorage() {
  const m = new Map();
  return { get: (k) => (m.has(k) ? m.get(k) : null), set: (k, v) => m.set(k, v), m };
}

test('the device choice is remembered and read back; garbage reads as no choice', () => {
  const s = memoryStorage();
  assert.deepEqual(loadChoice(s.get), { camera: null, microphone: null, speaker: null });
  saveChoice(s.set, { camera: 'cam-2', microphone: 'mic-1', speaker: '', extra: 'x' });
  assert.deepEqual(JSON.parse(s.m.get(LS_DEVICES)), { camera: 'cam-2', microphone: 'mic-1', speaker: null });
  assert.deepEqual(loadChoice(s.get), { camera: 'cam-2', microphone: 'mic-1', speaker: null });
  s.set(LS_DEVICES, '{not json');
  assert.deepEqual(loadChoice(s.get), { camera: null, microphone: null, speaker: null });
  s.set(LS_DEVICES, JSON.stringify({ camera: 7, microphone: 'm' }));
  assert.deepEqual(loadChoice(s.get), { camera: null, microphone: 'm', speaker: null });
});

test('devices are listed by kind, unnamed ones numbered; a vanished choice falls back to the default', () => {
  const lists = deviceLists([
    { kind: 'videoinput', deviceId: 'c1', label: 'Front camera' },
    { kind: 'audioinput', deviceId: 'default', label: 'Default' },
    { kind: 'audioinput', deviceId: 'm1', label: '' },
    { kind: 'audiooutput', deviceId: 's1', label: 'Speakers' },
    { kind: 'videoinput', deviceId: 'c1', label: 'Front camera' },
    { kind: 'videoinput', deviceId: '', label: 'before permission' },
  ]);
  assert.deepEqual(lists.camera, [{ id: 'c1', label: 'Front camera' }]);
  assert.deepEqual(lists.microphone, [{ id: 'default', label: 'Default' }, { id: 'm1', label: 'microphone 2' }]);
  assert.deepEqual(lists.speaker, [{ id: 's1', label: 'Speakers' }]);
  assert.deepEqual(reconcile({ camera: 'gone', microphone: 'm1', speaker: 's1' }, lists), { camera: null, microphone: 'm1', speaker: 's1' });
});

test('the call asks for the chosen deviceIds exactly, then the defaults, then one kind at a time', () => {
  assert.deepEqual(constraintsFor({ camera: 'c1', microphone: null }), { audio: true, video: { deviceId: { exact: 'c1' } } });
  assert.deepEqual(constraintsFor({ camera: 'c1', microphone: 'm1' }, ['audio']), { audio: { deviceId: { exact: 'm1' } } });
  assert.deepEqual(mediaTries({ camera: 'c1', microphone: 'm1' }), [
    { audio: { deviceId: { exact: 'm1' } }, video: { deviceId: { exact: 'c1' } } },
    { audio: true, video: true },
    { audio: true },
    { video: true },
  ]);
  assert.deepEqual(mediaTries({ camera: null, microphone: null }), [{ audio: true, video: true }, { audio: true }, { video: true }]);
});

test('the speaker is set where the browser has setSinkId, and skipped where not', async () => {
  const el = { sink: null, setSinkId: async (id) => (el.sink = id) };
  assert.equal(await applySpeaker(el, 's1'), true);
  assert.equal(el.sink, 's1');
  assert.equal(await applySpeaker({}, 's1'), false);
  assert.equal(await applySpeaker({ setSinkId: async () => { throw new Error('no'); } }, 's1'), false);
});

test('each getUserMedia failure gets its own advice', () => {
  const e = (name) => Object.assign(new Error(name), { name });
  assert.equal(adviceFor(e('NotReadableError')), 'pj_err_in_use');
  assert.equal(adviceFor(e('NotAllowedError')), 'pj_err_denied');
  assert.equal(adviceFor(e('NotFoundError')), 'pj_err_not_found');
  assert.equal(adviceFor(e('OverconstrainedError')), 'pj_err_not_found');
  assert.equal(adviceFor(e('TypeError')), 'pj_err_other');
  assert.equal(adviceFor(null, { secure: false }), 'media_insecure');
  assert.equal(isFinal(e('NotAllowedError')), true);
  assert.equal(isFinal(e('NotReadableError')), false);
});

test('every TURN URL is a target with its transport; STUN is not', () => {
  assert.equal(transportOf('turn:h:3478'), 'udp');
  assert.equal(transportOf('turn:h:3478?transport=udp'), 'udp');
  assert.equal(transportOf('TURN:h:3478?transport=tcp'), 'tcp');
  assert.equal(transportOf('turns:h:5349?transport=tcp'), 'tls');
  assert.equal(transportOf('stun:h:3478'), null);
  assert.deepEqual(
    relayTargets([
      { urls: 'stun:h' },
      { urls: ['turn:h:3478', 'turn:h:3478?transport=tcp'], username: 'u', credential: 'p' },
      { urls: 'turns:h:5349', username: 'u2', credential: 'p2' },
    ]),
    [
      { url: 'turn:h:3478', transport: 'udp', username: 'u', credential: 'p' },
      { url: 'turn:h:3478?transport=tcp', transport: 'tcp', username: 'u', credential: 'p' },
      { url: 'turns:h:5349', transport: 'tls', username: 'u2', credential: 'p2' },
    ],
  );
  assert.equal(isRelay({ candidate: 'candidate:1 1 udp 5 203.0.113.1 5000 typ relay raddr 0.0.0.0 rport 0' }), true);
  assert.equal(isRelay({ type: 'host' }), false);
  assert.equal(isRelay(null), false);
});

/** Fake peer connections: `behaviour(url)` says what each does once its offer is set. */
function fakePcs(behaviour) {
  const made = [];
  const newPeerConnection = (config) => {
    const pc = {
      config,
      closed: false,
      onicecandidate: null,
      createDataChannel: () => ({}),
      createOffer: async () => ({ type: 'offer', sdp: 'v=0' }),
      setLocalDescription: async () => {
        const url = config.iceServers[0].urls;
        const b = behaviour(url);
        queueMicrotask(() => {
          if (b === 'relay') pc.onicecandidate({ candidate: { type: 'host' } }), pc.onicecandidate({ candidate: { type: 'relay' } });
          else if (b === 'none') pc.onicecandidate({ candidate: { type: 'host' } }), pc.onicecandidate({ candidate: null });
          // 'silent': never answers (a blocked port): the timeout decides.
        });
      },
      close: () => (pc.closed = true),
    };
    made.push(pc);
    return pc;
  };
  return { made, newPeerConnection };
}

test('the relay test says which transports reached the TURN: UDP blocked, TCP and TLS through', async () => {
  const time = fakeTime();
  const pcs = fakePcs((url) => (url.startsWith('turns:') ? 'relay' : url.includes('tcp') ? 'relay' : 'silent'));
  const servers = [{ urls: ['turn:h:3478', 'turn:h:3478?transport=tcp'], username: 'u', credential: 'p' }, { urls: 'turns:h:5349', username: 'u', credential: 'p' }];
  const done = checkRelay(servers, { newPeerConnection: pcs.newPeerConnection, timers: time, now: time.now, timeoutMs: 5000 });
  await settle();
  time.advance(5000);
  const r = await done;
  assert.deepEqual([r.tested, r.any, r.udp, r.tcp, r.tls], [3, true, false, true, true]);
  assert.deepEqual(r.results.map((x) => [x.transport, x.ok, x.ms]), [['udp', false, 5000], ['tcp', true, 0], ['tls', true, 0]]);
  // Each probe is relay-only with one URL and its credentials, and is closed afterwards.
  assert.deepEqual(pcs.made[0].config, { iceServers: [{ urls: 'turn:h:3478', username: 'u', credential: 'p' }], iceTransportPolicy: 'relay' });
  assert.ok(pcs.made.every((pc) => pc.closed));
  assert.equal(relayAdvice(r), null);
});

test('no relay at all is advice; gathering that ends without a relay fails at once; no TURN offered is no test', async () => {
  const time = fakeTime();
  const pcs = fakePcs(() => 'none');
  const r = await checkRelay([{ urls: 'turn:h:3478' }], { newPeerConnection: pcs.newPeerConnection, timers: time, now: time.now });
  assert.deepEqual([r.tested, r.any, r.udp, r.tcp, r.tls], [1, false, false, null, null]);
  assert.equal(relayAdvice(r), 'pj_turn_none');
  const none = await checkRelay([{ urls: 'stun:h' }], { newPeerConnection: pcs.newPeerConnection, timers: time, now: time.now });
  assert.equal(none.tested, 0);
  assert.equal(relayAdvice(none), null);
  const broken = await checkRelay([{ urls: 'turn:h' }], { newPeerConnection: () => { throw new Error('bad url'); }, timers: time, now: time.now });
  assert.equal(broken.any, false);
});

test('the meter reads silence as 0 and a loud signal near 1', () => {
  assert.equal(levelOf(new Float32Array(64)), 0);
  const loud = new Float32Array(64).map((_, i) => (i % 2 ? 0.5 : -0.5));
  assert.equal(levelOf(loud), 1);
  const soft = new Float32Array(64).fill(0.05);
  assert.ok(Math.abs(levelOf(soft) - 0.2) < 1e-6);
  // Over a fake audio context: the analyser's samples become the level.
  let connected = false;
  const ctx = {
    createMediaStreamSource: () => ({ connect: () => (connected = true), disconnect: () => (connected = false) }),
    createAnalyser: () => ({ fftSize: 0, getFloatTimeDomainData: (buf) => buf.fill(0.1) }),
  };
  const stream = { getAudioTracks: () => [{}] };
  const m = createMeter(stream, ctx);
  assert.ok(connected);
  assert.ok(Math.abs(m.read() - 0.4) < 1e-6);
  m.stop();
  assert.equal(connected, false);
  assert.equal(createMeter({ getAudioTracks: () => [] }, ctx), null);
});

// The pre-join check: the room page's waiting state from check-in until the slot start.
// While the room waits for the start (its camera already running, its socket joined, the
// peer connection prepared), this panel offers the camera, microphone and speaker choice
// (remembered, devices.js), a microphone level meter (meter.js), a test that the server's
// TURN is reachable and over which transport (turn_check.js), a countdown to the start,
// and plain advice when something fails (media_advice.js). It hides once the call is up
// or the room is live; the room page (room.js) mounts it and hands it the local stream.
import { h, setText, setAttr } from '../dom.js';
import { t } from '../i18n/index.js';
import { fmtDur } from '../format.js';
import { store } from '../store.js';
import { loadChoice, saveChoice, deviceLists, reconcile, constraintsFor, applySpeaker } from '../devices.js';
import { adviceFor, relayAdvice } from '../media_advice.js';
import { checkRelay } from '../turn_check.js';
import { createMeter } from '../meter.js';

/** How often the meter is read while the panel shows, in ms. */
const METER_MS = 100;

/** The remembered device choice (localStorage). */
export function rememberedChoice() {
  return loadChoice((k) => store('local', k));
}

/**
 * The panel. `st` is the room's call state (call.js's `call.st`); `localVideo` the room's own
 * preview; `remoteVideos()` the remote tiles' video elements (for the speaker);
 * `onStream(stream)` tells the room its local stream changed.
 */
export function prejoinPanel({ st, localVideo, remoteVideos, onStream }) {
  let choice = rememberedChoice();
  let lists = { camera: [], microphone: [], speaker: [] };
  let stream = null;
  let meter = null;
  let audioCtx = null;
  let meterTimer = null;
  let advice = null; // an i18n key
  let relay = null; // checkRelay's result, or 'testing'
  let relayFor = null; // the ice_servers the result is for
  let shown = false;
  const canSink = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  const md = navigator.mediaDevices;

  const sel = {};
  const field = (kind) => {
    sel[kind] = h('select', { id: 'pj-' + kind, onchange: (ev) => pick(kind, ev.target.value) });
    return h('div', { class: 'field' }, h('label', { for: 'pj-' + kind }, t('pj_' + kind)), sel[kind]);
  };
  const cd = h('span', { class: 'pj-countdown', role: 'timer', 'aria-live': 'off' });
  const fill = h('div', { class: 'meter-fill' });
  const meterEl = h('div', { class: 'meter', role: 'meter', 'aria-label': t('pj_meter'), 'aria-valuemin': '0', 'aria-valuemax': '100', dataset: { level: '0' } }, fill);
  const meterBtn = h('button', { type: 'button', class: 'btn small', hidden: true, onclick: () => resumeAudio() }, t('pj_meter_start'));
  const relayText = h('span', { class: 'pj-relay-text', role: 'status' });
  const relayBtn = h('button', { type: 'button', class: 'btn small', onclick: () => testRelay(true) }, t('pj_relay_again'));
  const speakerNote = h('p', { class: 'muted note', hidden: canSink }, t('pj_speaker_fixed'));
  const adviceEl = h('p', { class: 'pj-advice warn-text', role: 'alert', hidden: true });
  const el = h(
    'section',
    { class: 'card prejoin', 'aria-labelledby': 'pj-title', hidden: true, onpointerdown: () => resumeAudio() },
    h('div', { class: 'card-head' }, h('h2', { id: 'pj-title' }, t('pj_title')), h('p', { class: 'pj-start' }, h('span', { class: 'muted' }, t('pj_starts_in')), ' ', cd)),
    h('p', { class: 'muted' }, t('pj_intro')),
    h('div', { class: 'filters pj-devices' }, field('camera'), field('microphone'), canSink ? field('speaker') : null),
    speakerNote,
    h('div', { class: 'pj-meter' }, h('span', null, t('pj_meter')), meterEl, meterBtn, h('span', { class: 'muted' }, t('pj_meter_hint'))),
    h('p', { class: 'pj-relay' }, h('span', null, t('pj_relay') + ': '), relayText, ' ', relayBtn),
    adviceEl,
  );

  function fillSelect(kind) {
    const s = sel[kind];
    if (!s) return;
    const opts = [h('option', { value: '' }, t('pj_default'))].concat(lists[kind].map((d) => h('option', { value: d.id }, d.label)));
    s.replaceChildren(...opts);
    s.value = choice[kind] || '';
    s.disabled = !lists[kind].length;
  }

  async function refreshDevices() {
    if (!md || !md.enumerateDevices) return;
    try {
      lists = deviceLists(await md.enumerateDevices());
    } catch (_) {
      return;
    }
    choice = reconcile(choice, lists);
    for (const kind of Object.keys(sel)) fillSelect(kind);
  }

  /** The speaker on one element (the room calls it for each remote tile it fills). */
  function speakerTo(video) {
    if (choice.speaker) applySpeaker(video, choice.speaker);
  }

  /** Replaces the local track of `kind` (in the preview and in every prepared connection). */
  function swapTrack(kind, track) {
    const old = stream ? (kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks()) : [];
    if (!stream) stream = new MediaStream();
    for (const x of old) {
      stream.removeTrack(x);
      x.stop();
    }
    stream.addTrack(track);
    for (const p of st.peers.values()) {
      if (!p.pc || !p.pc.getSenders) continue;
      const sender = p.pc.getSenders().find((s) => s.track && s.track.kind === kind);
      if (sender) sender.replaceTrack(track).catch(() => {});
    }
    localVideo.srcObject = stream;
    localVideo.play().catch(() => {});
    onStream(stream);
    if (kind === 'audio') startMeter();
  }

  async function pick(kind, id) {
    choice = { ...choice, [kind]: id || null };
    saveChoice((k, v) => store('local', k, v), choice);
    advice = null;
    if (kind === 'speaker') {
      for (const v of remoteVideos()) applySpeaker(v, choice.speaker || '');
    } else if (md && md.getUserMedia) {
      const media = kind === 'camera' ? 'video' : 'audio';
      try {
        const s = await md.getUserMedia(constraintsFor(choice, [media]));
        const track = media === 'video' ? s.getVideoTracks()[0] : s.getAudioTracks()[0];
        if (track) swapTrack(media, track);
      } catch (e) {
        advice = adviceFor(e, { secure: window.isSecureContext });
      }
      refreshDevices();
    }
    draw();
  }

  function resumeAudio() {
    if (audioCtx && audioCtx.state === 'suspended') audioCtx.resume().then(draw, () => {});
  }

  function startMeter() {
    if (meter) meter.stop();
    meter = null;
    if (!stream || typeof AudioContext === 'undefined') return;
    try {
      audioCtx = audioCtx || new AudioContext();
      meter = createMeter(stream, audioCtx);
    } catch (_) {
      meter = null;
    }
    resumeAudio();
  }

  function readMeter() {
    const level = meter ? meter.read() : 0;
    fill.style.width = (level * 100).toFixed(0) + '%';
    setAttr(meterEl, 'aria-valuenow', Math.round(level * 100));
    meterEl.dataset.level = level.toFixed(3);
    meterBtn.hidden = !(audioCtx && audioCtx.state === 'suspended');
  }

  async function testRelay(again) {
    if (!st.joined || (relay === 'testing' && !again)) return;
    relayFor = st.iceServers;
    relay = 'testing';
    draw();
    const got = await checkRelay(relayFor, { newPeerConnection: (c) => new RTCPeerConnection(c) });
    if (relayFor === st.iceServers) relay = got;
    draw();
  }

  function relayLine() {
    if (!relay) return '';
    if (relay === 'testing') return t('pj_relay_testing');
    if (!relay.tested) return t('pj_relay_none_offered');
    const part = (name, v) => (v === null ? null : name + ' ' + (v ? t('pj_ok') : t('pj_blocked')));
    const list = [part('UDP', relay.udp), part('TCP', relay.tcp), part('TLS', relay.tls)].filter(Boolean).join(' · ');
    return relay.any ? t('pj_relay_ok', { list }) : list;
  }

  /** Whether the room is still waiting for its start (the panel's time). */
  const waiting = () => !st.ended && !st.closed && !st.fatal && st.call !== 'connected' && (st.phase === 'scheduled' || st.phase === 'check-in');

  function draw() {
    const show = waiting();
    el.hidden = !show;
    document.body.dataset.prejoin = show ? 'on' : 'off';
    if (show && !shown) {
      refreshDevices();
      if (stream && !meter) startMeter();
      meterTimer = setInterval(readMeter, METER_MS);
    }
    if (!show && shown) stopMeter();
    shown = show;
    if (!show) return;
    if (st.joined && relayFor !== st.iceServers) testRelay(false);
    setText(relayText, relayLine());
    relayBtn.disabled = !st.joined || relay === 'testing';
    const key = advice || relayAdvice(relay === 'testing' ? null : relay);
    adviceEl.hidden = !key;
    setText(adviceEl, key ? t(key) : '');
  }

  function stopMeter() {
    clearInterval(meterTimer);
    meterTimer = null;
    if (meter) meter.stop();
    meter = null;
    if (audioCtx) audioCtx.close().catch(() => {});
    audioCtx = null;
  }

  const onDeviceChange = () => refreshDevices();
  if (md && md.addEventListener) md.addEventListener('devicechange', onDeviceChange);

  return {
    el,
    draw,
    speakerTo,
    /** The room's local stream (from getUserMedia or the call): the preview and the meter use it. */
    setStream(s) {
      if (stream === s) return;
      stream = s;
      if (shown) startMeter();
      refreshDevices(); // labels come with permission
      draw();
    },
    tick(now) {
      if (st.window) setText(cd, fmtDur(Math.max(0, st.window.starts_at - now)));
    },
    destroy() {
      stopMeter();
      delete document.body.dataset.prejoin;
      if (md && md.removeEventListener) md.removeEventListener('devicechange', onDeviceChange);
    },
  };
}

// One participant's side of a meeting's room: the signaling connection and its reconnects,
// the RTCPeerConnection and its offer/answer/ICE exchange, ICE restarts. No DOM: sockets,
// peer connections and media streams come from factories, timers and clocks are
// arguments, and what the page must show is told through `emit(type, detail)` — so node
// drives a whole call with fakes. pages/room.js draws it.
//
// Who offers: the server's `call_ready` names one side `offerer: true`; only that side
// makes offers and ICE restarts. An offer that crosses ours is answered after a rollback.
import { openSignaling } from './wire/signaling.js';
import { createBackoff } from './backoff.js';

/** Reconnects to the signaling socket: 1 s doubling to 10 s, back to 1 s once joined. */
export const RECONNECT = { base: 1000, max: 10000 };
/** The least time between two ICE restarts, in ms. */
export const RESTART_GAP_MS = 5000;

/**
 * The call's state (`call.st`), read by the page and the test hooks:
 * meetingId, meeting, window, phase, side, joined, peerPresent,
 * call ('idle' | 'connecting' | 'connected'), status ('connecting' | 'joined' | 'calling' |
 * 'connected' | 'unstable' | 'peer_left' | 'reconnecting'), lastError, ended,
 * closed ({reason}), fatal ({code, message}), noShow ('buyer' | 'vendor' | 'both'),
 * pc, localStream, remoteStream.
 *
 * Events: 'call' and 'phase' (st.call, st.phase changed), 'change' (anything else to
 * draw), 'local-stream' (the stream to show as one's own), 'remote-track' and
 * 'remote-reset' (the remote stream gained a track, or was replaced), 'warning'
 * (remaining_s), 'no-show', 'error' (a non-fatal server error), 'step-failed' (a WebRTC step
 * threw), 'finish' ({kind: 'closed' | 'fatal', info}), 'teardown'.
 */
export function createCall({
  meetingId,
  token,
  url,
  meeting = null,
  side = 'buyer',
  phase = null,
  media = Promise.resolve(null),
  openSocket,
  newPeerConnection,
  newMediaStream,
  noteServerTime = () => {},
  emit = () => {},
  timers = globalThis,
  now = () => Date.now(),
}) {
  const st = {
    meetingId,
    meeting,
    window: meeting ? meeting.window : null,
    phase,
    side,
    joined: false,
    peerPresent: false,
    call: 'idle',
    status: 'connecting',
    lastError: null,
    ended: false,
    closed: null,
    fatal: null,
    noShow: null,
    conn: null,
    pc: null,
    iceServers: [],
    offerer: false,
    pendingIce: [],
    localStream: null,
    remoteStream: null,
    media,
    lastRestart: 0,
  };
  let chain = Promise.resolve();
  let reconnectTimer = null;
  const backoff = createBackoff(RECONNECT);

  function setCall(c) {
    st.call = c;
    emit('call', c);
  }

  function setPhase(p) {
    st.phase = p;
    emit('phase', p);
  }

  function send(obj) {
    if (st.conn) st.conn.send(obj);
  }

  function closePc() {
    const old = st.pc;
    st.pc = null;
    if (!old) return;
    old.onicecandidate = null;
    old.ontrack = null;
    old.onconnectionstatechange = null;
    old.oniceconnectionstatechange = null;
    try {
      old.close();
    } catch (_) {
      /* already closed */
    }
  }

  /** A fresh peer connection with the local tracks; the old one, if any, is closed. */
  function resetPc() {
    closePc();
    st.pendingIce = [];
    st.offerer = false;
    st.remoteStream = newMediaStream();
    emit('remote-reset');
    if (st.ended) return;
    const pc = newPeerConnection({ iceServers: st.iceServers || [] });
    st.pc = pc;
    if (st.localStream) for (const track of st.localStream.getTracks()) pc.addTrack(track, st.localStream);
    pc.onicecandidate = (ev) => {
      if (pc !== st.pc || !ev.candidate) return;
      send({ type: 'ice', candidate: ev.candidate.toJSON() });
    };
    pc.ontrack = (ev) => {
      if (pc !== st.pc) return;
      if (!st.remoteStream.getTracks().includes(ev.track)) st.remoteStream.addTrack(ev.track);
      emit('remote-track');
    };
    pc.onconnectionstatechange = () => onPcState(pc);
    pc.oniceconnectionstatechange = () => onPcState(pc);
    setCall('idle');
  }

  function onPcState(pc) {
    if (pc !== st.pc || st.ended) return;
    const cs = pc.connectionState;
    const ics = pc.iceConnectionState;
    const ok = cs ? cs === 'connected' : ics === 'connected' || ics === 'completed';
    if (ok) {
      st.status = 'connected';
      setCall('connected');
    } else if (cs === 'failed' || ics === 'failed') {
      st.status = 'unstable';
      setCall('connecting');
      if (st.offerer) restartIce(pc);
    } else if (cs === 'disconnected' || ics === 'disconnected') {
      st.status = 'unstable';
      setCall('connecting');
    } else if (st.call !== 'idle' || cs === 'connecting') {
      setCall('connecting');
    }
  }

  async function restartIce(pc) {
    if (now() - st.lastRestart < RESTART_GAP_MS || pc.signalingState !== 'stable') return;
    st.lastRestart = now();
    try {
      if (pc.restartIce) pc.restartIce();
      await makeOffer({ iceRestart: true });
    } catch (e) {
      console.warn('ICE restart failed', e);
    }
  }

  async function makeOffer(opts) {
    const pc = st.pc;
    if (!pc) return;
    // Receive audio and video even if this side has no camera or microphone.
    for (const kind of ['audio', 'video']) {
      if (!pc.getTransceivers().some((tr) => tr.receiver && tr.receiver.track && tr.receiver.track.kind === kind)) pc.addTransceiver(kind, { direction: 'recvonly' });
    }
    const offer = await pc.createOffer(opts);
    if (pc !== st.pc) return;
    await pc.setLocalDescription(offer);
    if (pc !== st.pc) return;
    send({ type: 'offer', sdp: pc.localDescription.sdp });
  }

  async function flushIce(pc) {
    const list = st.pendingIce;
    st.pendingIce = [];
    for (const c of list) await addIce(pc, c);
  }

  async function addIce(pc, c) {
    try {
      await pc.addIceCandidate(c);
    } catch (e) {
      console.warn('addIceCandidate failed', e);
    }
  }

  /** One signaling message, in arrival order (the caller chains them). */
  async function handle(msg, conn) {
    if (conn !== st.conn || st.ended) return;
    switch (msg.type) {
      case 'joined': {
        st.joined = true;
        st.status = 'joined';
        backoff.reset();
        st.meeting = msg.meeting || st.meeting;
        st.window = msg.window || st.window;
        st.side = (msg.you && msg.you.side) || st.side;
        st.peerPresent = !!msg.peer_present;
        st.iceServers = Array.isArray(msg.ice_servers) ? msg.ice_servers : [];
        setPhase(msg.phase);
        st.localStream = await st.media;
        if (st.ended || conn !== st.conn) return;
        if (st.localStream) emit('local-stream', st.localStream);
        resetPc();
        emit('change');
        break;
      }
      case 'peer_joined':
        st.peerPresent = true;
        st.status = 'joined';
        emit('change');
        break;
      case 'peer_left':
        st.peerPresent = false;
        st.status = 'peer_left';
        resetPc();
        emit('change');
        break;
      case 'call_ready': {
        st.peerPresent = true;
        if (!st.pc || st.pc.localDescription || st.pc.remoteDescription || st.pc.signalingState === 'closed') resetPc();
        st.offerer = !!msg.offerer;
        st.status = 'calling';
        setCall('connecting');
        if (st.offerer) await makeOffer();
        break;
      }
      case 'offer': {
        let pc = st.pc;
        if (!pc) {
          resetPc();
          pc = st.pc;
        }
        if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
        await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
        if (pc !== st.pc) return;
        await flushIce(pc);
        const answer = await pc.createAnswer();
        if (pc !== st.pc) return;
        await pc.setLocalDescription(answer);
        if (pc !== st.pc) return;
        send({ type: 'answer', sdp: pc.localDescription.sdp });
        if (st.call === 'idle') setCall('connecting');
        break;
      }
      case 'answer': {
        const pc = st.pc;
        if (!pc || pc.signalingState !== 'have-local-offer') {
          console.warn('answer ignored in state', pc && pc.signalingState);
          return;
        }
        await pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
        if (pc !== st.pc) return;
        await flushIce(pc);
        break;
      }
      case 'ice': {
        const pc = st.pc;
        if (!pc || !msg.candidate) return;
        if (pc.remoteDescription) await addIce(pc, msg.candidate);
        else st.pendingIce.push(msg.candidate);
        break;
      }
      case 'phase':
        setPhase(msg.phase);
        break;
      case 'warning':
        emit('warning', Number(msg.remaining_s) || 0);
        break;
      case 'no_show':
        st.noShow = msg.absent || 'both';
        emit('no-show');
        break;
      case 'pong':
        break;
      case 'error':
        st.lastError = { code: msg.code, message: msg.message, fatal: false };
        emit('error', msg);
        break;
      default:
        console.warn('unknown message', msg.type);
    }
  }

  /** The room is over for this page: `closed`, a fatal error, or the socket's fatal close. */
  function finish(kind, info) {
    if (st.ended) return;
    st.ended = true;
    if (kind === 'closed') {
      st.closed = { reason: info.reason };
      setPhase('closed');
    } else {
      st.fatal = { code: info.code || 'unknown', message: info.message || '' };
      st.lastError = { code: st.fatal.code, message: st.fatal.message, fatal: true };
    }
    teardown(false);
    setCall('idle');
    emit('finish', { kind, info });
  }

  function connect() {
    if (st.ended) return;
    timers.clearTimeout(reconnectTimer);
    let conn;
    try {
      conn = openSignaling({
        url,
        token,
        meeting: meetingId,
        openSocket,
        noteServerTime,
        timers,
        now,
        onMessage(msg) {
          if (conn !== st.conn) return;
          // The end of the room is handled at once, so no reconnect races it.
          if (msg.type === 'closed') return finish('closed', msg);
          // `too_slow`: the server gave up on a connection that did not read; the close
          // (4002) that follows reconnects like a lost one.
          if (msg.type === 'error' && msg.fatal && msg.code !== 'too_slow') return finish('fatal', msg);
          chain = chain
            .then(() => handle(msg, conn))
            .catch((e) => {
              console.error('signaling step failed', msg.type, e);
              st.lastError = { code: 'webrtc', message: String((e && e.message) || e), fatal: false };
              emit('step-failed', e);
            });
        },
        onClose(ev) {
          if (conn !== st.conn || st.ended) return;
          // 4000 a fatal refusal, 4001 replaced by another window: the reason is the code.
          if ((ev.code === 4000 || ev.code === 4001) && ev.reason) return finish('fatal', { code: ev.reason, message: '' });
          // Lost without a word: the peer hears `peer_left`; come back and start over.
          st.joined = false;
          st.peerPresent = false;
          st.status = 'reconnecting';
          closePc();
          setCall('idle');
          reconnectTimer = timers.setTimeout(connect, backoff.next());
        },
      });
    } catch (e) {
      finish('fatal', { code: 'network', message: String(e) });
      return;
    }
    st.conn = conn;
    st.joined = false;
  }

  function teardown(sendLeave) {
    timers.clearTimeout(reconnectTimer);
    if (st.conn) st.conn.close(sendLeave);
    closePc();
    if (st.localStream) for (const x of st.localStream.getTracks()) x.stop();
    else if (st.media) st.media.then((s) => s && s.getTracks().forEach((x) => x.stop()));
    emit('teardown');
  }

  /** 'on', 'off' or 'none' (no such track, or the call is over) for 'audio' or 'video'. */
  function controlState(kind) {
    if (st.ended) return 'none';
    const tracks = st.localStream ? st.localStream.getTracks().filter((x) => x.kind === kind) : [];
    if (!tracks.length) return 'none';
    return tracks.every((x) => x.enabled) ? 'on' : 'off';
  }

  return {
    st,
    /** Connects; reconnects by itself until the room ends or stop() is called. */
    start: connect,
    /** Ends the call from this side (with `leave` if asked); false if it had ended already. */
    stop(sendLeave) {
      if (st.ended) return false;
      st.ended = true;
      teardown(sendLeave);
      return true;
    },
    /** The local stream arrived before `joined` (the page shows it at once). */
    setLocalStream(s) {
      st.localStream = s;
    },
    controlState,
    /** Mutes or unmutes the local tracks of a kind. */
    toggle(kind) {
      if (!st.localStream) return;
      const tracks = st.localStream.getTracks().filter((x) => x.kind === kind);
      if (!tracks.length) return;
      const on = !tracks.every((x) => x.enabled);
      for (const x of tracks) x.enabled = on;
    },
  };
}

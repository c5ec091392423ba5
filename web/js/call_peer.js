// One peer connection of a room's call, with one seat (buyer, vendor or moderator): the
// RTCPeerConnection with the local tracks, its offer/answer exchange (glare answered after
// a rollback), the candidates held until the remote description, ICE restarts by the
// offerer, and the remote stream for the page. call.js holds one of these per peer seat —
// a side has its connection to the other side and, while a moderator is in, one to the
// moderator; a moderator has one to each side — and routes signaling to it by `from`.
// No DOM: the peer connection and the stream come from factories.
//
// Beside the camera and microphone every connection carries (see PROTOCOL.md, "In the
// room"): a screen line — the last video m-line of the first offer, sendrecv on both ends,
// fed by replaceTrack so a share starts and stops without renegotiating — and two
// pre-negotiated data channels, `control` (id 0: screen marks, chat) and `files` (id 1).

/** How long a connection may stay `disconnected` before the offerer restarts ICE, in ms. */
export const DISCONNECTED_WAIT_MS = 2000;

/** The data channels every connection has, pre-negotiated on both ends. */
export const CHANNELS = { control: 0, files: 1 };

/** The screen's transceiver of `pc`: the last video one, if there are two or more (the
 * first is the camera's); null before the screen line is negotiated. */
export function screenTransceiver(pc) {
  const video = pc.getTransceivers().filter((tr) => tr.receiver && tr.receiver.track && tr.receiver.track.kind === 'video' && tr.mid !== null && tr.mid !== undefined);
  return video.length >= 2 ? video[video.length - 1] : null;
}

/**
 * A peer for `seat`. `to` is the `to` field its signaling carries (null: none, the other
 * side implied). `send(msg)` sends signaling; `onState(peer, call, status?)` is told when
 * the connection's state moves (status undefined: unchanged); `onTrack(peer)` and
 * `onReset(peer)` when the remote stream gains a track or is replaced. `screenTrack()` is
 * the shared screen to send (null: none); `onScreenTrack(peer)` is told when the remote
 * screen line's track arrives (peer.screenTrack), `onChannels(peer)` when a fresh
 * connection's data channels exist (peer.control, peer.files).
 */
export function createPeer({ seat, to = null, newPeerConnection, newMediaStream, iceServers = () => [], icePolicy = () => 'all', localStream = () => null, screenTrack = () => null, send, onState = () => {}, onTrack = () => {}, onReset = () => {}, onScreenTrack = () => {}, onChannels = () => {}, isEnded = () => false, now = () => Date.now(), timers = globalThis, restartGapMs = 5000 }) {
  const P = {
    seat,
    pc: null,
    offerer: false,
    pendingIce: [],
    remoteStream: null,
    screenTrack: null,
    control: null,
    files: null,
    call: 'idle',
    lastRestart: 0,
  };
  let disconnectedTimer = null;

  const signal = (msg) => send(to ? { ...msg, to } : msg);

  function setState(call, status) {
    P.call = call;
    onState(P, call, status);
  }

  /** Closes the peer connection (if any) and forgets its handlers. */
  function close() {
    const old = P.pc;
    P.pc = null;
    timers.clearTimeout(disconnectedTimer);
    disconnectedTimer = null;
    for (const ch of [P.control, P.files]) {
      if (!ch) continue;
      ch.onmessage = null;
      ch.onopen = null;
      try {
        ch.close();
      } catch (_) {
        /* already closed */
      }
    }
    P.control = null;
    P.files = null;
    P.screenTrack = null;
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
  function reset() {
    close();
    P.pendingIce = [];
    P.offerer = false;
    P.remoteStream = newMediaStream();
    onReset(P);
    if (isEnded()) return;
    // 'relay' (the deployment's choice) sends the call through the TURN relay only.
    const pc = newPeerConnection({ iceServers: iceServers() || [], iceTransportPolicy: icePolicy() === 'relay' ? 'relay' : 'all' });
    P.pc = pc;
    const local = localStream();
    if (local) for (const track of local.getTracks()) pc.addTrack(track, local);
    // Before any offer, so the first one has the data section.
    if (pc.createDataChannel) {
      P.control = pc.createDataChannel('control', { negotiated: true, id: CHANNELS.control, ordered: true });
      P.files = pc.createDataChannel('files', { negotiated: true, id: CHANNELS.files, ordered: true });
      P.files.binaryType = 'arraybuffer';
      onChannels(P);
    }
    pc.onicecandidate = (ev) => {
      if (pc !== P.pc || !ev.candidate) return;
      signal({ type: 'ice', candidate: ev.candidate.toJSON() });
    };
    pc.ontrack = (ev) => {
      if (pc !== P.pc) return;
      // The screen line's track is the page's to lay out large, not part of the camera's stream.
      if (ev.transceiver && ev.transceiver === screenTransceiver(pc)) {
        P.screenTrack = ev.track;
        onScreenTrack(P);
        return;
      }
      if (!P.remoteStream.getTracks().includes(ev.track)) P.remoteStream.addTrack(ev.track);
      onTrack(P);
    };
    pc.onconnectionstatechange = () => onPcState(pc);
    pc.oniceconnectionstatechange = () => onPcState(pc);
    setState('idle');
  }

  function onPcState(pc) {
    if (pc !== P.pc || isEnded()) return;
    const cs = pc.connectionState;
    const ics = pc.iceConnectionState;
    const ok = cs ? cs === 'connected' : ics === 'connected' || ics === 'completed';
    if (ok || cs === 'failed' || ics === 'failed') {
      timers.clearTimeout(disconnectedTimer);
      disconnectedTimer = null;
    }
    if (ok) setState('connected', 'connected');
    else if (cs === 'failed' || ics === 'failed') {
      setState('connecting', 'unstable');
      if (P.offerer) restartIce(pc);
    } else if (cs === 'disconnected' || ics === 'disconnected') {
      setState('connecting', 'unstable');
      // Often back by itself within a second or two (a brief loss); if not, the path is
      // gone (a new network): find another at once rather than wait for `failed`.
      if (P.offerer && !disconnectedTimer) {
        disconnectedTimer = timers.setTimeout(() => {
          disconnectedTimer = null;
          const still = pc.connectionState === 'disconnected' || pc.iceConnectionState === 'disconnected';
          if (pc === P.pc && still && !isEnded()) restartIce(pc);
        }, DISCONNECTED_WAIT_MS);
      }
    } else if (P.call !== 'idle' || cs === 'connecting') setState('connecting');
  }

  async function restartIce(pc) {
    if (now() - P.lastRestart < restartGapMs || pc.signalingState !== 'stable') return;
    P.lastRestart = now();
    try {
      if (pc.restartIce) pc.restartIce();
      await makeOffer({ iceRestart: true });
    } catch (e) {
      console.warn('ICE restart failed', e);
    }
  }

  async function makeOffer(opts) {
    const pc = P.pc;
    if (!pc) return;
    // Receive audio and video even if this side has no camera or microphone.
    for (const kind of ['audio', 'video']) {
      if (!pc.getTransceivers().some((tr) => tr.receiver && tr.receiver.track && tr.receiver.track.kind === kind)) pc.addTransceiver(kind, { direction: 'recvonly' });
    }
    // The screen line, last: sendrecv, so either side can share on it at will.
    if (!P.screenTr || P.screenTr.pc !== pc) {
      P.screenTr = { pc, tr: pc.addTransceiver('video', { direction: 'sendrecv' }) };
      await putScreen(pc);
    }
    const offer = await pc.createOffer(opts);
    if (pc !== P.pc) return;
    await pc.setLocalDescription(offer);
    if (pc !== P.pc) return;
    signal({ type: 'offer', sdp: pc.localDescription.sdp });
  }

  /** Puts the shared screen (or nothing) on the screen line of `pc`. */
  async function putScreen(pc) {
    const tr = P.screenTr && P.screenTr.pc === pc ? P.screenTr.tr : screenTransceiver(pc);
    if (!tr || !tr.sender) return;
    try {
      await tr.sender.replaceTrack(screenTrack());
    } catch (e) {
      console.warn('replaceTrack (screen) failed', e);
    }
  }

  async function flushIce(pc) {
    const list = P.pendingIce;
    P.pendingIce = [];
    for (const c of list) await addIce(pc, c);
  }

  async function addIce(pc, c) {
    try {
      await pc.addIceCandidate(c);
    } catch (e) {
      console.warn('addIceCandidate failed', e);
    }
  }

  return Object.assign(P, {
    close,
    reset,
    /** The shared screen changed: put it (or nothing) on this connection's screen line. */
    async setScreen() {
      if (P.pc) await putScreen(P.pc);
    },
    /** The network changed: the offerer looks for a new path now (within the restart gap). */
    restart() {
      if (P.pc && P.offerer && !isEnded()) return restartIce(P.pc);
      return Promise.resolve();
    },
    /** `call_ready` for this seat: a used or closed connection is replaced; the offerer offers. */
    async ready(offerer) {
      const pc = P.pc;
      if (!pc || pc.localDescription || pc.remoteDescription || pc.signalingState === 'closed') reset();
      P.offerer = !!offerer;
      setState('connecting');
      if (P.offerer) await makeOffer();
    },
    /** The seat's offer: answered (after rolling back a crossing offer of ours). */
    async onOffer(sdp) {
      if (!P.pc) reset();
      const pc = P.pc;
      if (!pc) return;
      if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
      await pc.setRemoteDescription({ type: 'offer', sdp });
      if (pc !== P.pc) return;
      await flushIce(pc);
      // The offer's screen line: ours to send on too.
      const screen = screenTransceiver(pc);
      if (screen && screen.direction !== 'sendrecv') {
        screen.direction = 'sendrecv';
        P.screenTr = { pc, tr: screen };
        await putScreen(pc);
      }
      const answer = await pc.createAnswer();
      if (pc !== P.pc) return;
      await pc.setLocalDescription(answer);
      if (pc !== P.pc) return;
      signal({ type: 'answer', sdp: pc.localDescription.sdp });
      if (P.call === 'idle') setState('connecting');
    },
    /** The seat's answer to our offer; ignored unless an offer of ours is pending. */
    async onAnswer(sdp) {
      const pc = P.pc;
      if (!pc || pc.signalingState !== 'have-local-offer') {
        console.warn('answer ignored in state', pc && pc.signalingState);
        return;
      }
      await pc.setRemoteDescription({ type: 'answer', sdp });
      if (pc !== P.pc) return;
      await flushIce(pc);
    },
    /**
     * New ICE servers (relay credentials renewed when a moderator moved the close): the
     * connection gathers with them from its next ICE restart on.
     */
    setIceServers(servers) {
      const pc = P.pc;
      if (!pc || typeof pc.setConfiguration !== 'function') return;
      try {
        pc.setConfiguration({ ...pc.getConfiguration(), iceServers: servers });
      } catch (_) {
        /* a browser that refuses the change keeps the old credentials until they lapse */
      }
    },
    /** A candidate from the seat: added, or held until the remote description is set. */
    async onIce(candidate) {
      const pc = P.pc;
      if (!pc || !candidate) return;
      if (pc.remoteDescription) await addIce(pc, candidate);
      else P.pendingIce.push(candidate);
    },
  });
}

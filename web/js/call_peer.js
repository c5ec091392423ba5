// One peer connection of a room's call, with one seat (buyer, vendor or moderator): the
// RTCPeerConnection with the local tracks, its offer/answer exchange (glare answered after
// a rollback), the candidates held until the remote description, ICE restarts by the
// offerer, and the remote stream for the page. call.js holds one of these per peer seat —
// a side has its connection to the other side and, while a moderator is in, one to the
// moderator; a moderator has one to each side — and routes signaling to it by `from`.
// No DOM: the peer connection and the stream come from factories.

/**
 * A peer for `seat`. `to` is the `to` field its signaling carries (null: none, the other
 * side implied). `send(msg)` sends signaling; `onState(peer, call, status?)` is told when
 * the connection's state moves (status undefined: unchanged); `onTrack(peer)` and
 * `onReset(peer)` when the remote stream gains a track or is replaced.
 */
export function createPeer({ seat, to = null, newPeerConnection, newMediaStream, iceServers = () => [], icePolicy = () => 'all', localStream = () => null, send, onState = () => {}, onTrack = () => {}, onReset = () => {}, isEnded = () => false, now = () => Date.now(), restartGapMs = 5000 }) {
  const P = {
    seat,
    pc: null,
    offerer: false,
    pendingIce: [],
    remoteStream: null,
    call: 'idle',
    lastRestart: 0,
  };

  const signal = (msg) => send(to ? { ...msg, to } : msg);

  function setState(call, status) {
    P.call = call;
    onState(P, call, status);
  }

  /** Closes the peer connection (if any) and forgets its handlers. */
  function close() {
    const old = P.pc;
    P.pc = null;
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
    pc.onicecandidate = (ev) => {
      if (pc !== P.pc || !ev.candidate) return;
      signal({ type: 'ice', candidate: ev.candidate.toJSON() });
    };
    pc.ontrack = (ev) => {
      if (pc !== P.pc) return;
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
    if (ok) setState('connected', 'connected');
    else if (cs === 'failed' || ics === 'failed') {
      setState('connecting', 'unstable');
      if (P.offerer) restartIce(pc);
    } else if (cs === 'disconnected' || ics === 'disconnected') setState('connecting', 'unstable');
    else if (P.call !== 'idle' || cs === 'connecting') setState('connecting');
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
    const offer = await pc.createOffer(opts);
    if (pc !== P.pc) return;
    await pc.setLocalDescription(offer);
    if (pc !== P.pc) return;
    signal({ type: 'offer', sdp: pc.localDescription.sdp });
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

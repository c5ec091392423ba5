// Screen sharing in a room: this side's shared screen put on every connection's screen line
// (call_peer.js; no renegotiation), the mark that tells each peer it is on or off — over the
// `control` data channel, with the line's mid — and which peer's screen to show large. No
// DOM: the capture comes from `getDisplayMedia` (the page passes the browser's), and the
// page hears emit('local', track | null) and emit('remote', {seat, track} | null).
import { screenTransceiver } from './call_peer.js';

/**
 * Screen sharing on `call` (call.js). start() asks for a screen and shares it ({ok} or
 * {ok: false, why: 'denied' | 'failed' | 'busy'}); stop() ends it, as does the browser's
 * own "stop sharing" (the track ends). Any seat may share; a side's share is noted for
 * the record (call.noteSharing).
 */
export function createScreenShare({ call, getDisplayMedia, emit = () => {} }) {
  const st = { local: null, remote: new Map(), shown: null, starting: false };

  /** Tells one seat whether our screen is on, naming the line it comes on. */
  function sendMark(seat) {
    const p = call.st.peers.get(seat);
    const tr = p && p.pc ? screenTransceiver(p.pc) : null;
    call.sendControl(seat, { t: 'screen', on: !!st.local, mid: tr ? tr.mid : null });
  }

  function markAll() {
    for (const seat of call.st.peers.keys()) sendMark(seat);
  }

  /** The track a seat's mark points at: its screen line's, found by mid if given. */
  function remoteTrack(seat) {
    const p = call.st.peers.get(seat);
    const mark = st.remote.get(seat);
    if (!p || !p.pc || !mark || !mark.on) return null;
    if (mark.mid !== null && mark.mid !== undefined) {
      const tr = p.pc.getTransceivers().find((x) => x.mid === mark.mid);
      if (tr && tr.receiver && tr.receiver.track) return tr.receiver.track;
    }
    return p.screenTrack || null;
  }

  /** Shows the first peer whose screen is on (the other side before a moderator). */
  function update() {
    let next = null;
    for (const seat of ['buyer', 'vendor', 'moderator']) {
      const track = remoteTrack(seat);
      if (track) {
        next = { seat, track };
        break;
      }
    }
    const same = (a, b) => (a && b ? a.seat === b.seat && a.track === b.track : a === b);
    if (!same(next, st.shown)) {
      st.shown = next;
      emit('remote', next);
    }
  }

  call.on((type, d) => {
    if (type === 'control-open' && st.local) sendMark(d.seat);
    else if (type === 'control' && d.msg.t === 'screen') {
      st.remote.set(d.seat, { on: !!d.msg.on, mid: typeof d.msg.mid === 'string' ? d.msg.mid : null });
      update();
    } else if (type === 'remote-screen-track') update();
    else if (type === 'remote-reset' || type === 'channels') {
      // A new connection with that seat (or none): its mark comes again when it opens.
      st.remote.delete(d.seat);
      update();
    } else if (type === 'teardown' && st.local) stop();
  });

  async function stop() {
    const track = st.local;
    if (!track) return;
    st.local = null;
    track.onended = null;
    track.stop();
    await call.setScreen(null);
    markAll();
    emit('local', null);
  }

  return {
    st,
    async start() {
      if (st.local || st.starting) return { ok: false, why: 'busy' };
      st.starting = true;
      let stream;
      try {
        stream = await getDisplayMedia({ video: true, audio: false });
      } catch (e) {
        st.starting = false;
        return { ok: false, why: e && e.name === 'NotAllowedError' ? 'denied' : 'failed' };
      }
      st.starting = false;
      const track = stream.getVideoTracks()[0];
      if (!track) return { ok: false, why: 'failed' };
      if (call.st.ended) {
        track.stop();
        return { ok: false, why: 'failed' };
      }
      // Slides and catalogues are text: keep the resolution, let the frame rate give.
      track.contentHint = 'detail';
      st.local = track;
      track.onended = () => stop();
      await call.setScreen(track);
      if (call.st.side !== 'moderator') call.noteSharing({ screen_shared: true });
      markAll();
      emit('local', track);
      return { ok: true };
    },
    stop,
  };
}

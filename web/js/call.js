// One participant's seat in a meeting's room: the signaling connection and its reconnects,
// and one peer connection per peer seat (call_peer.js) — a side (buyer, vendor) keeps its
// connection to the other side and, while a moderator is in the room, one to the
// moderator; a moderator keeps one to each side present. No DOM: sockets, peer
// connections and media streams come from factories, timers and clocks are arguments, and
// what the page must show is told through `emit(type, detail)` — so node drives a whole
// call with fakes. pages/room.js draws it.
//
// Who offers: the server's `call_ready` names the peer and whether we are `offerer` (the
// buyer towards the vendor, a moderator towards each side); only the offerer makes offers
// and ICE restarts on that connection. An offer that crosses ours is answered after a
// rollback. Incoming signaling is routed by `from`; a message without one (an older
// server) is from the other side. Our own signaling names `to` except a side's towards the
// other side, which the protocol lets us leave out (and older servers require us to).
import { openSignaling } from './wire/signaling.js';
import { createBackoff } from './backoff.js';
import { createPeer } from './call_peer.js';

/** Reconnects to the signaling socket: 1 s doubling to 10 s, back to 1 s once joined. */
export const RECONNECT = { base: 1000, max: 10000 };
/** The least time between two ICE restarts of one connection, in ms. */
export const RESTART_GAP_MS = 5000;

/** What a file may be until the server says (joined.files): 20 MiB, 50 per side. */
export const DEFAULT_FILE_LIMITS = { max_bytes: 20 * 1024 * 1024, max_count: 50 };

/** The other side of a meeting: buyer ↔ vendor. */
export const otherSide = (side) => (side === 'buyer' ? 'vendor' : 'buyer');

/**
 * The call's state (`call.st`), read by the page and the test hooks:
 * meetingId, meeting, window, phase, side ('buyer' | 'vendor' | 'moderator'), joined,
 * peerPresent (the other side is in; for a moderator: either side), present (Set of the
 * seats in the room besides us), moderator ({name} while a moderator is in, for a side),
 * call ('idle' | 'connecting' | 'connected'), status ('connecting' | 'joined' | 'calling' |
 * 'connected' | 'unstable' | 'peer_left' | 'reconnecting'), lastError, ended,
 * closed ({reason}), fatal ({code, message}), noShow ('buyer' | 'vendor' | 'both'),
 * peers (Map seat → peer, see call_peer.js), localStream; and for the main peer (the other
 * side; for a moderator the buyer, else the vendor) pc, remoteStream, offerer, pendingIce.
 *
 * Events: 'call' and 'phase' (st.call, st.phase changed), 'change' (anything else to
 * draw), 'local-stream' (the stream to show as one's own), 'remote-track' and
 * 'remote-reset' ({seat, stream}: that seat's stream gained a track, or was replaced),
 * 'peer-call' ({seat, call}: one connection's state), 'moderator' ({present, name, already}:
 * a moderator came or went), 'rescheduled' ({window, by, kind: 'extended' | 'shortened' |
 * 'moved', endsAt}), 'announcement' (the message), 'warning' (remaining_s), 'no-show',
 * 'error' (a non-fatal server error), 'step-failed' (a WebRTC step threw),
 * 'finish' ({kind: 'closed' | 'fatal', info}), 'teardown';
 * and for what the room carries besides the call (screen.js, chat.js, files.js — see
 * PROTOCOL.md, "In the room"): 'channels' ({seat, peer}: a fresh connection's data
 * channels), 'control-open' ({seat}), 'control' ({seat, msg}: a JSON message on a control
 * channel), 'remote-screen-track' ({seat, track}). Modules besides the page listen with
 * call.on(fn). st.files is the server's limit on files (joined.files); st.sharing what
 * this side reported for the record (re-sent after every join).
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
  // The page's emit, and whoever else listens (call.on).
  const listeners = [];
  const pageEmit = emit;
  emit = (type, detail) => {
    pageEmit(type, detail);
    for (const fn of listeners) fn(type, detail);
  };
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
    present: new Set(),
    names: {},
    moderator: null,
    conn: null,
    peers: new Map(),
    iceServers: [],
    icePolicy: 'all',
    localStream: null,
    media,
    files: { max_bytes: DEFAULT_FILE_LIMITS.max_bytes, max_count: DEFAULT_FILE_LIMITS.max_count },
    sharing: { screen_shared: false, files_sent: 0 },
    screen: null,
  };
  let chain = Promise.resolve();
  let reconnectTimer = null;
  const backoff = createBackoff(RECONNECT);

  /** The seat whose connection st.pc and st.call stand for. */
  function mainSeat() {
    if (st.side !== 'moderator') return otherSide(st.side);
    return st.peers.has('buyer') || !st.peers.has('vendor') ? 'buyer' : 'vendor';
  }
  const main = () => st.peers.get(mainSeat()) || null;
  for (const [key, field, none] of [['pc', 'pc', null], ['remoteStream', 'remoteStream', null], ['offerer', 'offerer', false], ['pendingIce', 'pendingIce', []]]) {
    Object.defineProperty(st, key, { enumerable: true, get: () => (main() ? main()[field] : none) });
  }

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

  /** A moderator's call is as good as its best connection. */
  function moderatorCall() {
    const calls = [...st.peers.values()].map((p) => p.call);
    return calls.includes('connected') ? 'connected' : calls.includes('connecting') ? 'connecting' : 'idle';
  }

  function onPeerState(p, call, status) {
    if (st.peers.get(p.seat) !== p) return;
    emit('peer-call', { seat: p.seat, call });
    if (st.side === 'moderator') {
      if (status) st.status = status;
      if (moderatorCall() !== st.call) setCall(moderatorCall());
    } else if (p.seat === mainSeat()) {
      if (status) st.status = status;
      setCall(call);
    }
  }

  /** The peer for a seat, made (with a fresh connection) if there is none. */
  function peerFor(seat) {
    let p = st.peers.get(seat);
    if (p) return p;
    const to = st.side === 'moderator' ? seat : seat === 'moderator' ? 'moderator' : null;
    p = createPeer({
      seat,
      to,
      newPeerConnection,
      newMediaStream,
      iceServers: () => st.iceServers,
      icePolicy: () => st.icePolicy,
      localStream: () => st.localStream,
      screenTrack: () => st.screen,
      send,
      onState: onPeerState,
      onTrack: (x) => st.peers.get(seat) === x && emit('remote-track', { seat, stream: x.remoteStream }),
      onReset: (x) => emit('remote-reset', { seat, stream: x.remoteStream }),
      onScreenTrack: (x) => st.peers.get(seat) === x && emit('remote-screen-track', { seat, track: x.screenTrack }),
      onChannels: (x) => wireChannels(seat, x),
      isEnded: () => st.ended,
      now,
      timers,
      restartGapMs: RESTART_GAP_MS,
    });
    st.peers.set(seat, p);
    p.reset();
    return p;
  }

  /** A fresh connection's control channel speaks JSON; both are the listeners'. */
  function wireChannels(seat, p) {
    const control = p.control;
    control.onopen = () => p.control === control && emit('control-open', { seat });
    control.onmessage = (ev) => {
      if (p.control !== control || typeof ev.data !== 'string') return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch (_) {
        return console.warn('control message is not JSON');
      }
      if (!msg || typeof msg !== 'object') return;
      // The answering end's network changed: the offerer restarts ICE.
      if (msg.t === 'restart_ice') p.restart();
      emit('control', { seat, msg });
    };
    emit('channels', { seat, peer: p });
  }

  /** Sends a JSON message on a seat's control channel; false if it is not open. */
  function sendControl(seat, msg) {
    const p = st.peers.get(seat);
    if (!p || !p.control || p.control.readyState !== 'open') return false;
    p.control.send(JSON.stringify(msg));
    return true;
  }

  /** Tells the server what this side shared, if there is anything to tell. */
  function sendSharing() {
    if (st.side === 'moderator' || !st.joined) return;
    const s = st.sharing;
    if (s.screen_shared || s.files_sent > 0) send({ type: 'sharing', screen_shared: s.screen_shared, files_sent: s.files_sent });
  }

  /** Drops a seat's connection (it left, or the room is over for us). */
  function dropPeer(seat) {
    const p = st.peers.get(seat);
    if (!p) return;
    st.peers.delete(seat);
    p.close();
    emit('remote-reset', { seat, stream: null });
  }

  function dropAll() {
    for (const seat of [...st.peers.keys()]) dropPeer(seat);
  }

  /** Which seat a relayed message is from: `from`, or (an older server) the other side. */
  function sender(msg) {
    if (msg.from) return msg.from;
    return st.side === 'moderator' ? null : otherSide(st.side);
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
        st.present = new Set(Array.isArray(msg.present) ? msg.present : []);
        st.peerPresent = !!msg.peer_present;
        st.iceServers = Array.isArray(msg.ice_servers) ? msg.ice_servers : [];
        st.icePolicy = msg.ice_transport_policy === 'relay' ? 'relay' : 'all';
        st.names = msg.names && typeof msg.names === 'object' ? msg.names : {};
        if (msg.files && Number.isFinite(msg.files.max_bytes) && Number.isFinite(msg.files.max_count)) st.files = { max_bytes: msg.files.max_bytes, max_count: msg.files.max_count };
        // The record's facts survive a reconnect: the server takes the same report again.
        sendSharing();
        st.moderator = st.side !== 'moderator' && st.present.has('moderator') ? { name: st.names.moderator || null } : null;
        setPhase(msg.phase);
        st.localStream = await st.media;
        if (st.ended || conn !== st.conn) return;
        if (st.localStream) emit('local-stream', st.localStream);
        dropAll();
        // A side is ready for the other side's offer at once; a moderator waits for call_ready.
        if (st.side !== 'moderator') peerFor(otherSide(st.side));
        else setCall('idle');
        if (st.moderator) emit('moderator', { present: true, name: st.moderator.name, already: true });
        emit('change');
        break;
      }
      case 'peer_joined': {
        const seat = msg.side || otherSide(st.side);
        st.present.add(seat);
        if (msg.name) st.names = { ...st.names, [seat]: msg.name };
        if (seat === 'moderator') {
          st.moderator = { name: msg.name || null };
          emit('moderator', { present: true, name: st.moderator.name, already: false });
        } else {
          st.peerPresent = true;
          st.status = 'joined';
        }
        emit('change');
        break;
      }
      case 'peer_left': {
        const seat = msg.side || otherSide(st.side);
        st.present.delete(seat);
        if (seat === 'moderator') {
          st.moderator = null;
          dropPeer('moderator');
          emit('moderator', { present: false, name: null, already: false });
        } else if (st.side === 'moderator') {
          dropPeer(seat);
          st.peerPresent = st.present.has('buyer') || st.present.has('vendor');
          if (st.call !== moderatorCall()) setCall(moderatorCall());
        } else {
          // The other side: start over with a fresh connection for when they come back.
          st.peerPresent = false;
          st.status = 'peer_left';
          peerFor(seat).reset();
        }
        emit('change');
        break;
      }
      case 'call_ready': {
        const seat = msg.peer || otherSide(st.side);
        const p = peerFor(seat);
        if (seat !== 'moderator') {
          st.present.add(seat);
          st.peerPresent = true;
          st.status = 'calling';
        }
        await p.ready(msg.offerer);
        break;
      }
      case 'offer': {
        const seat = sender(msg);
        if (!seat) return console.warn('offer without from');
        await peerFor(seat).onOffer(msg.sdp);
        break;
      }
      case 'answer': {
        const p = st.peers.get(sender(msg));
        if (!p) return console.warn('answer from a seat without a connection', msg.from);
        await p.onAnswer(msg.sdp);
        break;
      }
      case 'ice': {
        const p = st.peers.get(sender(msg));
        if (p) await p.onIce(msg.candidate);
        break;
      }
      case 'rescheduled': {
        const before = st.window;
        if (msg.window) st.window = msg.window;
        if (Array.isArray(msg.ice_servers) && msg.ice_servers.length) {
          st.iceServers = msg.ice_servers;
          for (const p of st.peers.values()) p.setIceServers(msg.ice_servers);
        }
        const endsAt = st.window ? st.window.ends_at : null;
        const kind = !before || !st.window || endsAt === before.ends_at ? 'moved' : endsAt > before.ends_at ? 'extended' : 'shortened';
        emit('rescheduled', { window: st.window, by: msg.by || '', kind, endsAt });
        emit('change');
        break;
      }
      case 'announcement':
        emit('announcement', msg);
        break;
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
          st.present = new Set();
          st.moderator = null;
          st.status = 'reconnecting';
          dropAll();
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
    dropAll();
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
    /** Listens to the call's events besides the page (fn(type, detail)). */
    on(fn) {
      listeners.push(fn);
    },
    sendControl,
    /** The seat chat and files go to: the other side (a moderator has none). */
    partner: () => (st.side === 'moderator' ? null : otherSide(st.side)),
    /** Shares `track` as the screen on every connection (null: stops sharing). */
    async setScreen(track) {
      st.screen = track || null;
      await Promise.all([...st.peers.values()].map((p) => p.setScreen()));
    },
    /** The network changed: every connection this side offers looks for a new path; on
     * those it answers, it asks the offerer to (over `control`, while that still gets
     * through; if it does not, the offerer sees the break itself within seconds). */
    restartIce() {
      return Promise.all(
        [...st.peers.values()].map((p) => {
          if (!p.offerer) sendControl(p.seat, { t: 'restart_ice' });
          return p.restart();
        }),
      );
    },
    /** Notes what this side shared (merged into st.sharing) and tells the server. */
    noteSharing(patch) {
      const s = st.sharing;
      st.sharing = {
        screen_shared: s.screen_shared || !!patch.screen_shared,
        files_sent: Math.max(s.files_sent, Number(patch.files_sent) || 0),
      };
      if (st.sharing.screen_shared !== s.screen_shared || st.sharing.files_sent !== s.files_sent) sendSharing();
    },
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

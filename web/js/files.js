// Files between the two sides of a room (a PDF catalogue, certificates), peer to peer over
// the call's `files` data channel (PROTOCOL.md, "In the room"): a JSON header with the
// name, size and type, the bytes in CHUNK-sized binary messages with backpressure
// (bufferedAmountLowThreshold), an end mark, and the receiver's `got` (only then is the
// file counted as sent). The server's limit (joined.files) holds on both ends. No DOM:
// files are Blobs, what arrives is a Blob for the page to offer as a download.

/** The size of one binary message (16 KiB: every browser takes it). */
export const CHUNK = 16 * 1024;
/** Stop sending while this much is buffered; go on once it falls to LOW_WATER. */
export const HIGH_WATER = 1024 * 1024;
export const LOW_WATER = 256 * 1024;
/** The longest file name kept, in characters. */
export const MAX_NAME = 200;

/** A file name safe to show and to save under: no path, no control characters. */
export function cleanName(name) {
  const base = String(name == null ? '' : name).split(/[\\/]/).pop();
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_NAME);
  return clean || 'file';
}

/**
 * Files on `call` (call.js), with the other side only. send(file) queues a Blob/File and
 * resolves {ok} once the other side has it whole, or {ok: false, why: 'too_large' |
 * 'too_many' | 'empty' | 'not_connected' | 'refused' | 'failed'}. Events: emit('progress',
 * t) as a transfer moves, t = {id, dir: 'out' | 'in', name, size, type, done, state:
 * 'sending' | 'waiting' | 'sent' | 'receiving' | 'received' | 'failed' | 'refused'},
 * emit('received', {…t, blob}) (the blob also stays on st.transfers' entry), emit('sent',
 * {count}) — the files sent so far.
 */
export function createFiles({ call, emit = () => {} }) {
  const st = { transfers: [], sent: 0 };
  let channel = null;
  let seq = 0;
  let queue = Promise.resolve();
  /** The file being received, if any (files come one after another on an ordered channel). */
  let incoming = null;
  /** Sends waiting for the other side's `got` or `refused`, by id. */
  const waiting = new Map();

  const limits = () => call.st.files;

  function moved(t) {
    emit('progress', { ...t });
  }

  function attach(ch) {
    channel = ch;
    incoming = null;
    ch.binaryType = 'arraybuffer';
    ch.bufferedAmountLowThreshold = LOW_WATER;
    ch.onmessage = (ev) => {
      if (channel !== ch) return;
      if (typeof ev.data === 'string') onText(ch, ev.data);
      else onBytes(ch, ev.data);
    };
    // A new channel: whatever was under way on the old one is lost.
    for (const [id, w] of waiting) {
      waiting.delete(id);
      w({ ok: false, why: 'failed' });
    }
  }

  call.on((type, d) => {
    if (type === 'channels' && d.seat === call.partner()) attach(d.peer.files);
  });

  function reply(ch, msg) {
    if (ch.readyState === 'open') ch.send(JSON.stringify(msg));
  }

  function fail(t, state = 'failed') {
    t.state = state;
    moved(t);
  }

  function onText(ch, text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch (_) {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    if (msg.t === 'file') {
      if (incoming) fail(incoming);
      const size = Number(msg.size);
      const t = { id: String(msg.id || ''), dir: 'in', name: cleanName(msg.name), size, type: typeof msg.type === 'string' ? msg.type.slice(0, 100) : '', done: 0, state: 'receiving' };
      st.transfers.push(t);
      if (!Number.isSafeInteger(size) || size < 0 || size > limits().max_bytes) {
        reply(ch, { t: 'refused', id: t.id, why: 'too_large' });
        incoming = null;
        return fail(t, 'refused');
      }
      incoming = { t, chunks: [] };
      moved(t);
    } else if (msg.t === 'end') {
      const cur = incoming;
      if (!cur || cur.t.id !== String(msg.id)) return;
      incoming = null;
      if (cur.t.done !== cur.t.size) {
        reply(ch, { t: 'refused', id: cur.t.id, why: 'incomplete' });
        return fail(cur.t);
      }
      cur.t.state = 'received';
      const blob = new Blob(cur.chunks, { type: cur.t.type || 'application/octet-stream' });
      cur.t.blob = blob;
      reply(ch, { t: 'got', id: cur.t.id });
      moved(cur.t);
      emit('received', { ...cur.t });
    } else if (msg.t === 'got' || msg.t === 'refused') {
      const w = waiting.get(String(msg.id));
      if (!w) return;
      waiting.delete(String(msg.id));
      w(msg.t === 'got' ? { ok: true } : { ok: false, why: 'refused' });
    }
  }

  function onBytes(ch, data) {
    const cur = incoming;
    if (!cur) return;
    const n = data.byteLength || 0;
    cur.t.done += n;
    // More than the header said, or than the limit: not this file any more.
    if (cur.t.done > cur.t.size || cur.t.done > limits().max_bytes) {
      incoming = null;
      reply(ch, { t: 'refused', id: cur.t.id, why: 'too_large' });
      return fail(cur.t, 'refused');
    }
    cur.chunks.push(data);
    moved(cur.t);
  }

  /** Resolves once the channel's buffer has drained to LOW_WATER (or the channel is gone). */
  function drained(ch) {
    return new Promise((resolve) => {
      const done = () => {
        ch.onbufferedamountlow = null;
        ch.onclose = null;
        resolve();
      };
      ch.onbufferedamountlow = done;
      ch.onclose = done;
    });
  }

  async function sendOne(file, t) {
    const ch = channel;
    if (!ch || ch.readyState !== 'open') return { ok: false, why: 'not_connected' };
    const answered = new Promise((resolve) => waiting.set(t.id, resolve));
    ch.send(JSON.stringify({ t: 'file', id: t.id, name: t.name, size: t.size, type: t.type }));
    t.state = 'sending';
    moved(t);
    for (let at = 0; at < t.size; at += CHUNK) {
      if (ch.bufferedAmount > HIGH_WATER) await drained(ch);
      if (channel !== ch || ch.readyState !== 'open') {
        waiting.delete(t.id);
        return { ok: false, why: 'not_connected' };
      }
      const bytes = await file.slice(at, Math.min(at + CHUNK, t.size)).arrayBuffer();
      ch.send(bytes);
      t.done = at + bytes.byteLength;
      moved(t);
    }
    ch.send(JSON.stringify({ t: 'end', id: t.id }));
    t.state = 'waiting';
    moved(t);
    return answered;
  }

  return {
    st,
    attach,
    /** Sends a file (Blob or File) to the other side, after those queued before it. */
    send(file, name = file && file.name) {
      const size = file ? file.size : 0;
      const t = { id: 'f' + ++seq + '-' + Date.now().toString(36), dir: 'out', name: cleanName(name), size, type: (file && file.type) || 'application/octet-stream', done: 0, state: 'sending' };
      if (!file || !size) return Promise.resolve({ ok: false, why: 'empty' });
      if (size > limits().max_bytes) return Promise.resolve({ ok: false, why: 'too_large' });
      // The meeting's count (also from before a reload: the call's record of it) and those under way.
      const underWay = st.transfers.filter((x) => x.dir === 'out' && (x.state === 'sending' || x.state === 'waiting')).length;
      if (call.st.sharing.files_sent + underWay >= limits().max_count) return Promise.resolve({ ok: false, why: 'too_many' });
      if (!channel || channel.readyState !== 'open') return Promise.resolve({ ok: false, why: 'not_connected' });
      st.transfers.push(t);
      moved(t);
      const result = (queue = queue.then(async () => {
        let r;
        try {
          r = await sendOne(file, t);
        } catch (e) {
          console.warn('sending a file failed', e);
          r = { ok: false, why: 'failed' };
        }
        if (r.ok) {
          t.state = 'sent';
          st.sent += 1;
          moved(t);
          emit('sent', { count: st.sent });
        } else fail(t, r.why === 'refused' ? 'refused' : 'failed');
        return r;
      }));
      return result;
    },
  };
}

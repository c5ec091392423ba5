// Text chat between the two sides of a room, peer to peer over the call's `control` data
// channel (PROTOCOL.md, "In the room"): never through the server, never stored. No DOM:
// the call sends and delivers the messages, the page shows st.messages.

/** The longest message, in characters. */
export const MAX_CHAT = 2000;

/**
 * A chat on `call` (call.js): send(text) gives {ok} or {ok: false, why: 'empty' |
 * 'too_long' | 'no_peer' | 'not_connected'}; emit('message', m) for each message sent or
 * received, m = {id, mine, text, at}. Only the other side's control channel is read: a
 * moderator is not part of the sides' chat.
 */
export function createChat({ call, emit = () => {}, now = () => Date.now() }) {
  const st = { messages: [] };
  let seq = 0;

  function add(m) {
    st.messages.push(m);
    emit('message', m);
  }

  call.on((type, d) => {
    if (type !== 'control' || d.msg.t !== 'chat' || d.seat !== call.partner()) return;
    const text = typeof d.msg.text === 'string' ? d.msg.text.slice(0, MAX_CHAT) : '';
    if (!text.trim()) return;
    add({ id: String(d.msg.id || ''), mine: false, text, at: Number.isFinite(d.msg.at) ? d.msg.at : now() });
  });

  return {
    st,
    send(raw) {
      const text = String(raw == null ? '' : raw).trim();
      if (!text) return { ok: false, why: 'empty' };
      if (text.length > MAX_CHAT) return { ok: false, why: 'too_long' };
      const seat = call.partner();
      if (!seat) return { ok: false, why: 'no_peer' };
      const m = { id: 'c' + ++seq + '-' + now(), mine: true, text, at: now() };
      if (!call.sendControl(seat, { t: 'chat', id: m.id, text, at: m.at })) return { ok: false, why: 'not_connected' };
      add(m);
      return { ok: true };
    },
  };
}

// chat.js: messages between the two sides over the control data channel, never the server.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createCall } from '../js/call.js';
import { createChat, MAX_CHAT } from '../js/chat.js';
import { connectedCall } from './fakes.js';

test('a message goes to the other side on the control channel, not over signaling', async () => {
  const c = await connectedCall(createCall);
  const seen = [];
  const chat = createChat({ call: c.call, emit: (type, m) => seen.push([type, m]), now: c.time.now });
  const before = c.ws.sent.length;
  assert.deepEqual(chat.send('  안녕하세요, 카탈로그 보내드릴게요  '), { ok: true });
  const [msg] = c.control.texts();
  assert.equal(msg.t, 'chat');
  assert.equal(msg.text, '안녕하세요, 카탈로그 보내드릴게요');
  assert.equal(c.ws.sent.length, before, 'nothing went to the server');
  assert.equal(seen.length, 1);
  assert.equal(seen[0][1].mine, true);
});

test('a message from the other side is shown; one from a moderator\'s connection is not the sides\' chat', async () => {
  const c = await connectedCall(createCall);
  const chat = createChat({ call: c.call, now: c.time.now });
  c.control.receive({ t: 'chat', id: 'x1', text: '네, 감사합니다', at: 5 });
  assert.deepEqual(chat.st.messages, [{ id: 'x1', mine: false, text: '네, 감사합니다', at: 5 }]);
  // The moderator's connection (call_ready from the moderator) has its own control channel.
  c.ws.receive({ type: 'peer_joined', side: 'moderator', name: '운영자' });
  c.ws.receive({ type: 'call_ready', offerer: false, peer: 'moderator' });
  await new Promise((r) => setImmediate(r));
  const modControl = c.pcs.last().channels[0];
  assert.notEqual(modControl, c.control);
  modControl.open();
  modControl.receive({ t: 'chat', id: 'm1', text: 'moderator here', at: 6 });
  assert.equal(chat.st.messages.length, 1);
});

test('empty, over-long and unconnected messages are refused with a reason', async () => {
  const c = await connectedCall(createCall);
  const chat = createChat({ call: c.call, now: c.time.now });
  assert.deepEqual(chat.send('   '), { ok: false, why: 'empty' });
  assert.deepEqual(chat.send('가'.repeat(MAX_CHAT + 1)), { ok: false, why: 'too_long' });
  assert.equal(chat.send('가'.repeat(MAX_CHAT)).ok, true);
  c.control.close();
  assert.deepEqual(chat.send('hello'), { ok: false, why: 'not_connected' });
  const m = await connectedCall(createCall, { side: 'moderator', joined: { you: { side: 'moderator' } } });
  assert.deepEqual(createChat({ call: m.call }).send('hi'), { ok: false, why: 'no_peer' });
});

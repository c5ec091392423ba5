// files.js: a file between the two sides over the files data channel — header, chunks with
// backpressure, the end mark and the receiver's `got` — whole and within the limit on both
// ends, counted as sent only once the other side has it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createCall } from '../js/call.js';
import { createFiles, CHUNK, HIGH_WATER, cleanName } from '../js/files.js';
import { connectedCall, settle } from './fakes.js';

/** Two sides whose files channels are joined: what one sends the other receives. */
async function pair(limits = { max_bytes: 1024 * 1024, max_count: 2 }) {
  const joined = { files: limits };
  const a = await connectedCall(createCall, { side: 'vendor', joined });
  const b = await connectedCall(createCall, { side: 'buyer', joined });
  const ev = { a: [], b: [] };
  const fa = createFiles({ call: a.call, emit: (type, x) => ev.a.push([type, x]) });
  const fb = createFiles({ call: b.call, emit: (type, x) => ev.b.push([type, x]) });
  // The call made its connection (and channels) before these modules listened: attach.
  fa.attach(a.files);
  fb.attach(b.files);
  for (const [from, to] of [[a.files, b.files], [b.files, a.files]]) {
    const send = from.send.bind(from);
    from.send = (d) => {
      send(d);
      // Delivered a moment later, as a real channel does.
      setImmediate(() => to.receive(d));
    };
  }
  return { a, b, fa, fb, ev };
}

function bytes(n, seed = 7) {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x & 0xff;
  }
  return out;
}

const sha = async (blob) => createHash('sha256').update(Buffer.from(await blob.arrayBuffer())).digest('hex');

test('a file arrives whole, as a Blob with its name and type, and is counted once the other side has it', async () => {
  const { a, fa, ev } = await pair();
  const data = bytes(3 * CHUNK + 123);
  const file = new Blob([data], { type: 'application/pdf' });
  const result = await fa.send(file, '../../카탈로그 2027.pdf');
  assert.deepEqual(result, { ok: true });
  await settle();
  const got = ev.b.find(([type]) => type === 'received')[1];
  assert.equal(got.name, '카탈로그 2027.pdf');
  assert.equal(got.type, 'application/pdf');
  assert.equal(got.size, data.length);
  assert.equal(await sha(got.blob), createHash('sha256').update(data).digest('hex'));
  // The header, 4 chunks and the end went over the files channel; nothing over signaling.
  const sent = a.files.sent;
  assert.equal(sent.filter((x) => typeof x !== 'string').length, 4);
  assert.deepEqual(a.files.texts().map((m) => m.t), ['file', 'end']);
  assert.ok(!a.ws.sent.some((m) => m.type === 'offer' && m.sdp.includes('카탈로그')));
  // Progress on both sides, ending sent and received.
  assert.equal(ev.a.filter(([type]) => type === 'sent').at(-1)[1].count, 1);
  assert.equal(ev.a.filter(([type]) => type === 'progress').at(-1)[1].state, 'sent');
  const inProgress = ev.b.filter(([type, x]) => type === 'progress' && x.state === 'receiving').map(([, x]) => x.done);
  assert.deepEqual(inProgress, [0, CHUNK, 2 * CHUNK, 3 * CHUNK, 3 * CHUNK + 123]);
});

test('the sender holds a file over the limit, and so many files, before sending anything', async () => {
  const { a, fa } = await pair({ max_bytes: 1000, max_count: 1 });
  assert.deepEqual(await fa.send(new Blob([bytes(1001)]), 'big.pdf'), { ok: false, why: 'too_large' });
  assert.deepEqual(await fa.send(new Blob([]), 'empty.pdf'), { ok: false, why: 'empty' });
  assert.equal(a.files.sent.length, 0);
  assert.deepEqual(await fa.send(new Blob([bytes(1000)]), 'ok.pdf'), { ok: true });
  a.call.noteSharing({ files_sent: 1 });
  assert.deepEqual(await fa.send(new Blob([bytes(10)]), 'one-more.pdf'), { ok: false, why: 'too_many' });
});

test('the receiver refuses a header over its limit, and bytes beyond the header, whatever the sender says', async () => {
  const b = await connectedCall(createCall, { side: 'buyer', joined: { files: { max_bytes: 1000, max_count: 5 } } });
  const ev = [];
  const fb = createFiles({ call: b.call, emit: (type, x) => ev.push([type, x]) });
  fb.attach(b.files);
  b.files.receive({ t: 'file', id: 'f1', name: 'huge.pdf', size: 5000, type: 'application/pdf' });
  assert.deepEqual(b.files.texts().at(-1), { t: 'refused', id: 'f1', why: 'too_large' });
  // A header within the limit, then more bytes than it said.
  b.files.receive({ t: 'file', id: 'f2', name: 'liar.pdf', size: 10, type: 'application/pdf' });
  b.files.receive(bytes(600).buffer);
  b.files.receive(bytes(600).buffer);
  b.files.receive({ t: 'end', id: 'f2' });
  assert.deepEqual(b.files.texts().at(-1), { t: 'refused', id: 'f2', why: 'too_large' });
  assert.ok(!ev.some(([type]) => type === 'received'));
  assert.deepEqual(ev.filter(([type]) => type === 'progress').map(([, x]) => [x.id, x.state]).at(-1), ['f2', 'refused']);
});

test('the sender waits while the channel holds more than HIGH_WATER, and goes on when it drains', async () => {
  const a = await connectedCall(createCall, { side: 'vendor' });
  const fa = createFiles({ call: a.call });
  fa.attach(a.files);
  a.files.bufferedAmount = HIGH_WATER + 1;
  let done = false;
  const sending = fa.send(new Blob([bytes(2 * CHUNK)]), 'a.pdf').then((r) => (done = r));
  await settle();
  // Only the header: the bytes wait for the buffer.
  assert.equal(a.files.sent.length, 1);
  assert.equal(typeof a.files.onbufferedamountlow, 'function');
  a.files.bufferedAmount = 0;
  a.files.onbufferedamountlow();
  await settle();
  assert.equal(a.files.sent.filter((x) => typeof x !== 'string').length, 2);
  assert.equal(done, false, 'not sent until the other side says it has it');
  a.files.receive({ t: 'got', id: a.files.texts()[0].id });
  await sending;
  assert.deepEqual(done, { ok: true });
});

test('file names lose their path and control characters', () => {
  assert.equal(cleanName('C:\\Users\\me\\견적서.pdf'), '견적서.pdf');
  assert.equal(cleanName('a\u0000b\nc.pdf'), 'abc.pdf');
  assert.equal(cleanName(''), 'file');
  assert.equal(cleanName('x'.repeat(500)).length, 200);
});

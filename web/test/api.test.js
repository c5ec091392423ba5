// api.js: the preparation's requests (PUT/PATCH JSON, raw file uploads) and a refused
// import's problems carried on the error, against a fake fetch.
import test from 'node:test';
import assert from 'node:assert/strict';
import { apiSend, apiUpload, ApiError } from '../js/api.js';
import { S } from '../js/state.js';

function fakeFetch(status, body) {
  const calls = [];
  globalThis.fetch = async (path, init) => {
    calls.push({ path, init });
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return calls;
}

test('PUT and PATCH send JSON with the token', async () => {
  S.token = 'tok';
  const calls = fakeFetch(200, { did: 'settings', version: 2 });
  assert.deepEqual(await apiSend('PUT', '/api/prep/settings', { expected_version: 1 }), { did: 'settings', version: 2 });
  const c = calls[0];
  assert.equal(c.init.method, 'PUT');
  assert.equal(c.init.headers.Authorization, 'Bearer tok');
  assert.equal(c.init.headers['Content-Type'], 'application/json');
  assert.equal(c.init.body, '{"expected_version":1}');
});

test('an upload sends the file itself as the body', async () => {
  S.token = 'tok';
  const calls = fakeFetch(200, { did: 'imported' });
  const blob = new Blob(['a,b\n']);
  await apiUpload('/api/prep/import?name=x.csv', blob);
  assert.equal(calls[0].init.body, blob);
  assert.equal(calls[0].init.headers['Content-Type'], 'application/octet-stream');
  assert.equal(calls[0].init.headers.Authorization, 'Bearer tok');
});

test('a refused import carries its problems; other refusals none', async () => {
  const problems = [{ sheet: '기업', row: 12, column: '녹색', reason: 'Y or N' }];
  fakeFetch(422, { error: { code: 'bad_import', message: 'nothing was imported', problems } });
  const e = await apiUpload('/api/prep/import?name=x.xlsx', new Blob(['x'])).catch((x) => x);
  assert.ok(e instanceof ApiError);
  assert.deepEqual([e.code, e.status, e.problems], ['bad_import', 422, problems]);
  fakeFetch(409, { error: { code: 'stale_version', message: 'reload' } });
  const s = await apiSend('PATCH', '/api/prep/matches/7', { expected_version: 1 }).catch((x) => x);
  assert.deepEqual([s.code, s.status, s.problems], ['stale_version', 409, undefined]);
});

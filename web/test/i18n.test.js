// i18n: the two string tables and the lookup.
import test from 'node:test';
import assert from 'node:assert/strict';
import { STR, t, errText, useLang, lang, has } from '../js/i18n/index.js';

test('Korean and English have the same keys', () => {
  const ko = Object.keys(STR.ko).sort();
  const en = Object.keys(STR.en).sort();
  assert.deepEqual(ko.filter((k) => !STR.en[k]), []);
  assert.deepEqual(en.filter((k) => !STR.ko[k]), []);
  assert.ok(ko.length > 300);
});

test('placeholders are the same in both languages', () => {
  const vars = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const k of Object.keys(STR.ko)) assert.equal(vars(STR.en[k]), vars(STR.ko[k]), k);
});

test('t fills placeholders and falls back to the key', () => {
  useLang('ko');
  assert.equal(t('round_n', { n: 2 }), '2회차');
  assert.equal(t('round_n'), '{n}회차');
  assert.equal(t('no_such_key'), 'no_such_key');
  useLang('en');
  assert.equal(t('round_n', { n: 2 }), 'Round 2');
  assert.equal(lang(), 'en');
  assert.equal(useLang('fr'), false);
  assert.equal(lang(), 'en');
  useLang('ko');
});

test('error codes have texts, unknown ones the generic text', () => {
  useLang('ko');
  assert.equal(errText('token_expired'), STR.ko.err_token_expired);
  assert.equal(errText('what_is_this'), STR.ko.err_unknown);
  assert.equal(has('err_busy'), true);
});

test('every error code the server can send has a text in both languages', async () => {
  const { readFile } = await import('node:fs/promises');
  const src = await readFile(new URL('../../signaling/src/error.rs', import.meta.url), 'utf8');
  const codes = [...src.matchAll(/ErrorCode::\w+ => "([a-z_]+)"/g)].map((m) => m[1]);
  assert.ok(codes.length > 30, `read ${codes.length} codes`);
  for (const lang of ['ko', 'en']) {
    const missing = codes.filter((c) => !STR[lang]['err_' + c]);
    assert.deepEqual(missing, [], `${lang} lacks texts for`);
  }
});

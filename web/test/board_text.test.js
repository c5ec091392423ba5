// board_text.js: what the moderators' board says for attention items, recorded actions and
// the time left, in both languages.
import test from 'node:test';
import assert from 'node:assert/strict';
import { attentionText, actionText, leftText, COUNT_KEYS } from '../js/board_text.js';
import { STR, useLang } from '../js/i18n/index.js';

test('attention items and actions read in Korean and English', () => {
  useLang('ko');
  assert.equal(attentionText({ kind: 'absent', side: 'vendor' }), '기업 미입장');
  assert.equal(attentionText({ kind: 'no_show', absent: 'both' }), '노쇼: 양측');
  assert.equal(actionText('extend:300'), '5분 연장');
  assert.equal(actionText('move:i002', { i002: '종로구' }), '부스 이동 → 종로구');
  assert.equal(actionText('no_show:buyer'), '노쇼 표시 (기관)');
  useLang('en');
  assert.equal(attentionText({ kind: 'unhealthy', side: 'buyer' }), 'Institution connection unstable');
  assert.equal(attentionText({ kind: 'overrun' }), 'Overrun');
  assert.equal(actionText('shorten:90'), 'shortened by 01:30');
  assert.equal(actionText('something_new'), 'something_new');
  assert.equal(leftText({ kind: 'left', ms: 61000 }), '01:01 left'.replace('01:01 left', STR.en.rem_left.replace('{t}', '01:01')));
  assert.equal(leftText({ kind: 'closed', ms: 0 }), '—');
  useLang('ko');
});

test('every count of the board has a label in both languages', () => {
  for (const k of COUNT_KEYS) for (const l of ['ko', 'en']) assert.ok(STR[l]['mb_count_' + k], l + ' ' + k);
});

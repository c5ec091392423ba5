// prep_view.js: the preparation pages' grouping, statuses, changes and input checks.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as v from '../js/prep_view.js';

const m = (slot, booth, inst, ent, extra = {}) => ({ meeting: `r1-s${String(slot).padStart(2, '0')}-${inst}${booth ? '-b' + (booth + 1) : ''}`, match: slot * 10 + booth, round: 'r1', slot, booth, institution: inst, institution_name: 'I ' + inst, enterprise: ent, enterprise_name: 'E ' + ent, ...extra });

test('per booth: a row per institution and booth, a cell per slot, sorted', () => {
  const ms = [m(2, 1, 'i002', 'e1'), m(0, 0, 'i001', 'e2'), m(1, 0, 'i002', 'e3'), m(3, 0, 'i001', 'e1')];
  const rows = v.byBooth(ms, 4);
  assert.deepEqual(rows.map((r) => [r.institution, r.booth]), [['i001', 0], ['i002', 0], ['i002', 1]]);
  assert.equal(rows[0].cells.length, 4);
  assert.deepEqual(rows[0].cells.map((c) => (c ? c.enterprise : null)), ['e2', null, null, 'e1']);
  assert.deepEqual(rows[2].cells.map((c) => (c ? c.enterprise : null)), [null, null, 'e1', null]);
});

test('the grid grows to a meeting past the round rather than dropping it', () => {
  const rows = v.byBooth([m(5, 0, 'i001', 'e1')], 3);
  assert.equal(rows[0].cells.length, 6);
  assert.equal(rows[0].cells[5].enterprise, 'e1');
});

test('per enterprise: counts meetings and keeps a clash instead of hiding it', () => {
  const ms = [m(0, 0, 'i001', 'e1'), m(2, 0, 'i002', 'e1'), m(0, 0, 'i003', 'e1'), m(1, 0, 'i001', 'e0')];
  const rows = v.byEnterprise(ms, 3);
  assert.deepEqual(rows.map((r) => r.enterprise), ['e0', 'e1']);
  const e1 = rows[1];
  assert.equal(e1.count, 3);
  assert.equal(e1.cells[0].institution, 'i001');
  assert.equal(e1.cells[2].institution, 'i002');
  assert.deepEqual(e1.clashes.map((c) => c.institution), ['i003']);
  assert.deepEqual(rows[0].clashes, []);
});

test('per slot: slots in order with their start, meetings by booth', () => {
  const ms = [m(1, 0, 'i002', 'e1', { starts_at: 2000 }), m(0, 0, 'i001', 'e2', { starts_at: 1000 }), m(1, 0, 'i001', 'e3', { starts_at: 2000 })];
  const s = v.bySlot(ms);
  assert.deepEqual(s.map((x) => [x.slot, x.starts_at, x.meetings.map((y) => y.institution)]), [[0, 1000, ['i001']], [1, 2000, ['i001', 'i002']]]);
  assert.deepEqual(v.slotStarts(ms, 3), [1000, 2000, null]);
});

test('a draft from POST /schedule is named from the registry', () => {
  const d = { booked: [{ meeting: 'r1-s00-i001', match: 1, round: 'r1', slot: 0, booth: 0, institution: 'i001', enterprise: 'e9' }] };
  const got = v.draftMeetings(d, { institutions: { i001: '서울' }, enterprises: {} });
  assert.equal(got[0].institution_name, '서울');
  assert.equal(got[0].enterprise_name, 'e9');
  const full = { meetings: [m(0, 0, 'i1', 'e1')], booked: [] };
  assert.equal(v.draftMeetings(full), full.meetings);
});

test('not placed: named from the matches, reasons to keys, an unknown reason kept visible', () => {
  const d = { not_placed: [{ match: 9, reason: 'gap' }, { match: 4, reason: 'what' }, { match: 77, reason: 'full' }] };
  const rows = v.notPlacedRows(d, [{ id: 9, institution_name: 'A', enterprise_name: 'B' }, { id: 4, institution_name: 'C', enterprise_name: 'D' }]);
  assert.deepEqual(rows.map((r) => [r.match, r.institution, r.reasonKey]), [[9, 'A', 'np_gap'], [4, 'C', 'np_other'], [77, null, 'np_full']]);
  assert.equal(rows[1].reason, 'what');
});

test('publish names each round with the draft version staff saw', () => {
  assert.deepEqual(v.draftVersions([{ round: 'r1', version: 3 }, { round: 'r2', version: 1 }]), { r1: 3, r2: 1 });
  assert.deepEqual(v.draftVersions(null), {});
});

test('request status: pending past expiry reads expired; others as sent', () => {
  const r = { status: 'pending', expires_at: 1000 };
  assert.equal(v.requestStatus(r, 999), 'pending');
  assert.equal(v.requestStatus(r, 1000), 'expired');
  assert.equal(v.requestStatus({ status: 'accepted', expires_at: 1 }, 5), 'accepted');
});

test('request permissions: only the addressee answers, only the sender withdraws, only while pending', () => {
  const base = { institution_name: 'Inst', enterprise_name: 'Ent', expires_at: 1000, status: 'pending' };
  const got = v.requestView({ ...base, can_answer: true, mine: false }, 'buyer', 10);
  assert.deepEqual(got, { status: 'pending', other: 'Ent', canAnswer: true, canWithdraw: false });
  const sent = v.requestView({ ...base, can_answer: false, mine: true }, 'vendor', 10);
  assert.deepEqual(sent, { status: 'pending', other: 'Inst', canAnswer: false, canWithdraw: true });
  const late = v.requestView({ ...base, can_answer: true, mine: true }, 'vendor', 2000);
  assert.equal(late.canAnswer, false);
  assert.equal(late.canWithdraw, false);
  assert.equal(v.requestView({ ...base, status: 'declined', mine: true }, 'vendor', 10).canWithdraw, false);
});

test('requests split into received and sent, newest first', () => {
  const { received, sent } = v.splitRequests([{ id: 1, mine: true, created_at: 5 }, { id: 2, mine: false, created_at: 9 }, { id: 3, mine: true, created_at: 7 }]);
  assert.deepEqual(received.map((r) => r.id), [2]);
  assert.deepEqual(sent.map((r) => r.id), [3, 1]);
});

test('counterparts best fit first, ties by name', () => {
  const got = v.sortCounterparts([{ name: 'b', score: 10 }, { name: 'c', score: 70 }, { name: 'a', score: 10 }]);
  assert.deepEqual(got.map((c) => c.name), ['c', 'a', 'b']);
});

test('the reason counter counts characters as the server does', () => {
  assert.deepEqual(v.reasonCount('상담'), { n: 2, left: 298, over: false });
  // An emoji is two UTF-16 units but one character (Rust chars()).
  assert.equal(v.reasonCount('😀'.repeat(300)).over, false);
  assert.equal(v.reasonCount('가'.repeat(301)).over, true);
  assert.equal(v.reasonCount('').n, 0);
});

test('file kinds: xlsx and csv in any case, nothing else', () => {
  assert.equal(v.fileKind('등록.XLSX'), 'xlsx');
  assert.equal(v.fileKind('a.b.csv'), 'csv');
  assert.equal(v.fileKind('old.xls'), null);
  assert.equal(v.fileKind('csv'), null);
  assert.equal(v.fileKind(''), null);
});

test('import summary counts and lists updated fields', () => {
  const s = v.importSummary({ added: [{ kind: 'enterprise', id: 'e172', fields: [] }], updated: [{ kind: 'institution', id: 'i002', fields: ['booths', 'wanted'] }], unchanged: 254, not_in_file: 2 });
  assert.deepEqual([s.added, s.updated, s.unchanged, s.notInFile, s.nothing], [1, 1, 254, 2, false]);
  assert.deepEqual(s.updatedRows, [{ kind: 'institution', id: 'i002', fields: ['booths', 'wanted'] }]);
  assert.equal(v.importSummary({ added: [], updated: [], unchanged: 3 }).nothing, true);
});

test('timetable changes become keys with round and slot numbers; added and moved are highlighted', () => {
  const b = (slot, meeting) => ({ meeting, match: 1, round: 'r2', slot, booth: 0, institution: 'i001', enterprise: 'e001' });
  const meetings = [{ meeting: 'r2-s04-i001', round: 'r2', round_number: 2 }];
  const moved = v.describeChange({ change: 'moved', was: b(1, 'r2-s01-i001'), now: b(4, 'r2-s04-i001') }, meetings, 'vendor');
  assert.equal(moved.key, 'tt_change_moved');
  assert.deepEqual(moved.vars, { was_round: 2, was_slot: 2, round: 2, slot: 5 });
  assert.equal(moved.found, meetings[0]);
  const added = v.describeChange({ change: 'added', now: b(4, 'r2-s04-i001') }, meetings, 'buyer');
  assert.deepEqual([added.key, added.vars, added.found], ['tt_change_added', { round: 2, slot: 5 }, meetings[0]]);
  const removed = v.describeChange({ change: 'removed', was: b(0, 'r2-s00-i001') }, [], 'vendor');
  assert.deepEqual([removed.key, removed.vars], ['tt_change_removed', { round: 2, slot: 1, other: 'i001' }]);
  assert.equal(v.describeChange({ change: 'removed', was: b(0, 'x') }, [], 'buyer').vars.other, 'e001');
  const hl = v.changedMeetings([{ change: 'added', now: b(0, 'A') }, { change: 'removed', was: b(0, 'B') }, { change: 'moved', was: b(1, 'C0'), now: b(2, 'C') }]);
  assert.deepEqual([...hl].sort(), ['A', 'C']);
});

test('break slots: typed 1-based with ranges, sent 0-based, bounded by the round', () => {
  assert.deepEqual(v.parseSlots('4, 6-7 4', 12), [3, 5, 6]);
  assert.deepEqual(v.parseSlots('  ', 12), []);
  assert.throws(() => v.parseSlots('0', 12), (e) => e.bad === '0');
  assert.throws(() => v.parseSlots('13', 12), (e) => e.bad === '13');
  assert.throws(() => v.parseSlots('5-3', 12), (e) => e.bad === '5-3');
  assert.throws(() => v.parseSlots('lunch', 12), (e) => e.bad === 'lunch');
  assert.equal(v.formatSlots([3, 5, 6]), '4, 6, 7');
  assert.deepEqual(v.parseSlots(v.formatSlots([0, 11]), 12), [0, 11]);
});

test('matches: accepted before cancelled, then by names', () => {
  const got = v.sortMatches([
    { id: 1, status: 'cancelled', institution_name: 'A', enterprise_name: 'A' },
    { id: 2, status: 'accepted', institution_name: 'B', enterprise_name: 'A' },
    { id: 3, status: 'accepted', institution_name: 'A', enterprise_name: 'Z' },
  ]);
  assert.deepEqual(got.map((x) => x.id), [3, 2, 1]);
});

test('proposal gain over greedy', () => {
  assert.deepEqual(v.proposalGain({ total: 5120, greedy_total: 4980 }), { gain: 140, pct: 2.8 });
  assert.deepEqual(v.proposalGain({ total: 0, greedy_total: 0 }), { gain: 0, pct: 0 });
});

test('registered rows from a map or a list, by id', () => {
  assert.deepEqual(v.orgList({ b: { id: 'b' }, a: { id: 'a' } }).map((x) => x.id), ['a', 'b']);
  assert.deepEqual(v.orgList([{ id: 'z' }, { id: 'y' }]).map((x) => x.id), ['y', 'z']);
  assert.deepEqual(v.orgList(undefined), []);
});

test('changes in timetable order, removed ones where they were', () => {
  const b = (round, slot) => ({ meeting: round + '-' + slot, round, slot, booth: 0 });
  const got = v.sortChanges([{ change: 'added', now: b('r10', 0) }, { change: 'removed', was: b('r2', 3) }, { change: 'moved', was: b('r1', 9), now: b('r2', 1) }]);
  assert.deepEqual(got.map((c) => (c.now || c.was).meeting), ['r2-1', 'r2-3', 'r10-0']);
});

test('the revoke form takes a participant id as the server spells ids, nothing else', () => {
  assert.deepEqual(v.revokeRequest('  p-v-e001 '), { id: 'p-v-e001', path: '/api/participants/p-v-e001/revoke' });
  assert.deepEqual(v.revokeRequest(''), { error: 'empty' });
  assert.deepEqual(v.revokeRequest('   '), { error: 'empty' });
  assert.deepEqual(v.revokeRequest(null), { error: 'empty' });
  assert.deepEqual(v.revokeRequest('p v'), { error: 'bad' });
  assert.deepEqual(v.revokeRequest('../me'), { error: 'bad' });
  assert.deepEqual(v.revokeRequest('김'), { error: 'bad' });
  assert.deepEqual(v.revokeRequest('a'.repeat(65)), { error: 'bad' });
  assert.equal(v.revokeRequest('a'.repeat(64)).id.length, 64);
});

// quality.js: getStats readings to round trip, loss since the last reading, and a grade.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createQualityMeter, grade, THRESHOLDS } from '../js/quality.js';

/** A stats report as Chrome gives it: a Map of entries by id. */
function report({ rtt, lost = 0, received = 0, viaTransport = true }) {
  const m = new Map();
  m.set('T1', { id: 'T1', type: 'transport', selectedCandidatePairId: viaTransport ? 'CP2' : undefined });
  // A pair that is not the one in use, with a worse round trip: never read.
  m.set('CP1', { id: 'CP1', type: 'candidate-pair', state: 'failed', nominated: false, currentRoundTripTime: 2.5 });
  m.set('CP2', { id: 'CP2', type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: rtt });
  m.set('IA', { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsLost: Math.floor(lost / 2), packetsReceived: Math.floor(received / 2) });
  m.set('IV', { id: 'IV', type: 'inbound-rtp', kind: 'video', packetsLost: lost - Math.floor(lost / 2), packetsReceived: received - Math.floor(received / 2) });
  return m;
}

test('the grade is the worse of round trip and loss, at the documented thresholds', () => {
  assert.equal(grade({ rttMs: null, lossPct: null }), 'unknown');
  assert.equal(grade({ rttMs: 40, lossPct: 0 }), 'good');
  assert.equal(grade({ rttMs: THRESHOLDS.fair.rttMs - 1, lossPct: null }), 'good');
  assert.equal(grade({ rttMs: THRESHOLDS.fair.rttMs, lossPct: 0 }), 'fair');
  assert.equal(grade({ rttMs: 40, lossPct: THRESHOLDS.fair.lossPct }), 'fair');
  assert.equal(grade({ rttMs: 40, lossPct: THRESHOLDS.poor.lossPct }), 'poor');
  assert.equal(grade({ rttMs: THRESHOLDS.poor.rttMs, lossPct: 0 }), 'poor');
});

test('the round trip is the selected pair\'s; loss counts only the packets since the last reading', () => {
  const q = createQualityMeter();
  const first = q.read(report({ rtt: 0.045, lost: 100, received: 900 }));
  // The first reading has no interval to count loss over (100 lost since the call began
  // says nothing about now).
  assert.deepEqual(first, { rttMs: 45, lossPct: null, grade: 'good' });
  const second = q.read(report({ rtt: 0.05, lost: 105, received: 995 }));
  assert.deepEqual(second, { rttMs: 50, lossPct: 5, grade: 'fair' });
  const third = q.read(report({ rtt: 0.9, lost: 105, received: 1095 }));
  assert.deepEqual(third, { rttMs: 900, lossPct: 0, grade: 'poor' });
});

test('without a transport entry the nominated succeeded pair is used; lost counts going down are not negative loss', () => {
  const q = createQualityMeter();
  q.read(report({ rtt: 0.1, lost: 10, received: 100, viaTransport: false }));
  const r = q.read(report({ rtt: 0.12, lost: 8, received: 200, viaTransport: false }));
  assert.deepEqual(r, { rttMs: 120, lossPct: 0, grade: 'good' });
  q.reset();
  assert.equal(q.read(report({ rtt: 0.12, lost: 50, received: 300 })).lossPct, null);
  assert.deepEqual(q.read([]), { rttMs: null, lossPct: null, grade: 'unknown' });
});

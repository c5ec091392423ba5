// The connection-quality reading of a room's call: from one getStats() report to the next,
// the selected candidate pair's round-trip time and the share of inbound RTP packets lost
// since the last reading, graded good / fair / poor. No DOM: the page polls the peer
// connection every INTERVAL_MS and shows the grade with a plain-language warning.

/** How often the page reads the stats, in ms. */
export const INTERVAL_MS = 2000;

/**
 * The grades' thresholds: at or above `fair` is fair, at or above `poor` is poor, whichever
 * of round trip and loss is worse. A conversation stays comfortable below 300 ms and 3 %
 * loss; beyond 800 ms or 10 % people talk over each other and the picture breaks up.
 */
export const THRESHOLDS = {
  fair: { rttMs: 300, lossPct: 3 },
  poor: { rttMs: 800, lossPct: 10 },
};

/** The grade of one reading: 'good', 'fair', 'poor', or 'unknown' with nothing measured. */
export function grade({ rttMs = null, lossPct = null }) {
  if (rttMs === null && lossPct === null) return 'unknown';
  const over = (level) => (rttMs !== null && rttMs >= THRESHOLDS[level].rttMs) || (lossPct !== null && lossPct >= THRESHOLDS[level].lossPct);
  if (over('poor')) return 'poor';
  if (over('fair')) return 'fair';
  return 'good';
}

/** Every stats entry of a report (an RTCStatsReport, a Map, or an array). */
function entries(report) {
  if (!report) return [];
  if (Array.isArray(report)) return report;
  if (typeof report.values === 'function') return [...report.values()];
  const out = [];
  if (typeof report.forEach === 'function') report.forEach((x) => out.push(x));
  return out;
}

/** The candidate pair in use: the transport's selected one, else a nominated succeeded one. */
function selectedPair(all) {
  const byId = new Map(all.map((x) => [x.id, x]));
  for (const x of all) {
    if (x.type === 'transport' && x.selectedCandidatePairId && byId.has(x.selectedCandidatePairId)) return byId.get(x.selectedCandidatePairId);
  }
  return all.find((x) => x.type === 'candidate-pair' && x.nominated && x.state === 'succeeded') || all.find((x) => x.type === 'candidate-pair' && x.selected) || null;
}

/**
 * A meter for one peer connection: read(report) gives {rttMs, lossPct, grade}. Loss is
 * over the packets since the previous reading (lost counts can go down when late packets
 * arrive: never below zero); the first reading has only the round trip.
 */
export function createQualityMeter() {
  let last = null;
  return {
    read(report) {
      const all = entries(report);
      const pair = selectedPair(all);
      const rtt = pair && Number.isFinite(pair.currentRoundTripTime) ? Math.round(pair.currentRoundTripTime * 1000) : null;
      let lost = 0;
      let received = 0;
      for (const x of all) {
        if (x.type !== 'inbound-rtp') continue;
        lost += Math.max(0, Number(x.packetsLost) || 0);
        received += Number(x.packetsReceived) || 0;
      }
      let lossPct = null;
      if (last) {
        const dLost = Math.max(0, lost - last.lost);
        const dReceived = Math.max(0, received - last.received);
        if (dLost + dReceived > 0) lossPct = Math.round((dLost / (dLost + dReceived)) * 1000) / 10;
      }
      last = { lost, received };
      const reading = { rttMs: rtt, lossPct };
      return { ...reading, grade: grade(reading) };
    },
    /** Forgets the previous reading (a new peer connection counts from zero). */
    reset() {
      last = null;
    },
  };
}

// The pre-join check's relay test, without DOM: for each TURN URL the server hands out in
// `joined.ice_servers`, a peer connection with `iceTransportPolicy: "relay"` and only that
// URL gathers candidates; a relay candidate means that transport reaches the server's TURN.
// The result says which of UDP, TCP and TLS (turns:) worked. Peer connections and timers
// are arguments, so node tests it with fakes.

/** How long one URL may take to produce a relay candidate. */
export const RELAY_TIMEOUT_MS = 5000;

/** The transport a TURN URL uses: 'tls' (turns:), 'tcp' (?transport=tcp), else 'udp'; null for STUN. */
export function transportOf(url) {
  const u = String(url).trim().toLowerCase();
  if (u.startsWith('turns:')) return 'tls';
  if (!u.startsWith('turn:')) return null;
  const q = u.split('?')[1] || '';
  return /(^|&)transport=tcp(&|$)/.test(q) ? 'tcp' : 'udp';
}

/** Every TURN URL of an ICE server list, one entry each with its server's credentials. */
export function relayTargets(iceServers) {
  const out = [];
  for (const s of iceServers || []) {
    const urls = Array.isArray(s.urls) ? s.urls : s.urls ? [s.urls] : s.url ? [s.url] : [];
    for (const url of urls) {
      const transport = transportOf(url);
      if (transport) out.push({ url, transport, username: s.username, credential: s.credential });
    }
  }
  return out;
}

/** Whether an ICE candidate (RTCIceCandidate or its init) is a relayed one. */
export function isRelay(c) {
  if (!c) return false;
  if (c.type) return c.type === 'relay';
  return / typ relay( |$)/.test(c.candidate || '');
}

/** Tests one target: resolves {url, transport, ok, ms}. */
export function probe(target, { newPeerConnection, timers = globalThis, now = () => Date.now(), timeoutMs = RELAY_TIMEOUT_MS }) {
  return new Promise((resolve) => {
    const began = now();
    let pc = null;
    let timer = null;
    let done = false;
    const finish = (ok) => {
      if (done) return;
      done = true;
      timers.clearTimeout(timer);
      try {
        if (pc) pc.close();
      } catch (_) {
        /* already closed */
      }
      resolve({ url: target.url, transport: target.transport, ok, ms: now() - began });
    };
    timer = timers.setTimeout(() => finish(false), timeoutMs);
    try {
      const server = { urls: target.url };
      if (target.username !== undefined) server.username = target.username;
      if (target.credential !== undefined) server.credential = target.credential;
      pc = newPeerConnection({ iceServers: [server], iceTransportPolicy: 'relay' });
      pc.onicecandidate = (ev) => {
        if (!ev || !ev.candidate) finish(false); // gathering over without a relay
        else if (isRelay(ev.candidate)) finish(true);
      };
      pc.createDataChannel('relay-check');
      Promise.resolve(pc.createOffer())
        .then((o) => pc.setLocalDescription(o))
        .catch(() => finish(false));
    } catch (_) {
      finish(false);
    }
  });
}

/**
 * Tests every TURN URL at once. Resolves {tested, any, udp, tcp, tls, results}: `udp`,
 * `tcp`, `tls` are true (one URL of that transport produced a relay candidate), false
 * (all failed) or null (the server offers none).
 */
export async function checkRelay(iceServers, deps) {
  const targets = relayTargets(iceServers);
  const results = await Promise.all(targets.map((t) => probe(t, deps)));
  const by = (transport) => {
    const of = results.filter((r) => r.transport === transport);
    return of.length ? of.some((r) => r.ok) : null;
  };
  return { tested: results.length, any: results.some((r) => r.ok), udp: by('udp'), tcp: by('tcp'), tls: by('tls'), results };
}

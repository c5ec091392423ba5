// What to tell a person when their camera or microphone cannot be had, or no relay is
// reachable: each getUserMedia error name becomes the i18n key of plain advice (Korean
// and English are in i18n/). No DOM.

/** The advice key for a getUserMedia failure (`err` an Error or DOMException, or null). */
export function adviceFor(err, { secure = true } = {}) {
  if (!secure) return 'media_insecure';
  const name = err && err.name;
  switch (name) {
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'pj_err_in_use';
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'pj_err_denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'pj_err_not_found';
    default:
      return 'pj_err_other';
  }
}

/** Whether trying other constraints is pointless after this error (a refusal is final). */
export function isFinal(err) {
  const name = err && err.name;
  return name === 'NotAllowedError' || name === 'PermissionDeniedError' || name === 'SecurityError';
}

/**
 * The advice key for a relay test's result (turn_check.js): none when a relay answered or
 * the server offers none to test; otherwise that no relay could be reached.
 */
export function relayAdvice(result) {
  if (!result || result.tested === 0) return null;
  return result.any ? null : 'pj_turn_none';
}

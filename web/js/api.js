// The HTTP API (server/API.md): JSON GETs and POSTs with the invite token, errors as
// ApiError {code, message, status}, server_time noted into the clock, downloads of the
// log's exports, PUT/PATCH and raw file uploads (the preparation), the moderation actions
// (POSTs with a request id), and the enum labels fetched once at start-up.
import { S } from './state.js';
import { clock } from './clock.js';
import { setLabels } from './labels.js';

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

function networkError(e) {
  return new ApiError('network', String((e && e.message) || e), 0);
}

function refusal(res, body) {
  const e = (body && body.error) || {};
  const err = new ApiError(e.code || 'http_' + res.status, e.message || res.statusText || '', res.status);
  // A refused import lists its problems (sheet, row, column, reason) for the page to show.
  if (Array.isArray(e.problems)) err.problems = e.problems;
  return err;
}

async function jsonOrNull(res) {
  try {
    return await res.json();
  } catch (_) {
    return null;
  }
}

/** GET `path` with the token; the body, or an ApiError. Notes the body's server_time. */
export async function api(path) {
  const sentAt = Date.now();
  let res;
  try {
    res = await fetch(path, {
      headers: { Authorization: 'Bearer ' + S.token, Accept: 'application/json' },
      cache: 'no-store',
    });
  } catch (e) {
    throw networkError(e);
  }
  const receivedAt = Date.now();
  const body = await jsonOrNull(res);
  if (!res.ok) throw refusal(res, body);
  if (body && typeof body.server_time === 'number') clock.note(body.server_time, sentAt, receivedAt);
  return body;
}

/** The JSON body of a POST, with the same error handling as api(). */
export function apiPost(path, body) {
  return apiSend('POST', path, body);
}

/** A JSON request with another method (PUT, PATCH), handled as apiPost(). */
export async function apiSend(method, path, body) {
  return send(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** Uploads a file (a Blob) as the raw body of a POST; the JSON answer, as apiPost(). */
export function apiUpload(path, blob) {
  return send(path, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: blob });
}

async function send(path, init) {
  let res;
  try {
    res = await fetch(path, { ...init, headers: { Authorization: 'Bearer ' + S.token, Accept: 'application/json', ...init.headers }, cache: 'no-store' });
  } catch (e) {
    throw networkError(e);
  }
  const data = await jsonOrNull(res);
  if (!res.ok) throw refusal(res, data);
  return data;
}

let requestSeq = 0;

/**
 * A fresh id for one moderator click (`request` in the moderation API): a retry of the
 * same click may reuse it and is then not applied twice; a new click gets a new one.
 */
export function newRequestId(now = Date.now()) {
  requestSeq += 1;
  return 'c-' + now.toString(36) + '-' + requestSeq + '-' + Math.random().toString(36).slice(2, 6);
}

/**
 * One moderator action on one room (server/API.md "Moderation"): `extend` / `shorten`
 * ({minutes, expect_ends_at}), `end`, `mark_no_show` ({absent}), `clear_no_show`; `note`
 * optional. A request id is added if the body has none. Resolves to the new window/phase.
 */
export function moderateRoom(meetingId, body) {
  return apiPost('/api/moderation/rooms/' + encodeURIComponent(meetingId), { request: newRequestId(), ...body });
}

/** Moves a waiting vendor ({op: 'move', vendor, from, to, position?}) or admits one ({op: 'admit', booth, vendor}). */
export function moderateLobby(body) {
  return apiPost('/api/moderation/lobby', body);
}

/** An announcement: {text, to: 'all'} | {text, to: 'round', round} | {text, to: 'meeting', meeting}. */
export function announce(body) {
  return apiPost('/api/moderation/announcements', body);
}

/** Fetches an export with the bearer token and saves it under the server's file name. */
export async function download(path, fallbackName) {
  let res;
  try {
    res = await fetch(path, { headers: { Authorization: 'Bearer ' + S.token }, cache: 'no-store' });
  } catch (e) {
    throw networkError(e);
  }
  if (!res.ok) throw refusal(res, await jsonOrNull(res));
  const blob = await res.blob();
  const cd = res.headers.get('Content-Disposition') || '';
  const m = cd.match(/filename="([^"]+)"/);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = (m && m[1]) || fallbackName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}

let labelsLoading = null;
let labelsLoaded = false;

/**
 * Fetches GET /api/labels once (no token needed). Resolves when they are in, or when the
 * fetch failed (pages then show what the data carries; the next call tries again).
 */
export function loadLabels() {
  if (labelsLoaded) return Promise.resolve();
  if (!labelsLoading) {
    labelsLoading = fetch('/api/labels', { headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then((res) => (res.ok ? res.json() : Promise.reject(new Error('HTTP ' + res.status))))
      .then((body) => {
        setLabels(body);
        labelsLoaded = true;
      })
      .catch((e) => console.warn('GET /api/labels failed', e))
      .finally(() => {
        labelsLoading = null;
      });
  }
  return labelsLoading;
}

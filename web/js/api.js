// The HTTP API (server/API.md): JSON GETs and POSTs with the invite token, errors as
// ApiError {code, message, status}, server_time noted into the clock, downloads of the
// log's exports, and the enum labels fetched once at start-up.
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
  return new ApiError(e.code || 'http_' + res.status, e.message || res.statusText || '', res.status);
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
export async function apiPost(path, body) {
  let res;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + S.token, Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    throw networkError(e);
  }
  const data = await jsonOrNull(res);
  if (!res.ok) throw refusal(res, data);
  return data;
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

// The pre-join check's device choice, without DOM: which camera, microphone and speaker
// the participant picked (remembered in localStorage through a storage object handed in),
// the lists of devices to choose from, and the getUserMedia constraints that use the
// choice. pages/prejoin.js draws it; the room's media (pages/room_media.js) asks it.

/** localStorage: the chosen devices, JSON {camera, microphone, speaker} of deviceIds. */
export const LS_DEVICES = 'sangdam.devices';

const KINDS = { videoinput: 'camera', audioinput: 'microphone', audiooutput: 'speaker' };

/** An empty choice: the browser's defaults. */
export const NO_CHOICE = Object.freeze({ camera: null, microphone: null, speaker: null });

/** The remembered choice from `get(key)` (a string or null); anything unreadable is none. */
export function loadChoice(get) {
  let raw = null;
  try {
    raw = JSON.parse(get(LS_DEVICES) || 'null');
  } catch (_) {
    raw = null;
  }
  const out = { ...NO_CHOICE };
  if (raw && typeof raw === 'object') {
    for (const k of Object.keys(NO_CHOICE)) if (typeof raw[k] === 'string' && raw[k]) out[k] = raw[k];
  }
  return out;
}

/** Remembers a choice through `set(key, value)`. */
export function saveChoice(set, choice) {
  const out = {};
  for (const k of Object.keys(NO_CHOICE)) out[k] = choice && typeof choice[k] === 'string' && choice[k] ? choice[k] : null;
  set(LS_DEVICES, JSON.stringify(out));
}

/**
 * The devices to choose from, by kind, from `enumerateDevices()`'s list: {camera,
 * microphone, speaker}, each [{id, label}] (a device without a label — before permission —
 * is named by its kind and number). Chromium's 'default' and 'communications' aliases
 * are kept: they are what the system would use.
 */
export function deviceLists(devices) {
  const out = { camera: [], microphone: [], speaker: [] };
  for (const d of devices || []) {
    const kind = KINDS[d.kind];
    if (!kind || !d.deviceId) continue;
    if (out[kind].some((x) => x.id === d.deviceId)) continue;
    out[kind].push({ id: d.deviceId, label: d.label || '' });
  }
  for (const kind of Object.keys(out)) out[kind].forEach((d, i) => (d.label = d.label || `${kind} ${i + 1}`));
  return out;
}

/** The choice with every device that is no longer there dropped (back to the default). */
export function reconcile(choice, lists) {
  const out = { ...NO_CHOICE };
  for (const k of Object.keys(NO_CHOICE)) out[k] = choice[k] && lists[k].some((d) => d.id === choice[k]) ? choice[k] : null;
  return out;
}

/**
 * The getUserMedia constraints for a choice: the chosen deviceIds as `exact` (the person
 * sees and hears what they picked, or an error says it is not there), the browser's
 * default otherwise. `kinds` limits it to 'audio' and/or 'video'.
 */
export function constraintsFor(choice, kinds = ['audio', 'video']) {
  const c = {};
  if (kinds.includes('audio')) c.audio = choice.microphone ? { deviceId: { exact: choice.microphone } } : true;
  if (kinds.includes('video')) c.video = choice.camera ? { deviceId: { exact: choice.camera } } : true;
  return c;
}

/**
 * What to ask getUserMedia for, in order, until one works: the choice; the defaults (a
 * remembered device may be gone); then audio only, then video only.
 */
export function mediaTries(choice) {
  const tries = [constraintsFor(choice)];
  if (choice.camera || choice.microphone) tries.push({ audio: true, video: true });
  tries.push({ audio: true }, { video: true });
  return tries;
}

/** Plays a media element on the chosen speaker where the browser can (`setSinkId`). */
export async function applySpeaker(el, speakerId) {
  if (!el || typeof el.setSinkId !== 'function') return false;
  try {
    await el.setSinkId(speakerId || '');
    return true;
  } catch (_) {
    return false;
  }
}

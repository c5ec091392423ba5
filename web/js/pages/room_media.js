// The room page's media pieces: the control icons, the local camera and microphone (with
// what is missing and why), and a video tile for one remote seat — the other side, the
// moderator, or for a moderator each side — that plays its stream (muted with an "unmute"
// button where the browser refuses autoplay with sound).
import { h } from '../dom.js';
import { NO_CHOICE, mediaTries } from '../devices.js';
import { adviceFor, isFinal } from '../media_advice.js';

export const ICON = {
  mic: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11z"/></svg>',
  micOff: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M19 11h-2a5 5 0 0 1-.7 2.56l1.45 1.45A6.96 6.96 0 0 0 19 11zm-4 .17V5a3 3 0 0 0-5.94-.6zM4.27 3 3 4.27l6 6V11a3 3 0 0 0 4.5 2.6l1.52 1.52A5 5 0 0 1 7 11H5a7 7 0 0 0 6 6.92V21h2v-3.08a6.9 6.9 0 0 0 3.5-1.38L19.73 21 21 19.73z"/></svg>',
  cam: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11z"/></svg>',
  camOff: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M21 6.5l-4 4V7a1 1 0 0 0-1-1H9.82L21 17.18zM3.27 2 2 3.27 4.73 6H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12c.21 0 .39-.08.55-.18L19.73 21 21 19.73z"/></svg>',
  leave: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 9c-1.6 0-3.15.25-4.6.72v3.1c0 .39-.23.74-.56.9-.98.49-1.87 1.12-2.66 1.85a.99.99 0 0 1-1.41-.01L.29 13.08a1 1 0 0 1 0-1.41C3.34 8.78 7.46 7 12 7s8.66 1.78 11.71 4.67a1 1 0 0 1 0 1.41l-2.48 2.48a.99.99 0 0 1-1.41.01 11 11 0 0 0-2.66-1.85 1 1 0 0 1-.56-.9v-3.1C15.15 9.25 13.6 9 12 9z"/></svg>',
};

export function iconEl(svg) {
  const span = h('span', { class: 'icon' });
  span.innerHTML = svg; // constant markup from ICON only
  return span;
}

/**
 * The local camera and microphone, or null; `note(key)` says what is missing and why.
 * `choice` is the pre-join check's remembered devices (devices.js): those first, then the
 * defaults, then one kind at a time.
 */
export async function getMedia(note, choice = NO_CHOICE) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    note(window.isSecureContext ? 'media_none' : 'media_insecure');
    return null;
  }
  const tries = mediaTries(choice);
  let firstErr = null;
  for (const c of tries) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(c);
      if (!(c.audio && c.video)) note('media_partial');
      return stream;
    } catch (e) {
      firstErr = firstErr || e;
      if (isFinal(e)) break;
    }
  }
  note(adviceFor(firstErr, { secure: window.isSecureContext }));
  console.warn('getUserMedia failed', firstErr);
  return null;
}

/**
 * A remote seat's tile: `seat` names it (data-seat), `cls` adds classes. attach(stream)
 * plays a stream, clear() empties it; the page sets the caption and placeholder texts.
 */
export function remoteTile(seat, cls) {
  const video = h('video', { autoplay: true, playsinline: true, class: 'video' });
  const ph = h('div', { class: 'placeholder' });
  const cap = h('figcaption', { class: 'caption' });
  const unmute = h('button', {
    type: 'button',
    class: 'btn unmute',
    hidden: true,
    onclick: () => {
      video.muted = false;
      video.play().catch(() => {});
      unmute.hidden = true;
    },
  });
  const el = h('figure', { class: 'tile remote ' + (cls || ''), dataset: { seat } }, video, ph, unmute, cap);
  return {
    el,
    video,
    ph,
    cap,
    unmute,
    attach(stream) {
      if (!stream) return;
      if (video.srcObject !== stream) video.srcObject = stream;
      const p = video.play();
      if (p && p.catch) {
        p.catch(() => {
          // Autoplay with sound was refused: play muted, offer a button to turn sound on.
          video.muted = true;
          video.play().catch(() => {});
          unmute.hidden = false;
        });
      }
    },
    clear() {
      video.srcObject = null;
    },
  };
}

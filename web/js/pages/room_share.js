// What a room carries besides the call, on the room page: the other side's shared screen
// shown large (the cameras small), this side's "share screen" button, the chat and the
// files between the two sides (a file picker, progress bars, received files as download
// links), the connection-quality line with a plain-language warning, and ICE restarts when
// the network changes. The logic is in DOM-free modules (screen.js, chat.js, files.js,
// quality.js); this draws them. The record hears only that a screen was shared and how
// many files were sent (call.noteSharing), kept per meeting in sessionStorage so a reload
// does not count from zero.
import { h, setText, setAttr, toast } from '../dom.js';
import { t } from '../i18n/index.js';
import { fmtTime } from '../format.js';
import { createScreenShare } from '../screen.js';
import { createChat, MAX_CHAT } from '../chat.js';
import { createFiles } from '../files.js';
import { createQualityMeter, INTERVAL_MS } from '../quality.js';
import { S } from '../state.js';

/** Human-readable bytes: 1.5 MB, 320 KB. */
function fmtBytes(n) {
  if (n >= 1024 * 1024) return (Math.round((n / 1024 / 1024) * 10) / 10).toString() + ' MB';
  if (n >= 1024) return Math.round(n / 1024).toString() + ' KB';
  return n + ' B';
}

/**
 * Mounts the room's extras: `call` (call.js), `isMod`, `room` (the page's section),
 * `videos` (its tile grid) and `controls` (its toolbar). Returns {draw, destroy}.
 */
export function roomExtras({ call, isMod, meetingId, room, videos, controls }) {
  const st = call.st;
  const ui = {};
  const key = 'sangdam.sharing.' + meetingId;
  try {
    const saved = JSON.parse(sessionStorage.getItem(key) || 'null');
    if (saved) call.noteSharing(saved);
  } catch (_) {
    /* nothing kept */
  }
  const keep = () => {
    try {
      sessionStorage.setItem(key, JSON.stringify(st.sharing));
    } catch (_) {
      /* storage full or off: the server has the report anyway */
    }
  };

  // --- screen -------------------------------------------------------------------------
  ui.screenVideo = h('video', { autoplay: true, playsinline: true, class: 'video screen-video' });
  ui.screenVideo.muted = true;
  ui.screenCap = h('figcaption', { class: 'caption' });
  ui.stage = h('figure', { class: 'tile screen-tile', hidden: true, dataset: { seat: '' } }, ui.screenVideo, ui.screenCap);
  videos.before(ui.stage);
  let shownScreen = null;

  const screen = createScreenShare({
    call,
    getDisplayMedia: (c) => navigator.mediaDevices.getDisplayMedia(c),
    emit(type, d) {
      if (type === 'remote') {
        shownScreen = d;
        ui.screenVideo.srcObject = d ? new MediaStream([d.track]) : null;
        if (d) ui.screenVideo.play().catch(() => {});
        ui.stage.hidden = !d;
        ui.stage.dataset.seat = d ? d.seat : '';
        room.classList.toggle('screen-on', !!d);
      } else if (type === 'local') {
        if (d) keep();
      }
      draw();
    },
  });
  ui.shareBtn = h('button', {
    type: 'button',
    class: 'ctl share',
    id: 'share-screen',
    onclick: async () => {
      if (screen.st.local) return screen.stop();
      if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) return toast(t('share_unsupported'), 'error');
      const r = await screen.start();
      if (!r.ok && r.why !== 'busy') toast(t(r.why === 'denied' ? 'share_denied' : 'share_failed'), 'error');
    },
  });
  if (!isMod) controls.append(ui.shareBtn);

  // --- chat and files (the two sides only) ---------------------------------------------
  ui.log = h('ol', { class: 'chat-log', 'aria-live': 'polite', 'aria-label': t('chat_title') });
  ui.input = h('input', { type: 'text', class: 'chat-input', id: 'chat-input', maxlength: String(MAX_CHAT), autocomplete: 'off' });
  ui.send = h('button', { type: 'submit', class: 'btn primary', id: 'chat-send' });
  const chat = createChat({
    call,
    emit(type, m) {
      if (type !== 'message') return;
      ui.log.append(h('li', { class: 'chat-msg ' + (m.mine ? 'mine' : 'theirs') }, h('span', { class: 'chat-who' }, m.mine ? t('chat_me') : t('chat_them')), ' ', h('span', { class: 'chat-text' }, m.text), ' ', h('time', { class: 'chat-at' }, fmtTime(m.at))));
      ui.log.scrollTop = ui.log.scrollHeight;
    },
  });
  ui.chatForm = h(
    'form',
    {
      class: 'chat-form',
      onsubmit: (ev) => {
        ev.preventDefault();
        const r = chat.send(ui.input.value);
        if (r.ok) ui.input.value = '';
        else if (r.why !== 'empty') toast(t('chat_' + r.why), 'error');
      },
    },
    ui.input,
    ui.send,
  );

  ui.fileInput = h('input', { type: 'file', id: 'file-input', class: 'file-input' });
  ui.fileLabel = h('label', { for: 'file-input', class: 'btn' });
  ui.fileLimit = h('span', { class: 'muted file-limit' });
  ui.transfers = h('ul', { class: 'transfers', 'aria-live': 'polite' });
  const rows = new Map();
  function transferRow(x) {
    let r = rows.get(x.id);
    if (!r) {
      r = { bar: h('progress', { max: String(Math.max(1, x.size)), value: '0' }), text: h('span', { class: 'transfer-text' }), link: h('span', { class: 'transfer-link' }) };
      r.el = h('li', { class: 'transfer ' + x.dir, dataset: { id: x.id, dir: x.dir } }, h('span', { class: 'transfer-name' }, x.name), ' ', r.bar, ' ', r.text, ' ', r.link);
      rows.set(x.id, r);
      ui.transfers.append(r.el);
    }
    return r;
  }
  const files = createFiles({
    call,
    emit(type, x) {
      if (type === 'sent') {
        call.noteSharing({ files_sent: st.sharing.files_sent + 1 });
        keep();
        return;
      }
      const r = transferRow(x);
      r.el.dataset.state = x.state;
      setAttr(r.bar, 'value', String(x.done));
      setText(r.text, t('file_' + x.state, { done: fmtBytes(x.done), size: fmtBytes(x.size) }));
      if (type === 'received') {
        const a = h('a', { href: URL.createObjectURL(x.blob), download: x.name, class: 'btn download' }, t('file_download'));
        r.link.replaceChildren(a);
      }
    },
  });
  ui.fileInput.addEventListener('change', async () => {
    const file = ui.fileInput.files && ui.fileInput.files[0];
    ui.fileInput.value = '';
    if (!file) return;
    const r = await files.send(file);
    if (!r.ok) toast(t('file_err_' + r.why, { max: fmtBytes(st.files.max_bytes), n: st.files.max_count }), 'error');
  });

  ui.quality = h('p', { class: 'quality', role: 'status', 'aria-live': 'polite', dataset: { grade: 'unknown' } });
  ui.chatHead = h('h2', { class: 'extras-head' });
  ui.filesHead = h('h2', { class: 'extras-head' });
  ui.panel = h(
    'div',
    { class: 'room-extras', hidden: isMod },
    h('section', { class: 'chat', 'aria-labelledby': 'chat-head' }, ui.chatHead, ui.log, ui.chatForm),
    h('section', { class: 'files', 'aria-labelledby': 'files-head' }, ui.filesHead, h('div', { class: 'file-pick' }, ui.fileInput, ui.fileLabel, ' ', ui.fileLimit), ui.transfers),
  );
  ui.chatHead.id = 'chat-head';
  ui.filesHead.id = 'files-head';
  controls.after(ui.quality, ui.panel);

  // --- connection quality ----------------------------------------------------------------
  const meter = createQualityMeter();
  let meteredPc = null;
  let lastQuality = { grade: 'unknown', rttMs: null, lossPct: null };
  const poll = setInterval(async () => {
    const pc = st.pc;
    if (!pc || st.call !== 'connected' || typeof pc.getStats !== 'function') {
      lastQuality = { grade: 'unknown', rttMs: null, lossPct: null };
      return drawQuality();
    }
    if (pc !== meteredPc) {
      meter.reset();
      meteredPc = pc;
    }
    try {
      lastQuality = meter.read(await pc.getStats());
    } catch (_) {
      lastQuality = { grade: 'unknown', rttMs: null, lossPct: null };
    }
    drawQuality();
  }, INTERVAL_MS);

  function drawQuality() {
    const q = lastQuality;
    ui.quality.dataset.grade = q.grade;
    ui.quality.hidden = q.grade === 'unknown';
    const figures = [q.rttMs !== null ? t('quality_rtt', { ms: q.rttMs }) : null, q.lossPct !== null ? t('quality_loss', { pct: q.lossPct }) : null].filter(Boolean).join(' · ');
    setText(ui.quality, t('quality_' + q.grade) + (figures ? ' (' + figures + ')' : '') + (q.grade === 'fair' || q.grade === 'poor' ? ' ' + t('quality_advice_' + q.grade) : ''));
  }

  // --- a new network: find a new path without leaving the room ---------------------------
  const onNetwork = () => call.restartIce();
  const conn = navigator.connection;
  if (conn && conn.addEventListener) conn.addEventListener('change', onNetwork);
  window.addEventListener('online', onNetwork);

  function draw() {
    const sharing = !!screen.st.local;
    ui.shareBtn.replaceChildren(h('span', { class: 'ctl-text' }, t(sharing ? 'share_stop' : 'share_start'), h('small', null, t(sharing ? 'share_on' : 'share_off'))));
    ui.shareBtn.classList.toggle('on', sharing);
    setAttr(ui.shareBtn, 'aria-pressed', sharing ? 'true' : 'false');
    ui.shareBtn.disabled = st.ended || !st.joined;
    setText(ui.screenCap, shownScreen ? t('share_theirs', { who: shownScreen.seat === 'moderator' ? t('role_moderator') : t('room_side_' + shownScreen.seat) }) : '');
    setText(ui.chatHead, t('chat_title'));
    setText(ui.filesHead, t('files_title'));
    setText(ui.send, t('chat_send'));
    setAttr(ui.input, 'placeholder', t('chat_placeholder'));
    setAttr(ui.input, 'aria-label', t('chat_placeholder'));
    setText(ui.fileLabel, t('file_pick'));
    setText(ui.fileLimit, t('file_limit', { max: fmtBytes(st.files.max_bytes) }));
    const open = st.call === 'connected' && !st.ended;
    ui.input.disabled = !open;
    ui.send.disabled = !open;
    ui.fileInput.disabled = !open;
    ui.fileLabel.classList.toggle('disabled', !open);
    drawQuality();
  }

  call.on((type) => {
    if (type === 'call' || type === 'change' || type === 'finish') draw();
  });
  draw();

  const api = {
    draw,
    screen,
    chat,
    files,
    destroy() {
      if (S.roomShare === api) S.roomShare = null;
      clearInterval(poll);
      if (conn && conn.removeEventListener) conn.removeEventListener('change', onNetwork);
      window.removeEventListener('online', onNetwork);
      screen.stop();
      for (const r of rows.values()) {
        const a = r.link.querySelector('a');
        if (a) URL.revokeObjectURL(a.href);
      }
    },
  };
  // For the test hooks (main.js): what arrived, behind the download links.
  S.roomShare = api;
  return api;
}

// The video room of one meeting (#room=<id>): the other side's video, the moderator's when
// one steps in (with a notice), and one's own; the phase and the countdown (following a
// moderator's new end), warnings, the controls, and the closed / refused overlay. Opened
// by a moderator (from the board) it shows both sides' tiles and the moderator's own
// preview, and Leave goes back to the board. The call itself (signaling, WebRTC, one peer
// connection per seat, reconnects) is call.js's; this page draws what it emits.
import { h, setText, setAttr, toast } from '../dom.js';
import { t, errText, has } from '../i18n/index.js';
import { clock } from '../clock.js';
import { kindLabel, effPhase } from '../labels.js';
import { fmtDur, fmtRange, fmtTime } from '../format.js';
import { S, role as myRole } from '../state.js';
import { leftRooms } from '../store.js';
import { go, show, tick } from '../nav.js';
import { createCall, otherSide } from '../call.js';
import { announce } from '../announcements.js';
import { sideText } from '../board_text.js';
import { socketUrl } from '../wire/frame.js';
import { updateBadge } from './common.js';
import { ICON, iconEl, getMedia, remoteTile } from './room_media.js';
import { roomExtras } from './room_share.js';
import { prejoinPanel, rememberedChoice } from './prejoin.js';

export function roomPage(meetingId) {
  const known = ((S.me && S.me.meetings) || []).find((m) => m.id === meetingId) || null;
  const role = myRole() || 'buyer';
  const isMod = role === 'moderator';
  // Where Leave and Back go: a moderator's board, a side's home page.
  const home = isMod ? 'view=rooms' : '';
  const call = createCall({
    meetingId,
    token: S.token,
    url: socketUrl(location, '/ws'),
    meeting: known,
    side: isMod ? 'moderator' : role === 'vendor' ? 'vendor' : 'buyer',
    phase: known ? effPhase(known) : null,
    media: null,
    openSocket: (url) => new WebSocket(url),
    newPeerConnection: (config) => new RTCPeerConnection(config),
    newMediaStream: () => new MediaStream(),
    noteServerTime: clock.note,
    emit: onCall,
  });
  const st = call.st;
  let mediaNote = null; // an i18n key: why there is no (or only some) local media
  let banner = null; // {remainingS, until}
  let notice = ''; // the latest moderator notice (joined, left, new end), aria-live polite
  let retryTimer = null;
  const ui = {};
  // The remote tiles by seat: a side sees the other side and (while one is in) the
  // moderator; a moderator sees both sides.
  const seats = isMod ? ['buyer', 'vendor'] : [otherSide(role === 'vendor' ? 'vendor' : 'buyer'), 'moderator'];
  const tiles = {};
  // The screen, chat, files and quality (room_share.js), once the page is built.
  let extras = null;
  let prejoin = null; // the pre-join check (prejoin.js), made with the page's elements

  // --- what the call tells ---------------------------------------------------------------
  function onCall(type, detail) {
    switch (type) {
      case 'call':
        document.body.dataset.call = st.call;
        draw();
        break;
      case 'phase':
        if (st.phase) document.body.dataset.phase = st.phase;
        draw();
        break;
      case 'change':
        draw();
        break;
      case 'local-stream':
        if (ui.localVideo.srcObject !== detail) {
          ui.localVideo.srcObject = detail;
          ui.localVideo.play().catch(() => {});
        }
        prejoin.setStream(detail);
        break;
      case 'remote-track':
        if (tiles[detail.seat]) {
          tiles[detail.seat].attach(detail.stream);
          prejoin.speakerTo(tiles[detail.seat].video);
        }
        break;
      case 'remote-reset':
        if (tiles[detail.seat]) tiles[detail.seat].clear();
        break;
      case 'peer-call':
        draw();
        break;
      case 'moderator':
        if (detail.present) notice = detail.already ? t('room_mod_here') : t('room_mod_joined', { name: detail.name || t('role_moderator') });
        else notice = t('room_mod_left');
        draw();
        break;
      case 'rescheduled':
        notice = t(detail.kind === 'shortened' ? 'room_shortened' : 'room_extended', { name: detail.by || t('role_moderator'), time: detail.endsAt ? fmtTime(detail.endsAt) : '' });
        toast(notice, 'info');
        draw();
        tick();
        break;
      case 'announcement':
        announce(detail);
        break;
      case 'warning':
        showBanner(detail);
        break;
      case 'no-show': {
        const text = noShowText();
        if (text) toast(text, 'info');
        draw();
        break;
      }
      case 'error':
        S.lastError = st.lastError;
        toast(errText(detail.code) + ' (' + detail.code + ')', 'error');
        break;
      case 'step-failed':
        S.lastError = st.lastError;
        toast(t('err_webrtc'), 'error');
        break;
      case 'teardown':
        if (ui.localVideo) ui.localVideo.srcObject = null;
        for (const x of Object.values(tiles)) x.clear();
        break;
      case 'finish':
        finished(detail.kind, detail.info);
        break;
    }
  }

  /** The room is over for this page: closed, or refused for good. */
  function finished(kind, info) {
    if (kind === 'closed' || info.code === 'room_closed') {
      // Home pages must not offer (or auto-enter) this room again.
      const mine = S.me && S.me.meetings && S.me.meetings.find((x) => x.id === meetingId);
      if (mine) mine.phase = 'closed';
    }
    if (kind !== 'closed') {
      S.lastError = st.lastError;
      // Too early by a little (clock skew, or waiting on this page): try again at check-in.
      const wait = st.window ? st.window.checkin_opens_at - clock.now() + 500 : -1;
      if (st.fatal.code === 'too_early' && wait > 0 && wait < 3600000) {
        retryTimer = setTimeout(() => {
          if (S.page === page) show(roomPage(meetingId));
        }, wait);
      }
    }
    draw();
  }

  // --- rendering ---------------------------------------------------------------------
  function counterpart() {
    if (!st.meeting) return null;
    if (isMod) return st.meeting.institution;
    return st.side === 'buyer' ? st.meeting.enterprise : st.meeting.institution;
  }

  /** The organisation in a side's seat. */
  const orgOf = (seat) => (st.meeting ? (seat === 'buyer' ? st.meeting.institution : st.meeting.enterprise) : null);

  function noShowText() {
    if (!st.noShow) return '';
    if (isMod) return t('mb_att_no_show', { side: sideText(st.noShow) });
    const other = counterpart();
    if (st.noShow !== st.side && st.noShow !== 'both') return t('no_show_peer', { name: other ? other.name : '' });
    return t('no_show_self');
  }

  function build(root) {
    ui.org = h('span', { class: 'org-name' });
    ui.kind = h('span', { class: 'tag' });
    ui.meta = h('p', { class: 'muted room-meta' });
    ui.withLabel = h('p', { class: 'eyebrow' });
    ui.phase = h('span', { class: 'badge', 'aria-live': 'polite' });
    ui.cdLabel = h('span', { class: 'cd-label' });
    ui.cd = h('span', { class: 'room-countdown', role: 'timer', 'aria-live': 'off' });
    ui.banner = h('div', { class: 'banner', role: 'alert', hidden: true });
    ui.status = h('p', { class: 'room-status', role: 'status', 'aria-live': 'polite' });
    ui.mediaNote = h('p', { class: 'media-note', hidden: true });

    ui.notice = h('p', { class: 'room-notice', role: 'status', 'aria-live': 'polite' });
    for (const seat of seats) tiles[seat] = remoteTile(seat, seat === 'moderator' ? 'moderator-tile' : '');
    ui.localVideo = h('video', { autoplay: true, playsinline: true, class: 'video mirror' });
    ui.localVideo.muted = true; // the property, not only the attribute: never hear yourself
    ui.localPh = h('div', { class: 'placeholder', hidden: true });
    ui.localCap = h('figcaption', { class: 'caption' });

    ui.micBtn = h('button', { type: 'button', class: 'ctl', onclick: () => toggle('audio') });
    ui.camBtn = h('button', { type: 'button', class: 'ctl', onclick: () => toggle('video') });
    ui.leaveBtn = h('button', { type: 'button', class: 'ctl danger', onclick: leave });

    ui.overlay = h('div', { class: 'room-overlay', hidden: true });
    prejoin = prejoinPanel({
      st,
      localVideo: ui.localVideo,
      remoteVideos: () => Object.values(tiles).map((x) => x.video),
      onStream: (s) => call.setLocalStream(s),
    });

    root.append(
      h(
        'section',
        { class: 'room', 'aria-labelledby': 'room-org' },
        h(
          'div',
          { class: 'room-top' },
          h('div', { class: 'room-who' }, ui.withLabel, h('h1', { id: 'room-org', class: 'room-org' }, ui.org, ' ', ui.kind), ui.meta),
          h('div', { class: 'room-clock' }, ui.phase, ui.cdLabel, ui.cd),
        ),
        ui.banner,
        ui.status,
        ui.notice,
        ui.mediaNote,
        prejoin.el,
        (ui.videos = h('div', { class: 'videos' }, seats.map((seat) => tiles[seat].el), h('figure', { class: 'tile local' }, ui.localVideo, ui.localPh, ui.localCap))),
        h('div', { class: 'controls', role: 'toolbar', 'aria-label': t('room_label') }, ui.micBtn, ui.camBtn, ui.leaveBtn),
        ui.overlay,
      ),
    );
    extras = roomExtras({ call, isMod, meetingId, room: root.querySelector('section.room'), videos: ui.videos, controls: root.querySelector('.controls') });
  }

  /** Each remote tile's caption and placeholder, and whether it shows at all. */
  function drawTiles(other) {
    ui.videos.classList.toggle('three', isMod || !!st.moderator);
    for (const seat of seats) {
      const tile = tiles[seat];
      const peer = st.peers.get(seat);
      const connected = !!peer && peer.call === 'connected';
      let caption;
      let wait;
      if (seat === 'moderator') {
        // Only while a moderator is in the room.
        tile.el.hidden = !st.moderator;
        caption = t('role_moderator') + (st.moderator && st.moderator.name ? ' · ' + st.moderator.name : '');
        wait = t('room_remote_wait');
      } else if (isMod) {
        // The person's name if the room told it (joined.names), and their organisation.
        const org = orgOf(seat);
        const person = st.names && st.names[seat];
        caption = t('room_side_' + seat) + (person ? ' · ' + person : '') + (org ? ' · ' + org.name : '');
        wait = st.joined && !st.present.has(seat) ? t('room_side_absent') : t('room_remote_wait');
      } else {
        caption = other ? other.name : '';
        wait = st.call === 'connected' ? '' : !st.peerPresent && st.joined ? t('room_wait_peer', { name: other ? other.name : '' }) : t('room_remote_wait');
      }
      setText(tile.cap, caption);
      setText(tile.ph, connected ? '' : wait);
      tile.ph.hidden = connected;
      tile.el.classList.toggle('is-connected', connected);
      setText(tile.unmute, t('unmute'));
    }
  }

  function drawControl(btn, kind) {
    const s = call.controlState(kind);
    const isMic = kind === 'audio';
    btn.replaceChildren(
      iconEl(s === 'on' ? (isMic ? ICON.mic : ICON.cam) : isMic ? ICON.micOff : ICON.camOff),
      h('span', { class: 'ctl-text' }, t(isMic ? 'mic' : 'cam'), h('small', null, t('state_' + s))),
    );
    btn.disabled = s === 'none';
    btn.classList.toggle('off', s !== 'on');
    setAttr(btn, 'aria-pressed', s === 'off' ? 'true' : 'false');
    setAttr(btn, 'aria-label', s === 'on' ? t(isMic ? 'mic_off_aria' : 'cam_off_aria') : s === 'off' ? t(isMic ? 'mic_on_aria' : 'cam_on_aria') : t(isMic ? 'mic' : 'cam') + ' — ' + t('state_none'));
    setAttr(btn, 'data-state', s);
  }

  /** Updates everything but the countdown (that is the ticker's job). */
  function draw() {
    if (!ui.org) return;
    const other = counterpart();
    setText(ui.withLabel, isMod ? t('room_mod_watching') : t('room_with'));
    setText(ui.org, isMod && st.meeting ? st.meeting.institution.name + ' × ' + st.meeting.enterprise.name : other ? other.name : meetingId);
    setText(ui.kind, other ? kindLabel(other) : '');
    ui.kind.hidden = !other || isMod;
    if (st.meeting) setText(ui.meta, t('room_meta', { round: t('round_n', { n: st.meeting.round }), theme: st.meeting.theme, time: fmtRange(st.meeting) }));
    if (st.phase) updateBadge(ui.phase, st.phase);
    ui.phase.hidden = !st.phase;

    let s;
    const startAt = st.window ? fmtTime(st.window.starts_at) : '';
    if (!st.joined) s = st.status === 'reconnecting' ? t('room_reconnecting') : t('room_connecting');
    else if (st.call === 'connected') s = st.status === 'unstable' ? t('room_unstable') : t('room_connected');
    else if (st.call === 'connecting') s = st.status === 'unstable' ? t('room_unstable') : t('room_calling');
    else if (!st.peerPresent && isMod) s = t('room_mod_empty');
    else if (!st.peerPresent) s = st.status === 'peer_left' ? t('room_peer_left') : t('room_wait_peer', { name: other ? other.name : '' });
    else if (st.phase === 'check-in') s = t('room_both_wait', { time: startAt });
    else s = t('room_calling');
    if (st.ended) s = '';
    setText(ui.status, s);

    drawTiles(other);
    setText(ui.notice, notice);
    ui.notice.hidden = !notice;

    const me = S.me && S.me.participant ? S.me.participant.name : '';
    setText(ui.localCap, t('room_you') + (me ? ' · ' + me : ''));
    const cam = call.controlState('video');
    ui.localPh.hidden = cam === 'on';
    setText(ui.localPh, cam === 'none' ? t('room_no_cam') : t('room_cam_off'));
    drawControl(ui.micBtn, 'audio');
    drawControl(ui.camBtn, 'video');
    ui.leaveBtn.replaceChildren(iconEl(ICON.leave), h('span', { class: 'ctl-text' }, t('leave')));
    setAttr(ui.leaveBtn, 'aria-label', t(isMod ? 'room_leave_board_aria' : 'leave_aria'));

    const notes = [];
    if (mediaNote) notes.push(t(mediaNote));
    if (st.noShow && !(st.call === 'connected' || (st.peerPresent && st.noShow !== 'both' && st.noShow !== st.side))) notes.push(noShowText());
    ui.mediaNote.hidden = !notes.length;
    setText(ui.mediaNote, notes.join(' '));

    prejoin.draw();
    drawOverlay();
  }

  function drawOverlay() {
    if (!st.closed && !st.fatal) {
      ui.overlay.hidden = true;
      return;
    }
    const wasHidden = ui.overlay.hidden;
    ui.overlay.hidden = false;
    const body = [];
    if (st.closed) {
      body.push(h('h2', { id: 'overlay-title', tabindex: '-1' }, t('room_closed_title')), h('p', { class: 'overlay-reason' }, has('closed_' + st.closed.reason) ? t('closed_' + st.closed.reason) : String(st.closed.reason)));
    } else {
      const f = st.fatal;
      body.push(
        h('h2', { id: 'overlay-title', tabindex: '-1' }, t('room_fatal_title')),
        h('p', { class: 'overlay-reason' }, errText(f.code)),
        h('p', { class: 'error-code' }, t('error_code') + ': ', h('code', null, f.code)),
        f.message ? h('p', { class: 'muted' }, t('error_detail') + ': ' + f.message) : null,
      );
    }
    const actions = h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn primary', onclick: () => go(home) }, t(isMod ? 'room_back_board' : 'back')));
    if (st.closed && !isMod) {
      body.push(h('p', null, t('survey_after')));
      actions.prepend(h('button', { type: 'button', class: 'btn primary', id: 'to-survey', onclick: () => go('survey=' + encodeURIComponent(meetingId)) }, t('survey_link')));
    }
    if (st.fatal && ['too_early', 'replaced', 'internal', 'unsupported_version'].includes(st.fatal.code)) {
      actions.append(h('button', { type: 'button', class: 'btn', onclick: () => (st.fatal.code === 'unsupported_version' ? location.reload() : show(roomPage(meetingId))) }, t('retry')));
    }
    body.push(actions);
    ui.overlay.replaceChildren(h('div', { class: 'overlay-box ' + (st.closed ? 'closed' : 'fatal'), role: 'alert', 'aria-labelledby': 'overlay-title' }, body));
    if (wasHidden) {
      const title = ui.overlay.querySelector('h2');
      if (title) title.focus();
    }
  }

  function tickRoom(now) {
    if (!ui.cd) return;
    prejoin.tick(now);
    const w = st.window;
    let label = '';
    let ms = 0;
    const ph = st.phase;
    if (w && ph) {
      if (ph === 'scheduled' || ph === 'check-in') {
        label = t('room_to_start');
        ms = w.starts_at - now;
      } else if (ph === 'live') {
        label = t('room_to_end');
        ms = w.ends_at - now;
      } else if (ph === 'grace') {
        label = t('room_grace');
        ms = w.closes_at - now;
      } else label = t('room_over');
    }
    setText(ui.cdLabel, label);
    setText(ui.cd, w && ph ? fmtDur(ms) : '--:--');
    ui.cd.classList.toggle('last-minute', (ph === 'live' && ms <= 60000) || ph === 'grace');
    if (banner && Date.now() > banner.until) {
      banner = null;
      ui.banner.hidden = true;
    }
  }

  function showBanner(remainingS) {
    const text = remainingS === 60 ? t('warn_min1') : remainingS % 60 === 0 ? t('warn_min', { n: remainingS / 60 }) : t('warn_sec', { n: remainingS });
    banner = { remainingS, until: Date.now() + 15000 };
    ui.banner.hidden = false;
    ui.banner.className = 'banner' + (remainingS <= 60 ? ' urgent' : '');
    setText(ui.banner, text);
  }

  // --- media and controls ----------------------------------------------------------------
  function toggle(kind) {
    call.toggle(kind);
    draw();
  }

  function leave() {
    if (call.stop(true) && !isMod) leftRooms.add(meetingId);
    go(home);
  }

  const onPageHide = () => call.stop(true);

  const page = {
    name: 'room',
    mount(root) {
      S.room = st;
      document.body.dataset.call = st.call;
      if (st.phase) document.body.dataset.phase = st.phase;
      else delete document.body.dataset.phase;
      build(root);
      draw();
      S.tickers.push(tickRoom);
      if (!st.media) {
        st.media = getMedia((key) => {
          mediaNote = key;
        }, rememberedChoice()).then((s) => {
          if (st.ended) {
            if (s) s.getTracks().forEach((x) => x.stop());
            return null;
          }
          if (s) {
            ui.localVideo.srcObject = s;
            ui.localVideo.play().catch(() => {});
            prejoin.setStream(s);
          }
          call.setLocalStream(s);
          draw();
          return s;
        });
        window.addEventListener('pagehide', onPageHide);
        call.start();
      }
    },
    relabel() {
      draw();
      if (extras) extras.draw();
      tick();
    },
    destroy() {
      clearTimeout(retryTimer);
      if (prejoin) prejoin.destroy();
      window.removeEventListener('pagehide', onPageHide);
      if (call.stop(true) && !isMod) leftRooms.add(meetingId);
      if (extras) extras.destroy();
      if (S.room === st) S.room = null;
    },
  };
  return page;
}

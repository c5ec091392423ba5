// The moderators' board in words: the counts' labels and order, what each attention kind
// and each recorded action (`extend:300`, `move:i002`, …) reads as in the current
// language. No DOM (strings and Intl only), so the tests check the text the board shows.
import { t } from './i18n/index.js';
import { fmtDur } from './format.js';

/** The counts at the top of the board, in the order shown (keys of `counts`). */
export const COUNT_KEYS = ['rooms', 'live', 'check_in', 'grace', 'closed', 'attention', 'no_shows', 'overruns', 'walk_ins', 'waiting', 'moderated'];

/** The counts that call for a look when they are not zero. */
export const ALERT_COUNTS = new Set(['attention', 'no_shows', 'overruns']);

/** A side or `both` in words (기관 / 기업 / 양측). */
export const sideText = (side) => t('mb_side_' + side);

/** One attention item of a room: "기업 미입장", "노쇼: 기관", "연결 불안정: 기업"… */
export function attentionText(a) {
  switch (a.kind) {
    case 'absent':
    case 'dropped':
    case 'unhealthy':
      return t('mb_att_' + a.kind, { side: sideText(a.side) });
    case 'no_show':
      return t('mb_att_no_show', { side: sideText(a.absent) });
    case 'overrun':
      return t('mb_att_overrun');
    default:
      return String(a.kind);
  }
}

/** A recorded moderator action as a phrase: "5분 연장", "부스 이동 → i002", "공지". */
export function actionText(action, booths = {}) {
  const [verb, arg] = String(action).split(':');
  switch (verb) {
    case 'extend':
    case 'shorten': {
      const s = Number(arg) || 0;
      return t('mb_act_' + verb, { t: s % 60 === 0 ? t('mb_minutes', { n: s / 60 }) : fmtDur(s * 1000) });
    }
    case 'no_show':
      return t('mb_act_no_show', { side: sideText(arg) });
    case 'move':
      return t('mb_act_move', { booth: booths[arg] || arg });
    case 'join':
    case 'leave':
    case 'end':
    case 'clear_no_show':
    case 'admit':
    case 'announce':
      return t('mb_act_' + verb);
    default:
      return String(action);
  }
}

/** The countdown cell's text for timeLeft()'s answer (wire/board.js). */
export function leftText({ kind, ms }) {
  if (kind === 'to_start') return t('rem_to_start', { t: fmtDur(ms) });
  if (kind === 'left') return ms > 0 ? t('rem_left', { t: fmtDur(ms) }) : t('mb_left_over');
  if (kind === 'grace') return t('rem_grace', { t: fmtDur(ms) });
  return '—';
}

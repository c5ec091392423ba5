// The current language and the lookup of strings in it. No DOM: pages, formatting and the
// tests all read strings through t(), so a language switch is one assignment here.
import ko from './ko.js';
import en from './en.js';
import koMod from './ko_mod.js';
import enMod from './en_mod.js';
import koRoom from './ko_room.js';
import enRoom from './en_room.js';
import koPrejoin from './ko_prejoin.js';
import enPrejoin from './en_prejoin.js';
import koPrep from './ko_prep.js';
import enPrep from './en_prep.js';
import koMail from './ko_mail.js';
import enMail from './en_mail.js';
import koBrief from './ko_brief.js';
import enBrief from './en_brief.js';

/** Every string table, by language code (the moderation, in-room, pre-join, preparation, mail and briefing strings merged in). */
export const STR = { ko: { ...ko, ...koMod, ...koRoom, ...koPrejoin, ...koPrep, ...koMail, ...koBrief }, en: { ...en, ...enMod, ...enRoom, ...enPrejoin, ...enPrep, ...enMail, ...enBrief } };

let current = 'ko';

/** The language strings are looked up in: 'ko' or 'en'. */
export function lang() {
  return current;
}

/** Switches the lookup language; an unknown code is ignored (and false is returned). */
export function useLang(code) {
  if (!STR[code]) return false;
  current = code;
  return true;
}

/** Whether the current language has a string for `key` (no Korean fallback). */
export function has(key) {
  return STR[current][key] !== undefined;
}

/** The string for `key`, falling back to Korean, then to the key; `{name}` filled from vars. */
export function t(key, vars) {
  let s = STR[current][key];
  if (s === undefined) s = STR.ko[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

/** The people's text for a server error code (`err_<code>`), or the generic one. */
export function errText(code) {
  return has('err_' + code) ? t('err_' + code) : t('err_unknown');
}

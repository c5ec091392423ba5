// The server's enums with their labels (GET /api/labels, fetched once at start-up by
// api.js): organisation types, survey outcomes, the phases' order, roles. Nothing here is
// copied from the server; until the labels arrive, lookups fall back to what the data
// itself carries (an organisation's Korean kind_label, or the code).
import { lang } from './i18n/index.js';
import { effectivePhase } from './phase.js';
import { clock } from './clock.js';

const L = {
  institution_types: [],
  enterprise_types: [],
  outcomes: [],
  phases: [],
  roles: [],
};

/** Takes the body of GET /api/labels. */
export function setLabels(body) {
  for (const k of Object.keys(L)) if (body && Array.isArray(body[k])) L[k] = body[k];
}

/** The labels as last received (lists of {code, label, label_en}, or of codes). */
export function labels() {
  return L;
}

function pick(entry) {
  return lang() === 'en' ? entry.label_en || entry.label : entry.label || entry.label_en;
}

/** The label of an institution or enterprise type code in the current language, or null. */
export function kindName(code) {
  const e = L.institution_types.find((x) => x.code === code) || L.enterprise_types.find((x) => x.code === code);
  return e ? pick(e) : null;
}

/** The English label of an organisation type code, or undefined. */
export function kindNameEn(code) {
  const e = L.institution_types.find((x) => x.code === code) || L.enterprise_types.find((x) => x.code === code);
  return e ? e.label_en : undefined;
}

/** An organisation's type as shown: English from the labels, Korean as the server sent it. */
export function kindLabel(org) {
  if (!org) return '';
  if (lang() === 'en') return kindNameEn(org.kind) || org.kind_label || org.kind || '';
  return org.kind_label || kindNameEn(org.kind) || org.kind || '';
}

/** The label of a survey outcome code in the current language (the code if unknown). */
export function outcomeLabel(code) {
  const e = L.outcomes.find((x) => x.code === code);
  return e ? pick(e) : code;
}

/** A meeting's phase now, by the server's clock and the server's phase order. */
export function effPhase(m) {
  return effectivePhase(m, clock.now(), L.phases);
}

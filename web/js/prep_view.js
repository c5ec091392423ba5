// The preparation pages' logic without DOM (server/API.md "Before the fair"): a draft
// grouped per booth, per enterprise and per slot, request statuses and what the viewer may
// do with them, timetable changes as sentences, file-kind checks, settings parsing and the
// revoke form's input. The
// pages only render what these return, so node --test checks the same rules they show.

/** The server's longest request reason, in characters (signaling REASON_MAX_CHARS). */
export const REASON_MAX = 300;

/** A list of registered rows from either a map keyed by id or an array, sorted by id. */
export function orgList(x) {
  const list = Array.isArray(x) ? x : Object.values(x || {});
  return [...list].sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

/** The meetings of a draft (GET /api/prep/drafts has them with names and times); a draft
 * straight from POST /api/prep/schedule has only `booked`, named here from `names`. */
export function draftMeetings(draft, names = {}) {
  if (Array.isArray(draft.meetings)) return draft.meetings;
  return (draft.booked || []).map((b) => ({
    ...b,
    institution_name: (names.institutions && names.institutions[b.institution]) || b.institution,
    enterprise_name: (names.enterprises && names.enterprises[b.enterprise]) || b.enterprise,
  }));
}

/** How many slots a round's grid needs: the round's own, or more if a meeting sits past it. */
function slotCount(meetings, slots) {
  return Math.max(slots || 0, ...meetings.map((m) => m.slot + 1), 0);
}

/**
 * Per booth: one row per institution and booth (an institution with two booths has two
 * rows), one cell per slot holding the meeting there or null.
 */
export function byBooth(meetings, slots) {
  const n = slotCount(meetings, slots);
  const rows = new Map();
  for (const m of meetings) {
    const key = m.institution + '\u0000' + m.booth;
    if (!rows.has(key)) rows.set(key, { institution: m.institution, name: m.institution_name, booth: m.booth, cells: new Array(n).fill(null) });
    rows.get(key).cells[m.slot] = m;
  }
  return [...rows.values()].sort((a, b) => a.institution.localeCompare(b.institution) || a.booth - b.booth);
}

/**
 * Per enterprise: one row per enterprise, one cell per slot. An enterprise meets one
 * institution at a time, so a cell holds at most one meeting; two would be a scheduler
 * bug, and the second is kept in `clashes` so the page can show it rather than hide it.
 */
export function byEnterprise(meetings, slots) {
  const n = slotCount(meetings, slots);
  const rows = new Map();
  for (const m of meetings) {
    if (!rows.has(m.enterprise)) rows.set(m.enterprise, { enterprise: m.enterprise, name: m.enterprise_name, cells: new Array(n).fill(null), clashes: [], count: 0 });
    const r = rows.get(m.enterprise);
    if (r.cells[m.slot]) r.clashes.push(m);
    else r.cells[m.slot] = m;
    r.count += 1;
  }
  return [...rows.values()].sort((a, b) => a.enterprise.localeCompare(b.enterprise));
}

/** Per slot: the slots in order, each with its start (when a meeting carries one) and meetings by booth. */
export function bySlot(meetings) {
  const slots = new Map();
  for (const m of meetings) {
    if (!slots.has(m.slot)) slots.set(m.slot, { slot: m.slot, starts_at: m.starts_at ?? null, meetings: [] });
    slots.get(m.slot).meetings.push(m);
  }
  for (const s of slots.values()) s.meetings.sort((a, b) => a.institution.localeCompare(b.institution) || a.booth - b.booth);
  return [...slots.values()].sort((a, b) => a.slot - b.slot);
}

/** The start of each slot column as far as the draft's meetings tell (null where none sits). */
export function slotStarts(meetings, slots) {
  const out = new Array(slotCount(meetings, slots)).fill(null);
  for (const m of meetings) if (typeof m.starts_at === 'number' && out[m.slot] === null) out[m.slot] = m.starts_at;
  return out;
}

const NOT_PLACED = new Set(['no_common_slot', 'full', 'gap']);

/** The matches a draft could not place, named from the round's matches, with the i18n key of the reason. */
export function notPlacedRows(draft, matches) {
  const byId = new Map((matches || []).map((m) => [m.id, m]));
  return (draft.not_placed || []).map((np) => {
    const m = byId.get(np.match);
    return {
      match: np.match,
      institution: m ? m.institution_name : null,
      enterprise: m ? m.enterprise_name : null,
      reasonKey: NOT_PLACED.has(np.reason) ? 'np_' + np.reason : 'np_other',
      reason: np.reason,
    };
  });
}

/** What POST /api/prep/publish takes: each round's draft version, as staff reviewed it. */
export function draftVersions(drafts) {
  const out = {};
  for (const d of drafts || []) out[d.round] = d.version;
  return out;
}

/** The status of a request as of `now`: a pending one past its expiry reads expired. */
export function requestStatus(r, now) {
  if (r.status === 'pending' && typeof r.expires_at === 'number' && now >= r.expires_at) return 'expired';
  return r.status;
}

/**
 * A request as the viewer sees it: its status now, which side the other is (for a buyer
 * the enterprise, for a vendor the institution) and what they may do with it.
 */
export function requestView(r, side, now) {
  const status = requestStatus(r, now);
  const pending = status === 'pending';
  return {
    status,
    other: side === 'buyer' ? r.enterprise_name : r.institution_name,
    canAnswer: !!r.can_answer && pending,
    canWithdraw: !!r.mine && pending,
  };
}

/** The caller's requests split into those they received and those they sent, newest first. */
export function splitRequests(requests) {
  const newest = (a, b) => (b.created_at || 0) - (a.created_at || 0) || b.id - a.id;
  const all = [...(requests || [])].sort(newest);
  return { received: all.filter((r) => !r.mine), sent: all.filter((r) => r.mine) };
}

/** Counterparts best fit first (the server's order, made sure of), ties by name. */
export function sortCounterparts(list) {
  return [...(list || [])].sort((a, b) => (b.score || 0) - (a.score || 0) || String(a.name).localeCompare(String(b.name)));
}

/** The reason counter: characters as the server counts them (code points, not UTF-16 units). */
export function reasonCount(text, max = REASON_MAX) {
  const n = [...(text || '')].length;
  return { n, left: max - n, over: n > max };
}

/** Which import a file is by its name: 'xlsx', 'csv', or null (refused before upload). */
export function fileKind(name) {
  const m = /\.([a-z0-9]+)$/i.exec(String(name || '').trim());
  if (!m) return null;
  const ext = m[1].toLowerCase();
  return ext === 'xlsx' || ext === 'csv' ? ext : null;
}

/** An import's summary as counts and the updated rows with their fields. */
export function importSummary(summary) {
  const s = summary || {};
  const added = s.added || [];
  const updated = s.updated || [];
  return {
    added: added.length,
    updated: updated.length,
    unchanged: s.unchanged || 0,
    notInFile: s.not_in_file || 0,
    addedRows: added.map((r) => ({ kind: r.kind, id: r.id })),
    updatedRows: updated.map((r) => ({ kind: r.kind, id: r.id, fields: r.fields || [] })),
    nothing: !added.length && !updated.length,
  };
}

/**
 * A timetable change as an i18n key and its values: added and removed name the meeting,
 * moved says from where to where. `meetings` (the current timetable) gives the round
 * numbers and the times of `now`; the `was` side carries only round and slot (no times,
 * no names), so it is told as a slot number and the other side's id.
 */
export function describeChange(c, meetings, side) {
  const byId = new Map((meetings || []).map((m) => [m.meeting, m]));
  const numbers = new Map((meetings || []).map((m) => [m.round, m.round_number]));
  const roundNo = (id) => {
    const digits = /(\d+)$/.exec(String(id));
    return numbers.get(id) ?? (digits ? Number(digits[1]) : id);
  };
  const where = (b) => ({ round: roundNo(b.round), slot: b.slot + 1 });
  const other = (b) => (side === 'buyer' ? b.enterprise : b.institution);
  if (c.change === 'added') return { key: 'tt_change_added', vars: where(c.now), meeting: c.now.meeting, found: byId.get(c.now.meeting) || null };
  if (c.change === 'removed') return { key: 'tt_change_removed', vars: { ...where(c.was), other: other(c.was) }, meeting: c.was.meeting, found: null };
  const w = where(c.was);
  return { key: 'tt_change_moved', vars: { was_round: w.round, was_slot: w.slot, ...where(c.now) }, meeting: c.now.meeting, found: byId.get(c.now.meeting) || null };
}

/** Changes in timetable order: by round, then slot, of where the meeting is now (or was). */
export function sortChanges(changes) {
  const at = (c) => c.now || c.was;
  return [...(changes || [])].sort((a, b) => String(at(a).round).localeCompare(String(at(b).round), undefined, { numeric: true }) || at(a).slot - at(b).slot || at(a).booth - at(b).booth);
}

/** The meetings to highlight: those added or moved since the publication last marked seen. */
export function changedMeetings(changes) {
  const out = new Set();
  for (const c of changes || []) if (c.change !== 'removed' && c.now) out.add(c.now.meeting);
  return out;
}

/**
 * Slot numbers as staff type them (1-based, commas and ranges: "4, 6-7") into the
 * 0-based numbers the API takes; `slots` bounds them. Throws {bad} naming the bad part.
 */
export function parseSlots(text, slots) {
  const out = new Set();
  for (const part of String(text || '').split(/[,\s]+/).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const a = m ? Number(m[1]) : NaN;
    const b = m && m[2] ? Number(m[2]) : a;
    if (!m || a < 1 || b < a || (slots && b > slots)) throw Object.assign(new Error('bad slot ' + part), { bad: part });
    for (let s = a; s <= b; s += 1) out.add(s - 1);
  }
  return [...out].sort((x, y) => x - y);
}

/** 0-based slot numbers back as staff read them: "4, 6, 7". */
export function formatSlots(list) {
  return (list || []).map((s) => String(s + 1)).join(', ');
}

/** Matches of one round split into accepted and cancelled, then by institution and enterprise. */
export function sortMatches(matches) {
  const rank = (m) => (m.status === 'cancelled' ? 1 : 0);
  return [...(matches || [])].sort((a, b) => rank(a) - rank(b) || String(a.institution_name).localeCompare(String(b.institution_name)) || String(a.enterprise_name).localeCompare(String(b.enterprise_name)) || a.id - b.id);
}

/** How a proposal compares with the greedy one: the gain in points and percent (one decimal). */
export function proposalGain(p) {
  const gain = (p.total || 0) - (p.greedy_total || 0);
  const pctGain = p.greedy_total ? Math.round((gain / p.greedy_total) * 1000) / 10 : 0;
  return { gain, pct: pctGain };
}

/** The participant id staff typed into the revoke form, checked as the server checks ids
 * (1 to 64 ASCII letters, digits, '-' and '_'): the id and its revoke request's path, or
 * `{error: 'empty' | 'bad'}` (the i18n key's suffix). */
export function revokeRequest(input) {
  const id = String(input == null ? '' : input).trim();
  if (!id) return { error: 'empty' };
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return { error: 'bad' };
  return { id, path: '/api/participants/' + id + '/revoke' };
}

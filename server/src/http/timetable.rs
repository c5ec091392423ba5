//! What buyers and vendors see of the preparation: their meeting requests (sent and
//! received, and whom they may ask) and their published timetable, as JSON and as an
//! iCalendar file for their calendar program.

use crate::app::state::AppState;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::mail::gather::Gather;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use sangdam_signaling::fair::{Affiliation, Round};
use sangdam_signaling::notify::agenda::Agenda;
use sangdam_signaling::prep::requests::RequestId;
use sangdam_signaling::prep::suggest::suggestions;
use sangdam_signaling::prep::timetable::Booked;
use sangdam_signaling::prep::{Actor, Counterpart, Edit, Outcome, Prep};
use sangdam_signaling::{ErrorCode, Role, RoundId, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};

/// How many organisations the request form offers, best fit first.
const COUNTERPARTS_SHOWN: usize = 200;

pub(crate) fn actor(caller: &Caller) -> Actor {
    Actor {
        participant: caller.participant.id.clone(),
        role: caller.participant.role,
    }
}

/// The caller's organisation: as registered for the preparation, else as the fair has it.
fn side_of(prep: &Prep, caller: &Caller) -> Affiliation {
    prep.registry
        .affiliation_of(&caller.participant.id)
        .cloned()
        .unwrap_or_else(|| caller.participant.affiliation.clone())
}

fn require_side(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Buyer, Role::Vendor])
}

/// An organisation's name: as registered, else as the live fair has it, else its id.
pub(crate) fn org_name(state: &AppState, prep: &Prep, who: &Counterpart) -> String {
    crate::mail::gather::org_name(&state.fair, prep, who)
}

/// A booked meeting with names, times and the room link.
pub(crate) fn booked_view(state: &AppState, prep: &Prep, b: &Booked) -> Value {
    let round = state.prep.rounds().iter().find(|r| r.id == b.round);
    let slot = round.and_then(|r| r.slot(b.slot));
    json!({
        "meeting": b.meeting,
        "match": b.match_id,
        "round": b.round,
        "round_number": round.map(|r| r.number),
        "theme": round.map(|r| r.theme.clone()),
        "slot": b.slot,
        "booth": b.booth,
        "starts_at": slot.map(|s| s.start),
        "ends_at": slot.map(|s| s.end),
        "institution": b.institution,
        "institution_name": org_name(state, prep, &Counterpart::Institution(b.institution.clone())),
        "enterprise": b.enterprise,
        "enterprise_name": org_name(state, prep, &Counterpart::Enterprise(b.enterprise.clone())),
        "link": format!("{}/#room={}", state.base_url, b.meeting),
    })
}

fn rounds_view(rounds: &[Round]) -> Vec<Value> {
    rounds
        .iter()
        .map(|r| json!({"id": r.id, "number": r.number, "theme": r.theme, "starts_at": r.starts_at, "slots": r.slots}))
        .collect()
}

/// `GET /api/requests`
pub async fn requests(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    require_side(&caller)?;
    let prep = state.prep.read().await?;
    let now = caller.now;
    let side = side_of(&prep, &caller);
    let me = &caller.participant.id;
    let list: Vec<Value> = prep
        .requests_of(me)
        .into_iter()
        .map(|r| {
            let status = r.status_at(now);
            let answering = match r.direction {
                sangdam_signaling::prep::requests::Direction::VendorAsks => {
                    Affiliation::Institution(r.institution.clone())
                }
                sangdam_signaling::prep::requests::Direction::InstitutionInvites => {
                    Affiliation::Enterprise(r.enterprise.clone())
                }
            };
            let mut v = serde_json::to_value(r).expect("a request serializes");
            v["status"] = json!(status);
            v["mine"] = json!(&r.from == me);
            v["can_answer"] = json!(
                status == sangdam_signaling::prep::requests::RequestStatus::Pending
                    && answering == side
            );
            v["institution_name"] = json!(org_name(
                &state,
                &prep,
                &Counterpart::Institution(r.institution.clone())
            ));
            v["enterprise_name"] = json!(org_name(
                &state,
                &prep,
                &Counterpart::Enterprise(r.enterprise.clone())
            ));
            v
        })
        .collect();
    let of = match &side {
        Affiliation::Institution(i) => Some(Counterpart::Institution(i.clone())),
        Affiliation::Enterprise(e) => Some(Counterpart::Enterprise(e.clone())),
        Affiliation::Operator => None,
    };
    // Whom they may ask: every organisation of the other side in the first round they
    // attend, best fit first (the page asks again per round only if the user changes it).
    let mut counterparts: Vec<Value> = Vec::new();
    let registered = prep.registry.participants.contains_key(me);
    if let (Some(of), true) = (of, registered) {
        let mut seen = std::collections::BTreeSet::new();
        let mut index = std::collections::HashMap::new();
        for round in state.prep.rounds() {
            if let Ok(list) = suggestions(&prep, round, &of, COUNTERPARTS_SHOWN, true) {
                for s in list {
                    let key = format!("{:?}", s.who);
                    if seen.insert(key.clone()) {
                        let mut v = serde_json::to_value(&s.who).expect("serializes");
                        v["name"] = json!(s.name);
                        v["score"] = json!(s.relevance.score);
                        v["rounds"] = json!([round.id]);
                        index.insert(key, counterparts.len());
                        counterparts.push(v);
                    } else if let Some(&i) = index.get(&key) {
                        // Listed from an earlier round: add this one, keep the best fit.
                        let v = &mut counterparts[i];
                        v["rounds"]
                            .as_array_mut()
                            .expect("a list")
                            .push(json!(round.id));
                        if v["score"].as_i64() < Some(s.relevance.score) {
                            v["score"] = json!(s.relevance.score);
                        }
                    }
                }
            }
        }
        counterparts.sort_by(|a, b| b["score"].as_i64().cmp(&a["score"].as_i64()));
    }
    Ok(Json(json!({
        "registered": registered,
        "rules": prep.settings.requests,
        "rounds": rounds_view(state.prep.rounds()),
        "requests": list,
        "counterparts": counterparts,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    round: RoundId,
    to: Counterpart,
    #[serde(default)]
    reason: String,
}

fn answer(outcome: Outcome, version: u64) -> Json<Value> {
    let mut v = serde_json::to_value(&outcome).expect("an outcome serializes");
    v["version"] = json!(version);
    Json(v)
}

/// `POST /api/requests`
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    require_side(&caller)?;
    let Json(body) = body.map_err(bad_body)?;
    let (outcome, version) = state
        .prep
        .edit(&actor(&caller), caller.now, |_| {
            Ok(Edit::Request {
                round: body.round.clone(),
                to: body.to.clone(),
                reason: body.reason.clone(),
            })
        })
        .await?;
    Ok(answer(outcome, version))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    expected_version: u64,
    #[serde(default)]
    accept: Option<bool>,
}

/// `POST /api/requests/{id}/answer`
pub async fn respond(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RequestId>,
    body: Result<Json<Answer>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    require_side(&caller)?;
    let Json(body) = body.map_err(bad_body)?;
    let accept = body
        .accept
        .ok_or_else(|| ApiError::new(ErrorCode::BadMessage, "say \"accept\": true or false"))?;
    let (outcome, version) = state
        .prep
        .edit(&actor(&caller), caller.now, |_| {
            Ok(Edit::Answer {
                request: id,
                expected_version: body.expected_version,
                accept,
            })
        })
        .await?;
    Ok(answer(outcome, version))
}

/// `POST /api/requests/{id}/withdraw`
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<RequestId>,
    body: Result<Json<Answer>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    require_side(&caller)?;
    let Json(body) = body.map_err(bad_body)?;
    let (outcome, version) = state
        .prep
        .edit(&actor(&caller), caller.now, |_| {
            Ok(Edit::Withdraw {
                request: id,
                expected_version: body.expected_version,
            })
        })
        .await?;
    Ok(answer(outcome, version))
}

pub(crate) fn bad_body(e: axum::extract::rejection::JsonRejection) -> ApiError {
    ApiError::new(
        ErrorCode::BadMessage,
        format!("the request body: {}", e.body_text()),
    )
}

/// `GET /api/timetable`
pub async fn timetable(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    require_side(&caller)?;
    let prep = state.prep.read().await?;
    let side = side_of(&prep, &caller);
    let publication = prep
        .published()
        .map(|p| json!({"number": p.number, "kind": p.kind, "at": p.at}));
    let meetings: Vec<Value> = prep
        .timetable_of(&side, None)
        .into_iter()
        .map(|b| booked_view(&state, &prep, b))
        .collect();
    // Each side of a change with its times and names, as the meetings are.
    let changes: Vec<Value> = prep
        .changes_for(&caller.participant.id, &side)
        .into_iter()
        .map(|c| {
            let mut v = serde_json::to_value(&c).expect("a change serializes");
            for key in ["was", "now"] {
                if let Some(b) = v.get(key).cloned() {
                    if let Ok(b) = serde_json::from_value::<Booked>(b) {
                        v[key] = booked_view(&state, &prep, &b);
                    }
                }
            }
            v
        })
        .collect();
    Ok(Json(json!({
        "publication": publication,
        "meetings": meetings,
        "changes": changes,
        "seen": prep.seen.get(&caller.participant.id),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seen {
    number: u32,
}

/// `POST /api/timetable/seen`
pub async fn seen(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Seen>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    require_side(&caller)?;
    let Json(body) = body.map_err(bad_body)?;
    let (outcome, version) = state
        .prep
        .edit(&actor(&caller), caller.now, |_| {
            Ok(Edit::Seen {
                number: body.number,
            })
        })
        .await?;
    Ok(answer(outcome, version))
}

/// `GET /api/timetable.ics`
pub async fn ics(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    require_side(&caller)?;
    let prep = state.prep.read().await?;
    // The same entries an invitation attaches.
    let agenda = Agenda::new(&state.fair, &prep, None);
    let gather = Gather {
        fair: &state.fair,
        prep: &prep,
        agenda: &agenda,
        base_url: &state.base_url,
    };
    let entries = gather.calendar_entries(&caller.participant);
    let body = crate::files::ics::calendar(
        &state.fair.name,
        &entries,
        Timestamp::from_millis(caller.now.as_millis()),
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"sangdam-{}.ics\"",
                    caller.participant.id
                ),
            ),
        ],
        body,
    )
        .into_response())
}

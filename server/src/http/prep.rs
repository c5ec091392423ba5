//! Staff's preparation API: registrations, settings, matches (by hand, suggested, or a whole
//! proposed set), draft schedules and publishing. Every rule is the core's
//! (`signaling/src/prep/`); this module reads the document, shapes answers and hands edits
//! to [`crate::prep::Preparation`].

use crate::app::state::AppState;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::timetable::{actor, bad_body, booked_view, org_name};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use sangdam_signaling::fair::Round;
use sangdam_signaling::prep::drafting::draft;
use sangdam_signaling::prep::matches::MatchId;
use sangdam_signaling::prep::proposal::propose;
use sangdam_signaling::prep::relevance::relevance;
use sangdam_signaling::prep::requests::RequestStatus;
use sangdam_signaling::prep::suggest::suggestions;
use sangdam_signaling::prep::timetable::PublicationKind;
use sangdam_signaling::prep::{Counterpart, Edit, Outcome, Prep, PrepSettings};
use sangdam_signaling::{EnterpriseId, ErrorCode, InstitutionId, Role, RoundId};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn staff(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Staff])
}

pub(crate) fn round<'a>(state: &'a AppState, id: &RoundId) -> Result<&'a Round, ApiError> {
    state
        .prep
        .rounds()
        .iter()
        .find(|r| &r.id == id)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnknownRound,
                format!("the fair has no round {id}"),
            )
        })
}

fn answer(outcome: Outcome, version: u64) -> Json<Value> {
    let mut v = serde_json::to_value(&outcome).expect("an outcome serializes");
    v["version"] = json!(version);
    Json(v)
}

/// `GET /api/prep`
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    staff(&caller)?;
    let prep = state.prep.read().await?;
    let mut by_status: BTreeMap<&str, usize> =
        ["pending", "accepted", "declined", "expired", "withdrawn"]
            .into_iter()
            .map(|s| (s, 0))
            .collect();
    for r in prep.requests.values() {
        let s = match r.status_at(caller.now) {
            RequestStatus::Pending => "pending",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Declined => "declined",
            RequestStatus::Expired => "expired",
            RequestStatus::Withdrawn => "withdrawn",
        };
        *by_status.entry(s).or_insert(0) += 1;
    }
    let rounds: Vec<Value> = state
        .prep
        .rounds()
        .iter()
        .map(|r| {
            let draft = prep.drafts.get(&r.id).map(|d| {
                json!({"version": d.version, "made_at": d.made_at, "booked": d.booked.len(), "not_placed": d.not_placed.len(),
                       "lower_bound": d.lower_bound, "slots_used": d.slots_used, "moved": d.moved})
            });
            json!({"id": r.id, "number": r.number, "theme": r.theme, "slots": r.slots, "starts_at": r.starts_at,
                   "slot_minutes": r.slot_len.as_secs_f64() / 60.0, "break_minutes": r.break_len.as_secs_f64() / 60.0,
                   "matches": prep.accepted_in(&r.id).len(), "draft": draft})
        })
        .collect();
    let publications: Vec<Value> = prep
        .publications
        .iter()
        .map(
            |p| json!({"number": p.number, "kind": p.kind, "at": p.at, "meetings": p.booked.len()}),
        )
        .collect();
    Ok(Json(json!({
        "version": prep.version,
        "counts": {
            "institutions": prep.registry.institutions.len(),
            "enterprises": prep.registry.enterprises.len(),
            "participants": prep.registry.participants.len(),
            "requests": by_status,
            "matches": prep.matches.values().filter(|m| m.is_accepted()).count(),
        },
        "settings_version": prep.settings_version,
        "settings": prep.settings,
        "rounds": rounds,
        "publications": publications,
    })))
}

/// `GET /api/prep/registry`
pub async fn registry(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    staff(&caller)?;
    let prep = state.prep.read().await?;
    Ok(Json(json!({
        "institutions": prep.registry.institutions.values().collect::<Vec<_>>(),
        "enterprises": prep.registry.enterprises.values().collect::<Vec<_>>(),
        "participants": prep.registry.participants.values().collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    expected_version: u64,
    settings: PrepSettings,
}

/// `PUT /api/prep/settings`
pub async fn settings(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<SettingsBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    staff(&caller)?;
    let Json(body) = body.map_err(bad_body)?;
    let (o, v) = state
        .prep
        .edit(&actor(&caller), caller.now, |_| {
            Ok(Edit::Settings {
                expected_version: body.expected_version,
                settings: body.settings.clone(),
            })
        })
        .await?;
    Ok(answer(o, v))
}

#[derive(Deserialize)]
pub struct RoundQuery {
    round: Option<String>,
}

fn match_view(state: &AppState, prep: &Prep, m: &sangdam_signaling::prep::matches::Match) -> Value {
    let score = match (
        prep.registry.institution(&m.institution),
        prep.registry.enterprise(&m.enterprise),
        state.prep.rounds().iter().find(|r| r.id == m.round),
    ) {
        (Some(i), Some(e), Some(r)) => relevance(i, e, &r.theme).score,
        _ => 0,
    };
    let mut v = serde_json::to_value(m).expect("a match serializes");
    v["institution_name"] = json!(org_name(
        state,
        prep,
        &Counterpart::Institution(m.institution.clone())
    ));
    v["enterprise_name"] = json!(org_name(
        state,
        prep,
        &Counterpart::Enterprise(m.enterprise.clone())
    ));
    v["relevance"] = json!(score);
    v
}

/// `GET /api/prep/matches`
pub async fn matches(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RoundQuery>,
) -> Result<Json<Value>, ApiError> {
    staff(&caller)?;
    let prep = state.prep.read().await?;
    let filter = match q.round.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(round(&state, &parse_round(r)?)?.id.clone()),
        None => None,
    };
    let list: Vec<Value> = prep
        .matches
        .values()
        .filter(|m| filter.as_ref().is_none_or(|r| &m.round == r))
        .map(|m| match_view(&state, &prep, m))
        .collect();
    Ok(Json(json!({"matches": list})))
}

fn parse_round(s: &str) -> Result<RoundId, ApiError> {
    RoundId::parse(s).map_err(|e| ApiError::new(ErrorCode::BadQuery, format!("round: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMatches {
    round: RoundId,
    pairs: Vec<(InstitutionId, EnterpriseId)>,
    #[serde(default)]
    from_proposal: bool,
    #[serde(default)]
    note: String,
}

/// `POST /api/prep/matches`
pub async fn create_matches(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewMatches>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    staff(&caller)?;
    let Json(body) = body.map_err(bad_body)?;
    let (o, v) = state
        .prep
        .edit(&actor(&caller), caller.now, |_| {
            Ok(Edit::CreateMatches {
                round: body.round.clone(),
                pairs: body.pairs.clone(),
                from_proposal: body.from_proposal,
                note: body.note.clone(),
            })
        })
        .await?;
    Ok(answer(o, v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchChange {
    expected_version: u64,
    #[serde(default)]
    round: Option<RoundId>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    cancelled: Option<bool>,
}

/// `PATCH /api/prep/matches/{id}`
pub async fn update_match(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<MatchId>,
    body: Result<Json<MatchChange>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    staff(&caller)?;
    let Json(body) = body.map_err(bad_body)?;
    let (o, v) = state
        .prep
        .edit(&actor(&caller), caller.now, |_| {
            Ok(Edit::UpdateMatch {
                id,
                expected_version: body.expected_version,
                round: body.round.clone(),
                note: body.note.clone(),
                cancelled: body.cancelled,
            })
        })
        .await?;
    Ok(answer(o, v))
}

#[derive(Deserialize)]
pub struct SuggestQuery {
    round: String,
    institution: Option<String>,
    enterprise: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/prep/suggestions`
pub async fn suggest(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SuggestQuery>,
) -> Result<Json<Value>, ApiError> {
    staff(&caller)?;
    let r = round(&state, &parse_round(&q.round)?)?;
    let of = match (q.institution.as_deref(), q.enterprise.as_deref()) {
        (Some(i), None) => Counterpart::Institution(
            InstitutionId::parse(i)
                .map_err(|e| ApiError::new(ErrorCode::BadQuery, format!("institution: {e}")))?,
        ),
        (None, Some(e)) => Counterpart::Enterprise(
            EnterpriseId::parse(e)
                .map_err(|e| ApiError::new(ErrorCode::BadQuery, format!("enterprise: {e}")))?,
        ),
        _ => {
            return Err(ApiError::new(
                ErrorCode::BadQuery,
                "name exactly one of institution=ID or enterprise=ID",
            ))
        }
    };
    let limit = q.limit.unwrap_or(20).clamp(1, 500);
    let prep = state.prep.read().await?;
    let list = suggestions(&prep, r, &of, limit, false)?;
    Ok(Json(json!({"round": r.id, "for": of, "suggestions": list})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    kind: PublicationKind,
    drafts: BTreeMap<RoundId, u64>,
}

/// `POST /api/prep/publish`
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<PublishBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    staff(&caller)?;
    let Json(body) = body.map_err(bad_body)?;
    let (o, v) = state
        .prep
        .edit(&actor(&caller), caller.now, |_| {
            Ok(Edit::Publish {
                kind: body.kind,
                drafts: body.drafts.clone(),
            })
        })
        .await?;
    Ok(answer(o, v))
}

/// `GET /api/prep/drafts`
pub async fn drafts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    staff(&caller)?;
    let prep = state.prep.read().await?;
    let list: Vec<Value> = prep
        .drafts
        .values()
        .map(|d| {
            let mut v = serde_json::to_value(d).expect("a draft serializes");
            v["meetings"] = json!(d
                .booked
                .iter()
                .map(|b| booked_view(&state, &prep, b))
                .collect::<Vec<_>>());
            v
        })
        .collect();
    Ok(Json(json!({"drafts": list})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundBody {
    round: RoundId,
}

/// `POST /api/prep/proposal`: computed, not stored. The exact solve can take a while at
/// national scale, so it runs off the async threads.
pub async fn proposal(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<RoundBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    staff(&caller)?;
    let Json(body) = body.map_err(bad_body)?;
    let r = round(&state, &body.round)?.clone();
    let prep = state.prep.read().await?;
    let proposal = tokio::task::spawn_blocking(move || propose(&prep, &r))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
    Ok(Json(
        serde_json::to_value(proposal).expect("a proposal serializes"),
    ))
}

/// `POST /api/prep/schedule`: a new draft of the round, made from the document it is
/// stored into (made again if another edit landed first).
pub async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<RoundBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    staff(&caller)?;
    let Json(body) = body.map_err(bad_body)?;
    let r = round(&state, &body.round)?.clone();
    let now = caller.now;
    let (o, v) = state
        .prep
        .edit(&actor(&caller), now, |prep| {
            Ok(Edit::KeepDraft {
                draft: draft(prep, &r, now)?,
            })
        })
        .await?;
    Ok(answer(o, v))
}

#[derive(Deserialize)]
pub struct ImportQuery {
    name: String,
}

/// `POST /api/prep/import?name=FILE`: the file is the body. A file with any problem imports
/// nothing and every problem comes back (sheet, row, column, reason).
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    staff(&caller)?;
    if body.is_empty() {
        return Err(ApiError::new(ErrorCode::BadImport, "the file is empty"));
    }
    let known = state.prep.read().await?;
    let files = vec![(q.name.clone(), body.to_vec())];
    let registration = match crate::files::registrations::read_files(&files, &known.registry) {
        Ok(r) => r,
        Err(errors) => {
            let body = json!({"error": {
                "code": ErrorCode::BadImport,
                "message": format!("{}: nothing was imported. {errors}", q.name),
                "problems": errors.problems,
            }});
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response());
        }
    };
    let (o, v) = state
        .prep
        .edit(&actor(&caller), caller.now, |_| {
            Ok(Edit::Import {
                registration: registration.clone(),
            })
        })
        .await?;
    tracing::info!(file = %q.name, staff = %caller.participant.id, "registrations imported");
    Ok(answer(o, v).into_response())
}

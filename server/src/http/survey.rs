//! The satisfaction survey over HTTP (see `server/API.md`): after a meeting's room has
//! closed, its buyer and its vendor each answer once. `GET` gives the caller's side's
//! questions and whether they already answered; `POST` records the answer, durably, before
//! it says so.

use crate::app::clock;
use crate::app::state::AppState;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use sangdam_signaling::live::access::Purpose;
use sangdam_signaling::protocol::MeetingView;
use sangdam_signaling::records::survey::{AnswerForm, Outcome, SurveyAnswer};
use sangdam_signaling::{ErrorCode, Meeting, MeetingId, Participant, Phase, Side};
use serde_json::json;

/// Where the caller stands with one meeting's survey.
struct Ctx<'s> {
    participant: &'s Participant,
    meeting: &'s Meeting,
    side: Side,
}

/// The core's access check for the survey: scope and role first, then the meeting, then
/// the caller's side in it.
fn context<'s>(
    state: &'s AppState,
    caller: &'s Caller,
    meeting: &str,
) -> Result<Ctx<'s>, ApiError> {
    let unknown = || {
        ApiError::new(
            ErrorCode::UnknownMeeting,
            format!(
                "no meeting {:?} in this fair",
                meeting.chars().take(64).collect::<String>()
            ),
        )
    };
    let id = MeetingId::parse(meeting).map_err(|_| unknown())?;
    let grant = caller.grant();
    grant.may_act_in(&id, Purpose::Survey)?;
    let m = state.fair.meeting(&id).ok_or_else(unknown)?;
    let side = grant.side_in(&state.fair, m)?;
    Ok(Ctx {
        participant: &caller.participant,
        meeting: m,
        side,
    })
}

fn is_open(state: &AppState, m: &Meeting) -> bool {
    state.rooms.presence(m, clock::now()).phase == Phase::Closed
}

async fn previous_answer(
    state: &AppState,
    ctx: &Ctx<'_>,
) -> Result<Option<SurveyAnswer>, ApiError> {
    let answers = state.surveys.answers().await.map_err(|e| {
        ApiError::new(
            ErrorCode::TemporarilyUnavailable,
            format!("survey answers cannot be read right now: {e}"),
        )
    })?;
    Ok(answers.into_iter().find(|a| {
        a.fair == state.fair.id
            && a.meeting == ctx.meeting.id
            && a.participant == ctx.participant.id
    }))
}

/// `GET /api/survey/{meeting}`.
pub async fn questions(
    State(state): State<AppState>,
    Path(meeting): Path<String>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let ctx = context(&state, &caller, &meeting)?;
    let answer = previous_answer(&state, &ctx).await?;
    let side = state.survey.side(ctx.side);
    let outcomes: Vec<_> = Outcome::ALL
        .iter()
        .map(|o| json!({"code": o.code(), "label": o.label_ko(), "label_en": o.label_en()}))
        .collect();
    Ok(Json(json!({
        "meeting": MeetingView::of(&state.fair, ctx.meeting),
        "side": ctx.side,
        "open": is_open(&state, ctx.meeting),
        "opens_at": state.rooms.window(ctx.meeting).closes_at,
        "answered": answer.is_some(),
        "answer": answer,
        "question": {
            "text": side.question,
            "text_en": side.question_en,
            "options": side.options,
        },
        "rating": {"min": 1, "max": 5},
        "outcomes": outcomes,
        "server_time": clock::now(),
    })))
}

/// `POST /api/survey/{meeting}`: `{"valued", "rating", "outcome", "comment"?}`.
pub async fn answer(
    State(state): State<AppState>,
    Path(meeting): Path<String>,
    caller: Caller,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let ctx = context(&state, &caller, &meeting)?;
    if !is_open(&state, ctx.meeting) {
        return Err(ApiError::new(
            ErrorCode::SurveyNotOpen,
            format!(
                "the survey opens when the meeting's room closes ({})",
                state.rooms.window(ctx.meeting).closes_at.kst()
            ),
        ));
    }
    let already = || {
        ApiError::new(
            ErrorCode::AlreadyAnswered,
            "you have already answered the survey about this meeting; thank you",
        )
    };
    if previous_answer(&state, &ctx).await?.is_some() {
        return Err(already());
    }
    let value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            ErrorCode::BadJson,
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    let form: AnswerForm = serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            ErrorCode::BadAnswer,
            format!("the answer cannot be read: {e}"),
        )
    })?;
    let answers = state
        .survey
        .check_answer(ctx.side, &form)
        .map_err(|e| ApiError::new(ErrorCode::BadAnswer, e.to_string()))?;
    let answer = SurveyAnswer {
        fair: state.fair.id.clone(),
        meeting: ctx.meeting.id.clone(),
        participant: ctx.participant.id.clone(),
        side: ctx.side,
        answers,
        answered_at: clock::now(),
    };
    let fresh = state.surveys.append(answer.clone()).await.map_err(|e| {
        ApiError::new(
            ErrorCode::TemporarilyUnavailable,
            format!("the answer could not be saved; nothing was recorded, please try again: {e}"),
        )
    })?;
    if !fresh {
        // Another request of the same person won the race.
        return Err(already());
    }
    tracing::info!(meeting = %answer.meeting, side = ?answer.side, "survey answered");
    Ok((StatusCode::CREATED, Json(json!({"answer": answer}))))
}

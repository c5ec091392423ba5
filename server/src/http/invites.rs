//! Staff's invitation links in bulk, as a sheet for mail merge: `GET /api/invites.csv` and
//! `GET /api/invites.xlsx`, every participant's personal link valid until the fair's end
//! plus `auth.invite_margin_hours` (or one link per meeting with `scoped=true`), each at the
//! participant's current link generation.

use crate::app::state::AppState;
use crate::files::invites::{self, InviteOptions, InviteRow, Minting};
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sangdam_signaling::{ErrorCode, Role};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteQuery {
    role: Option<String>,
    #[serde(default)]
    scoped: bool,
}

async fn make_rows(
    state: &AppState,
    caller: &Caller,
    q: &InviteQuery,
) -> Result<Vec<InviteRow>, ApiError> {
    caller.require(&[Role::Staff])?;
    let role = match q.role.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(Role::parse(r).ok_or_else(|| {
            ApiError::new(
                ErrorCode::BadQuery,
                format!("role: {r:?} is not buyer, vendor, moderator or staff"),
            )
        })?),
        None => None,
    };
    let expires_at = state.invite_expiry(caller.now);
    if expires_at <= caller.now {
        return Err(ApiError::new(
            ErrorCode::BadQuery,
            "the fair and its invitation margin are over: there is nothing left to invite to",
        ));
    }
    let generations = state.people.generations().await?;
    let minting = Minting {
        tokens: &state.tokens,
        base_url: &state.base_url,
        now: caller.now,
        expires_at,
        generations: &generations,
    };
    Ok(invites::rows(
        &state.fair,
        &state.contacts,
        &minting,
        &InviteOptions {
            role,
            scoped: q.scoped,
        },
    ))
}

fn attachment(content_type: &str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// `GET /api/invites.csv`
pub async fn csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<InviteQuery>,
) -> Result<Response, ApiError> {
    let rows = make_rows(&state, &caller, &q).await?;
    tracing::info!(staff = %caller.participant.id, links = rows.len(), "invitation links exported");
    Ok(attachment(
        "text/csv; charset=utf-8",
        format!("sangdam-invites-{}.csv", state.fair.id),
        invites::csv(&rows),
    ))
}

/// `GET /api/invites.xlsx`
pub async fn xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<InviteQuery>,
) -> Result<Response, ApiError> {
    let rows = make_rows(&state, &caller, &q).await?;
    let body = invites::xlsx(&rows, &state.fair.name)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("writing the workbook: {e}")))?;
    tracing::info!(staff = %caller.participant.id, links = rows.len(), "invitation links exported");
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("sangdam-invites-{}.xlsx", state.fair.id),
        body,
    ))
}

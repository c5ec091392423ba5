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
use sangdam_signaling::{ErrorCode, Role, Timestamp};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteQuery {
    role: Option<String>,
    #[serde(default)]
    scoped: bool,
}

/// An optional role filter (`buyer`, `vendor`, `moderator`, `staff`, or the Korean label;
/// empty: every role), refused with `code` (`bad_query` in a query, `bad_message` in a body).
pub(crate) fn role_filter(raw: Option<&str>, code: ErrorCode) -> Result<Option<Role>, ApiError> {
    match raw.filter(|r| !r.is_empty()) {
        Some(r) => Role::parse(r).map(Some).ok_or_else(|| {
            ApiError::new(
                code,
                format!("role: {r:?} is not buyer, vendor, moderator or staff"),
            )
        }),
        None => Ok(None),
    }
}

/// Until when invitations minted now work, or a refusal with `code` when the fair and its
/// margin are over.
pub(crate) fn open_invitations(
    state: &AppState,
    now: Timestamp,
    code: ErrorCode,
) -> Result<Timestamp, ApiError> {
    let expires_at = state.invite_expiry(now);
    if expires_at <= now {
        return Err(ApiError::new(
            code,
            "the fair and its invitation margin are over: there is nothing left to invite to",
        ));
    }
    Ok(expires_at)
}

async fn make_rows(
    state: &AppState,
    caller: &Caller,
    q: &InviteQuery,
) -> Result<Vec<InviteRow>, ApiError> {
    caller.require(&[Role::Staff])?;
    let role = role_filter(q.role.as_deref(), ErrorCode::BadQuery)?;
    let expires_at = open_invitations(state, caller.now, ErrorCode::BadQuery)?;
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

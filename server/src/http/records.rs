//! Staff's view of the record (see `server/API.md`): the fairs on record, the consultation
//! log as JSON, CSV and `.xlsx`, and the fair's report. Staff and moderators see every
//! record; a buyer sees their institution's, a vendor their enterprise's, each with their
//! own side's survey answers only. Exports and the report are for staff and moderators.
//!
//! Query parameters are parsed here into the core's [`LogFilter`], once; a parameter the
//! server does not know, or a value it cannot read, is refused with `bad_query`.

use crate::app::state::AppState;
use crate::files::log_export as export;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use sangdam_signaling::fair::{EnterpriseType, InstitutionType};
use sangdam_signaling::records::log_view::{
    log_rows, LogFilter, LogRow, LogSort, OutcomeFilter, SortKey,
};
use sangdam_signaling::records::record::ConsultationRecord;
use sangdam_signaling::records::report::{FairReport, ReportInput};
use sangdam_signaling::records::survey::{Outcome, SurveyAnswer, SurveyConfig};
use sangdam_signaling::time::kst_offset;
use sangdam_signaling::{EnterpriseId, ErrorCode, Fair, FairId, InstitutionId, Timestamp};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// The most rows one `/api/log` page returns; exports have no limit.
pub const MAX_PAGE: usize = 5000;
const DEFAULT_PAGE: usize = 500;

/// Everything one fair's log and report are computed from.
struct Source {
    fair: Arc<Fair>,
    records: Arc<Vec<ConsultationRecord>>,
    answers: Arc<Vec<SurveyAnswer>>,
    survey: Arc<SurveyConfig>,
    previous: Option<FairId>,
    current: bool,
}

fn bad_query(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::BadQuery, message)
}

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::TemporarilyUnavailable,
        format!("the record cannot be read right now: {e}"),
    )
}

/// The fair a request asks about: the one being served unless `fair=` names an archived
/// one, which only staff and moderators may read.
async fn source(state: &AppState, caller: &Caller, fair: Option<&str>) -> Result<Source, ApiError> {
    let wanted = fair.map(str::trim).filter(|f| !f.is_empty());
    match wanted {
        None => {}
        Some(id) if id == state.fair.id.as_str() => {}
        Some(id) => {
            let archived = FairId::parse(id)
                .ok()
                .and_then(|id| state.archive.get(&id))
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::UnknownFair,
                        format!("no fair {id:?} is on record; GET /api/fairs lists them"),
                    )
                })?;
            caller.require_operator()?;
            caller.grant().require_unscoped("another fair's record")?;
            return Ok(Source {
                fair: archived.fair.clone(),
                records: archived.records.clone(),
                answers: archived.answers.clone(),
                survey: archived.survey.clone(),
                previous: archived.previous.clone(),
                current: false,
            });
        }
    }
    let records = state.log.records().await.map_err(unavailable)?;
    let answers = state.surveys.answers().await.map_err(unavailable)?;
    Ok(Source {
        fair: state.fair.clone(),
        records: Arc::new(records),
        answers: Arc::new(answers),
        survey: state.survey.clone(),
        previous: None,
        current: true,
    })
}

/// What `/api/log` and its exports accept.
const LOG_PARAMS: [&str; 13] = [
    "fair",
    "round",
    "date",
    "institution",
    "enterprise",
    "institution_type",
    "enterprise_type",
    "outcome",
    "no_show",
    "sort",
    "order",
    "limit",
    "offset",
];

struct LogQuery {
    filter: LogFilter,
    sort: LogSort,
    limit: usize,
    offset: usize,
}

fn parse_log_query(q: &HashMap<String, String>, fair: &Fair) -> Result<LogQuery, ApiError> {
    if let Some(k) = q.keys().find(|k| !LOG_PARAMS.contains(&k.as_str())) {
        return Err(bad_query(format!(
            "unknown parameter {k:?}; expected {}",
            LOG_PARAMS.join(", ")
        )));
    }
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let number = |k: &str| -> Result<Option<usize>, ApiError> {
        get(k)
            .map(|v| {
                v.parse::<usize>()
                    .map_err(|_| bad_query(format!("{k}={v:?}: expected a whole number")))
            })
            .transpose()
    };
    let mut filter = LogFilter {
        round: number("round")?.map(|n| n as u32),
        ..LogFilter::default()
    };
    if let Some(d) = get("date") {
        let day = NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| bad_query(format!("date={d:?}: expected YYYY-MM-DD (Korea time)")))?;
        let start = day
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(kst_offset()).single())
            .ok_or_else(|| bad_query(format!("date={d:?} is out of range")))?;
        let from = Timestamp::from_millis(start.timestamp_millis());
        filter.from = Some(from);
        filter.until = Some(from + std::time::Duration::from_secs(86_400));
    }
    if let Some(i) = get("institution") {
        let id = InstitutionId::parse(i)
            .ok()
            .filter(|id| fair.institution(id).is_some())
            .ok_or_else(|| bad_query(format!("institution={i:?}: no such institution")))?;
        filter.institution = Some(id);
    }
    if let Some(e) = get("enterprise") {
        let id = EnterpriseId::parse(e)
            .ok()
            .filter(|id| fair.enterprise(id).is_some())
            .ok_or_else(|| bad_query(format!("enterprise={e:?}: no such enterprise")))?;
        filter.enterprise = Some(id);
    }
    if let Some(k) = get("institution_type") {
        filter.institution_type = Some(InstitutionType::parse(k).ok_or_else(|| {
            let codes: Vec<&str> = InstitutionType::ALL.iter().map(|t| t.code()).collect();
            bad_query(format!(
                "institution_type={k:?}: expected one of {}",
                codes.join(", ")
            ))
        })?);
    }
    if let Some(k) = get("enterprise_type") {
        filter.enterprise_type = Some(EnterpriseType::parse(k).ok_or_else(|| {
            let codes: Vec<&str> = EnterpriseType::ALL.iter().map(|t| t.code()).collect();
            bad_query(format!(
                "enterprise_type={k:?}: expected one of {}",
                codes.join(", ")
            ))
        })?);
    }
    if let Some(o) = get("outcome") {
        filter.outcome = Some(if o == "unanswered" {
            OutcomeFilter::Unanswered
        } else {
            OutcomeFilter::Is(Outcome::parse(o).ok_or_else(|| {
                bad_query(format!(
                    "outcome={o:?}: expected quote_requested, sample_requested, contract_review, none or unanswered"
                ))
            })?)
        });
    }
    if let Some(v) = get("no_show") {
        filter.no_show = Some(match v {
            "true" | "yes" | "1" => true,
            "false" | "no" | "0" => false,
            _ => return Err(bad_query(format!("no_show={v:?}: expected true or false"))),
        });
    }
    let key = match get("sort") {
        None => SortKey::Time,
        Some(s) => SortKey::parse(s).ok_or_else(|| {
            let names: Vec<&str> = SortKey::ALL.iter().map(|(_, n)| *n).collect();
            bad_query(format!("sort={s:?}: expected one of {}", names.join(", ")))
        })?,
    };
    let descending = match get("order") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(o) => return Err(bad_query(format!("order={o:?}: expected asc or desc"))),
    };
    let limit = number("limit")?.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(bad_query(format!(
            "limit={limit}: expected 1 to {MAX_PAGE}; the CSV and XLSX exports have every row"
        )));
    }
    Ok(LogQuery {
        filter,
        sort: LogSort { key, descending },
        limit,
        offset: number("offset")?.unwrap_or(0),
    })
}

/// The fair named by `fair=` (or the current one) and the rows the caller may see.
async fn rows_for(
    state: &AppState,
    caller: &Caller,
    q: &HashMap<String, String>,
    staff_only: bool,
) -> Result<(Source, LogQuery, Vec<LogRow>), ApiError> {
    if staff_only {
        caller.require_operator()?;
    }
    let fair_param = q.get("fair").map(String::as_str);
    let src = source(state, caller, fair_param).await?;
    let query = parse_log_query(q, &src.fair)?;
    let rows = log_rows(
        &src.fair,
        &src.records,
        &src.answers,
        &caller.grant().log_scope(),
        &query.filter,
        query.sort,
    );
    Ok((src, query, rows))
}

fn fair_json(src: &Source) -> serde_json::Value {
    json!({"id": src.fair.id, "name": src.fair.name, "current": src.current})
}

/// `GET /api/log`: one page of the log, with the number of rows that match.
pub async fn log(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let (src, query, rows) = rows_for(&state, &caller, &q, false).await?;
    let total = rows.len();
    let page: Vec<&LogRow> = rows.iter().skip(query.offset).take(query.limit).collect();
    Ok(Json(json!({
        "fair": fair_json(&src),
        "total": total,
        "offset": query.offset,
        "limit": query.limit,
        "rows": page,
        "server_time": caller.now,
    })))
}

fn download(body: Vec<u8>, content_type: &'static str, filename: String) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

fn export_name(src: &Source, ext: &str, now: Timestamp) -> String {
    // Fair ids are ASCII letters, digits, '-' and '_': safe in a header as they are.
    let date = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now.as_millis())
        .unwrap_or_default()
        .with_timezone(&kst_offset())
        .format("%Y%m%d");
    format!("sangdam-log-{}-{date}.{ext}", src.fair.id)
}

/// `GET /api/log.csv`: every matching row, for Excel.
pub async fn log_csv(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let (src, _, rows) = rows_for(&state, &caller, &q, true).await?;
    let body = export::csv(&rows, &src.survey);
    Ok(download(
        body,
        "text/csv; charset=utf-8",
        export_name(&src, "csv", caller.now),
    ))
}

/// `GET /api/log.xlsx`: every matching row as a workbook.
pub async fn log_xlsx(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let (src, _, rows) = rows_for(&state, &caller, &q, true).await?;
    let survey = src.survey.clone();
    let name = src.fair.name.clone();
    let body = tokio::task::spawn_blocking(move || export::xlsx(&rows, &survey, &name))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("export failed: {e}")))?
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("export failed: {e}")))?;
    Ok(download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        export_name(&src, "xlsx", caller.now),
    ))
}

/// `GET /api/report`: the fair's report, computed from its records now.
pub async fn report(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_operator()?;
    caller.grant().require_unscoped("the fair's report")?;
    if let Some(k) = q.keys().find(|k| k.as_str() != "fair") {
        return Err(bad_query(format!("unknown parameter {k:?}; expected fair")));
    }
    let src = source(&state, &caller, q.get("fair").map(String::as_str)).await?;
    let previous = src.previous.as_ref().and_then(|id| state.archive.get(id));
    let report = FairReport::compute(
        ReportInput {
            fair: &src.fair,
            records: &src.records,
            answers: &src.answers,
            survey: &src.survey,
        },
        previous.map(|p| ReportInput {
            fair: &p.fair,
            records: &p.records,
            answers: &p.answers,
            survey: &p.survey,
        }),
    );
    let mut body = serde_json::to_value(&report)
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    body["current"] = json!(src.current);
    body["generated_at"] = json!(caller.now);
    Ok(Json(body))
}

/// `GET /api/fairs`: the fair being served and the completed fairs on record.
pub async fn fairs(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_operator()?;
    caller.grant().require_unscoped("the list of fairs")?;
    let records = state.log.records().await.map_err(unavailable)?;
    let entry = |fair: &Fair, records: usize, current: bool, previous: &Option<FairId>| {
        let starts = fair.rounds().map(|r| r.starts_at).min();
        json!({
            "id": fair.id,
            "name": fair.name,
            "current": current,
            "records": records,
            "rounds": fair.rounds().count(),
            "starts_at": starts,
            "previous": previous,
        })
    };
    let mine = records.iter().filter(|r| r.fair == state.fair.id).count();
    let mut list = vec![entry(&state.fair, mine, true, &None)];
    list.extend(
        state
            .archive
            .iter()
            .map(|a| entry(&a.fair, a.records.len(), false, &a.previous)),
    );
    Ok(Json(json!({"current": state.fair.id, "fairs": list})))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn queries_parse_into_filters_and_mistakes_are_named() {
        let a = crate::demo::history::seoul_2021();
        let parsed = parse_log_query(
            &q(&[
                ("round", "2"),
                ("date", "2021-07-22"),
                ("institution_type", "자치구"),
                ("outcome", "unanswered"),
                ("no_show", "false"),
                ("sort", "duration"),
                ("order", "desc"),
            ]),
            &a.fair,
        )
        .unwrap();
        assert_eq!(parsed.filter.round, Some(2));
        // 2021-07-22 00:00 KST is 2021-07-21 15:00 UTC.
        assert_eq!(parsed.filter.from.unwrap().as_millis(), 1_626_879_600_000);
        assert_eq!(
            parsed.filter.institution_type,
            Some(InstitutionType::District)
        );
        assert_eq!(parsed.filter.outcome, Some(OutcomeFilter::Unanswered));
        assert_eq!(parsed.sort.key, SortKey::Duration);
        assert!(parsed.sort.descending);

        let err = |pairs: &[(&str, &str)]| {
            let Err(e) = parse_log_query(&q(pairs), &a.fair) else {
                panic!("{pairs:?} should be refused");
            };
            assert_eq!(e.0.code, ErrorCode::BadQuery);
            e.0.message
        };
        assert!(err(&[("instituion", "i001")]).contains("unknown parameter"));
        assert!(err(&[("date", "22.7.2021")]).contains("YYYY-MM-DD"));
        assert!(err(&[("institution", "i999")]).contains("no such institution"));
        assert!(err(&[("outcome", "won")]).contains("unanswered"));
        assert!(err(&[("sort", "colour")]).contains("duration"));
        assert!(err(&[("limit", "0")]).contains("limit"));
        assert!(err(&[("round", "two")]).contains("whole number"));
    }
}

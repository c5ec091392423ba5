//! `GET /api/labels`: the codes and labels of the server's enums (organisation types,
//! survey outcomes, room phases, roles), so the web client shows them without copying them.

use axum::Json;
use sangdam_signaling::fair::{EnterpriseType, InstitutionType};
use sangdam_signaling::survey::Outcome;
use sangdam_signaling::{Phase, Role};
use serde_json::{json, Value};

/// Unauthenticated: the labels are the same for everyone and say nothing about the fair.
pub async fn labels() -> Json<Value> {
    let institution_types: Vec<Value> = InstitutionType::ALL
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label_ko(), "label_en": k.label_en()}))
        .collect();
    let enterprise_types: Vec<Value> = EnterpriseType::ALL
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label_ko(), "label_en": k.label_en()}))
        .collect();
    let outcomes: Vec<Value> = Outcome::ALL
        .iter()
        .map(|o| json!({"code": o.code(), "label": o.label_ko(), "label_en": o.label_en()}))
        .collect();
    let phases = [
        Phase::Scheduled,
        Phase::CheckIn,
        Phase::Live,
        Phase::Grace,
        Phase::Closed,
    ];
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    Json(json!({
        "institution_types": institution_types,
        "enterprise_types": enterprise_types,
        "outcomes": outcomes,
        "phases": phases,
        "roles": roles,
    }))
}

//! `GET /api/labels`: the names of the server's enums in Korean and English, so the web
//! client shows the same labels as the exports and reports without copying them.

use axum::Json;
use sangdam_signaling::fair::{EnterpriseType, InstitutionType};
use sangdam_signaling::records::survey::Outcome;
use sangdam_signaling::{Phase, Role};
use serde_json::{json, Value};

fn label(code: &str, ko: &str, en: &str) -> Value {
    json!({"code": code, "label": ko, "label_en": en})
}

/// Organisation types, survey outcomes, room phases and roles. Public: nothing in it is
/// personal.
pub async fn labels() -> Json<Value> {
    let institution_types: Vec<Value> = InstitutionType::ALL
        .iter()
        .map(|t| label(t.code(), t.label_ko(), t.label_en()))
        .collect();
    let enterprise_types: Vec<Value> = EnterpriseType::ALL
        .iter()
        .map(|t| label(t.code(), t.label_ko(), t.label_en()))
        .collect();
    let outcomes: Vec<Value> = Outcome::ALL
        .iter()
        .map(|o| label(o.code(), o.label_ko(), o.label_en()))
        .collect();
    Json(json!({
        "institution_types": institution_types,
        "enterprise_types": enterprise_types,
        "outcomes": outcomes,
        "phases": Phase::ALL,
        "roles": Role::ALL,
    }))
}

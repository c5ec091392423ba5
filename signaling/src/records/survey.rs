//! The satisfaction survey each side answers after a meeting: what it valued most (options
//! configured per fair), a 1–5 rating and what followed (a quote or sample requested, a
//! contract under review, or nothing). Answers are checked here, once, so the server, the
//! demo history and the report agree on what a valid answer is.

use crate::ids::{check_id, FairId, MeetingId, ParticipantId};
use crate::live::room::Side;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// What came of a meeting, as the side that answers sees it. Ordered from nothing to the
/// most advanced step, so a meeting's outcome is the furthest step either side reports.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing followed (yet).
    None,
    /// The institution asked for a quote.
    QuoteRequested,
    /// The institution asked for a sample or a trial.
    SampleRequested,
    /// A contract is under review.
    ContractReview,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::QuoteRequested,
        Outcome::SampleRequested,
        Outcome::ContractReview,
        Outcome::None,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::None => "none",
            Outcome::QuoteRequested => "quote_requested",
            Outcome::SampleRequested => "sample_requested",
            Outcome::ContractReview => "contract_review",
        }
    }

    pub fn label_ko(self) -> &'static str {
        match self {
            Outcome::None => "없음",
            Outcome::QuoteRequested => "견적 요청",
            Outcome::SampleRequested => "샘플 요청",
            Outcome::ContractReview => "계약 검토 중",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Outcome::None => "None",
            Outcome::QuoteRequested => "Quote requested",
            Outcome::SampleRequested => "Sample requested",
            Outcome::ContractReview => "Contract under review",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        let s = s.trim();
        Outcome::ALL
            .into_iter()
            .find(|o| o.code() == s || o.label_ko() == s)
    }
}

/// One choice of the "most valuable" question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyOption {
    /// Stable code stored with answers, e.g. `variety`.
    pub id: String,
    /// The Korean label participants see.
    pub label: String,
    /// The English label; the Korean one is shown when empty.
    #[serde(default)]
    pub label_en: String,
}

/// One side's survey: the question about what was most valuable and its choices. The
/// rating and the follow-up outcome are the same for every fair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SideSurvey {
    pub question: String,
    #[serde(default)]
    pub question_en: String,
    pub options: Vec<SurveyOption>,
}

/// A fair's survey: the buyers' (institutions') and the vendors' (enterprises') questions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyConfig {
    pub buyer: SideSurvey,
    pub vendor: SideSurvey,
}

/// What is wrong with a survey configuration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{side}: {problem}")]
pub struct SurveyConfigError {
    pub side: &'static str,
    pub problem: String,
}

fn opt(id: &str, label: &str, label_en: &str) -> SurveyOption {
    SurveyOption {
        id: id.into(),
        label: label.into(),
        label_en: label_en.into(),
    }
}

impl Default for SurveyConfig {
    /// The questions of the 2021 Seoul fair's satisfaction survey, whose answers its report
    /// gives in percent (variety of items 39.3 %, social mission 31.2 %; a chance to present
    /// to institutions 45.9 %, ...). The options after the report's named ones complete
    /// the list.
    fn default() -> Self {
        SurveyConfig {
            buyer: SideSurvey {
                question: "이번 상담회에서 가장 도움이 된 점은 무엇입니까?".into(),
                question_en: "What was most valuable about this fair?".into(),
                options: vec![
                    opt("variety", "품목의 다양성", "Variety of items"),
                    opt(
                        "social_value",
                        "소셜 미션과 사회적 가치 실현",
                        "Social mission and social value",
                    ),
                    opt(
                        "quality",
                        "제품·서비스의 품질 확인",
                        "Seeing the quality of products and services",
                    ),
                    opt(
                        "convenience",
                        "비대면 상담의 편리함",
                        "The convenience of meeting online",
                    ),
                    opt("other", "기타", "Other"),
                ],
            },
            vendor: SideSurvey {
                question: "이번 상담회에서 가장 도움이 된 점은 무엇입니까?".into(),
                question_en: "What was most valuable about this fair?".into(),
                options: vec![
                    opt(
                        "promotion",
                        "공공기관 홍보 기회 확보",
                        "A chance to present to institutions",
                    ),
                    opt(
                        "knowledge",
                        "공공시장 진입에 대한 지식과 정보",
                        "Knowledge about entering the public market",
                    ),
                    opt(
                        "goals",
                        "공공시장 진출 목표 설정 및 구체화",
                        "Setting concrete goals for the public market",
                    ),
                    opt(
                        "relationship",
                        "구매 담당자와의 관계 형성",
                        "Getting to know procurement officers",
                    ),
                    opt("other", "기타", "Other"),
                ],
            },
        }
    }
}

impl SurveyConfig {
    pub fn side(&self, side: Side) -> &SideSurvey {
        match side {
            Side::Buyer => &self.buyer,
            Side::Vendor => &self.vendor,
        }
    }

    /// Checks that each side has a question and at least two distinct, labelled choices
    /// with ids that are safe in files and URLs.
    pub fn check(&self) -> Result<(), SurveyConfigError> {
        for (name, s) in [("buyer", &self.buyer), ("vendor", &self.vendor)] {
            let bad = |problem: String| SurveyConfigError {
                side: name,
                problem,
            };
            if s.question.trim().is_empty() {
                return Err(bad("the question is empty".into()));
            }
            if s.options.len() < 2 {
                return Err(bad("a question needs at least two options".into()));
            }
            let mut seen = HashSet::new();
            for o in &s.options {
                check_id(&o.id).map_err(|e| bad(format!("option id {:?}: {e}", o.id)))?;
                if !seen.insert(o.id.as_str()) {
                    return Err(bad(format!("option id {:?} appears twice", o.id)));
                }
                if o.label.trim().is_empty() {
                    return Err(bad(format!("option {:?} has no label", o.id)));
                }
            }
        }
        Ok(())
    }

    /// Checks a side's answer as a client sent it and returns what is kept of it.
    pub fn check_answer(&self, side: Side, form: &AnswerForm) -> Result<Answers, AnswerError> {
        let s = self.side(side);
        let valued = form
            .valued
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(AnswerError::Missing("valued"))?;
        if !s.options.iter().any(|o| o.id == valued) {
            return Err(AnswerError::UnknownOption {
                given: valued.chars().take(40).collect(),
                expected: s.options.iter().map(|o| o.id.clone()).collect(),
            });
        }
        let rating = form.rating.ok_or(AnswerError::Missing("rating"))?;
        if !(1..=5).contains(&rating) {
            return Err(AnswerError::Rating(rating));
        }
        let outcome = form
            .outcome
            .as_deref()
            .ok_or(AnswerError::Missing("outcome"))?;
        let outcome = Outcome::parse(outcome)
            .ok_or_else(|| AnswerError::UnknownOutcome(outcome.chars().take(40).collect()))?;
        let comment = form.comment.as_deref().unwrap_or("").trim().to_string();
        let n = comment.chars().count();
        if n > MAX_COMMENT_CHARS {
            return Err(AnswerError::CommentTooLong(n));
        }
        Ok(Answers {
            valued: valued.to_string(),
            rating: rating as u8,
            outcome,
            comment,
        })
    }
}

/// The longest free-text comment kept.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// An answer as a client sends it, before checking. Every field is optional here so that a
/// missing one is reported by name rather than as a parse error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerForm {
    pub valued: Option<String>,
    pub rating: Option<i64>,
    pub outcome: Option<String>,
    pub comment: Option<String>,
}

/// Why an answer was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the answer has no {0:?}")]
    Missing(&'static str),
    #[error("\"valued\" is {given:?}; expected one of {}", expected.join(", "))]
    UnknownOption {
        given: String,
        expected: Vec<String>,
    },
    #[error("\"rating\" is {0}; expected a whole number from 1 to 5")]
    Rating(i64),
    #[error("\"outcome\" is {0:?}; expected one of quote_requested, sample_requested, contract_review, none")]
    UnknownOutcome(String),
    #[error("\"comment\" has {0} characters; at most 1000 are kept")]
    CommentTooLong(usize),
}

/// The checked content of one answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// The id of the option valued most.
    pub valued: String,
    /// 1 (poor) to 5 (excellent).
    pub rating: u8,
    pub outcome: Outcome,
    /// Free text, possibly empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

/// One participant's answer about one meeting, as the survey log keeps it. A participant
/// answers each meeting once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyAnswer {
    pub fair: FairId,
    pub meeting: MeetingId,
    pub participant: ParticipantId,
    pub side: Side,
    #[serde(flatten)]
    pub answers: Answers,
    pub answered_at: Timestamp,
}

impl SurveyAnswer {
    /// What makes an answer unique within its fair: one per participant and meeting.
    pub fn key(&self) -> String {
        format!("{}/{}", self.meeting, self.participant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(valued: &str, rating: i64, outcome: &str) -> AnswerForm {
        AnswerForm {
            valued: Some(valued.into()),
            rating: Some(rating),
            outcome: Some(outcome.into()),
            comment: None,
        }
    }

    #[test]
    fn the_seed_survey_is_valid_and_has_the_reports_options() {
        let s = SurveyConfig::default();
        s.check().unwrap();
        let labels: Vec<&str> = s.buyer.options.iter().map(|o| o.label.as_str()).collect();
        assert!(labels.contains(&"품목의 다양성"));
        assert!(labels.contains(&"소셜 미션과 사회적 가치 실현"));
        let labels: Vec<&str> = s.vendor.options.iter().map(|o| o.label.as_str()).collect();
        assert!(labels.contains(&"공공기관 홍보 기회 확보"));
        assert!(labels.contains(&"공공시장 진입에 대한 지식과 정보"));
        assert!(labels.contains(&"공공시장 진출 목표 설정 및 구체화"));
    }

    #[test]
    fn a_good_answer_is_kept_and_each_mistake_is_named() {
        let s = SurveyConfig::default();
        let a = s
            .check_answer(Side::Buyer, &form("variety", 5, "quote_requested"))
            .unwrap();
        assert_eq!(a.rating, 5);
        assert_eq!(a.outcome, Outcome::QuoteRequested);
        // Korean labels of the outcome are accepted too.
        let a = s
            .check_answer(Side::Vendor, &form("promotion", 3, "계약 검토 중"))
            .unwrap();
        assert_eq!(a.outcome, Outcome::ContractReview);

        let err = |f: AnswerForm, side| s.check_answer(side, &f).unwrap_err();
        assert_eq!(
            err(AnswerForm::default(), Side::Buyer),
            AnswerError::Missing("valued")
        );
        // A vendor's option is not a buyer's.
        assert!(matches!(
            err(form("promotion", 5, "none"), Side::Buyer),
            AnswerError::UnknownOption { .. }
        ));
        assert_eq!(
            err(form("variety", 0, "none"), Side::Buyer),
            AnswerError::Rating(0)
        );
        assert_eq!(
            err(form("variety", 6, "none"), Side::Buyer),
            AnswerError::Rating(6)
        );
        assert!(matches!(
            err(form("variety", 4, "signed"), Side::Buyer),
            AnswerError::UnknownOutcome(_)
        ));
        let mut long = form("variety", 4, "none");
        long.comment = Some("가".repeat(1001));
        assert_eq!(err(long, Side::Buyer), AnswerError::CommentTooLong(1001));
        let msg = err(form("x", 4, "none"), Side::Buyer).to_string();
        assert!(msg.contains("variety, social_value"), "{msg}");
    }

    #[test]
    fn a_broken_configuration_is_refused_with_its_side() {
        let mut s = SurveyConfig::default();
        s.vendor.options.truncate(1);
        assert_eq!(s.check().unwrap_err().side, "vendor");
        let mut s = SurveyConfig::default();
        s.buyer.options[1].id = "variety".into();
        assert!(s.check().unwrap_err().problem.contains("twice"));
        let mut s = SurveyConfig::default();
        s.buyer.options[0].id = "품목".into();
        assert!(s.check().is_err());
    }

    #[test]
    fn outcomes_order_from_nothing_to_a_contract() {
        assert!(Outcome::None < Outcome::QuoteRequested);
        assert!(Outcome::SampleRequested < Outcome::ContractReview);
        assert_eq!(
            Outcome::parse("sample_requested"),
            Some(Outcome::SampleRequested)
        );
    }
}

//! Viewers' text questions to the presenter. A viewer asks (at most [`MAX_CHARS`] characters,
//! at most [`MAX_OPEN`] unanswered at a time, one every [`MIN_INTERVAL`]); the presenter or
//! a moderator highlights one (shown to every viewer), answers it (in words, or "answered
//! aloud"), or dismisses it. Viewers see their own questions and every highlighted or
//! answered one; the presenter and moderators see all.

use crate::error::{ErrorCode, Refusal};
use crate::ids::ParticipantId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const MAX_CHARS: usize = 500;
pub const MAX_OPEN: usize = 3;
pub const MIN_INTERVAL: Duration = Duration::from_secs(10);

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Highlighted,
    Answered,
    Dismissed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: u32,
    pub from: ParticipantId,
    pub text: String,
    pub asked_at: Timestamp,
    pub status: Status,
    /// The written answer, if any ("answered aloud" has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

/// What the presenter or a moderator does with a question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Handling {
    Highlight,
    Answer {
        #[serde(default)]
        text: Option<String>,
    },
    Dismiss,
}

/// One briefing's questions.
#[derive(Clone, Debug, Default)]
pub struct Questions {
    all: Vec<Question>,
}

fn bad(message: String) -> Refusal {
    Refusal::new(ErrorCode::BadMessage, message)
}

fn text_of(raw: &str) -> Result<String, Refusal> {
    let t = raw.trim();
    let n = t.chars().count();
    if n == 0 {
        return Err(bad("a question needs some text".into()));
    }
    if n > MAX_CHARS {
        return Err(bad(format!(
            "a question is at most {MAX_CHARS} characters; this one has {n}"
        )));
    }
    Ok(t.to_string())
}

impl Questions {
    /// A viewer asks. Refusals: `bad_message` (empty or too long), `rate_limited` (too
    /// soon after their last, or too many still open).
    pub fn ask(
        &mut self,
        from: &ParticipantId,
        text: &str,
        now: Timestamp,
    ) -> Result<&Question, Refusal> {
        let text = text_of(text)?;
        let mine = self.all.iter().filter(|q| &q.from == from);
        if let Some(last) = mine.clone().map(|q| q.asked_at).max() {
            if now < last + MIN_INTERVAL {
                return Err(Refusal::new(
                    ErrorCode::RateLimited,
                    format!(
                        "one question every {} s; wait a moment",
                        MIN_INTERVAL.as_secs()
                    ),
                ));
            }
        }
        if mine.filter(|q| q.status == Status::Open).count() >= MAX_OPEN {
            return Err(Refusal::new(
                ErrorCode::RateLimited,
                format!("{MAX_OPEN} of your questions wait for an answer already"),
            ));
        }
        let id = self.all.len() as u32 + 1;
        self.all.push(Question {
            id,
            from: from.clone(),
            text,
            asked_at: now,
            status: Status::Open,
            answer: None,
        });
        Ok(self.all.last().expect("just pushed"))
    }

    /// The presenter or a moderator handles a question (the caller checked who may).
    /// Refusal: `bad_message` for an unknown question or an answer too long.
    pub fn handle(&mut self, id: u32, how: Handling) -> Result<&Question, Refusal> {
        let q = self
            .all
            .iter_mut()
            .find(|q| q.id == id)
            .ok_or_else(|| bad(format!("there is no question {id}")))?;
        match how {
            Handling::Highlight => q.status = Status::Highlighted,
            Handling::Dismiss => q.status = Status::Dismissed,
            Handling::Answer { text } => {
                q.answer = match text {
                    Some(t) if !t.trim().is_empty() => Some(text_of(&t)?),
                    _ => None,
                };
                q.status = Status::Answered;
            }
        }
        Ok(q)
    }

    /// What `viewer` sees: their own questions and everyone's highlighted or answered ones.
    pub fn for_viewer(&self, viewer: &ParticipantId) -> Vec<&Question> {
        self.all
            .iter()
            .filter(|q| {
                &q.from == viewer || matches!(q.status, Status::Highlighted | Status::Answered)
            })
            .collect()
    }

    /// What the presenter and moderators see: everything but the dismissed, open first.
    pub fn for_presenter(&self) -> Vec<&Question> {
        let mut v: Vec<&Question> = self
            .all
            .iter()
            .filter(|q| q.status != Status::Dismissed)
            .collect();
        v.sort_by_key(|q| (q.status != Status::Open, q.id));
        v
    }
}

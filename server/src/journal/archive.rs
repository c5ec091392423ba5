//! Completed fairs a server keeps for the staff report: each fair's setup, its consultation
//! records and its survey answers, so reports of past fairs and growth against the year
//! before are computed the same way as the live fair's.

use sangdam_signaling::records::record::ConsultationRecord;
use sangdam_signaling::records::survey::{SurveyAnswer, SurveyConfig};
use sangdam_signaling::{Fair, FairId};
use std::sync::Arc;

/// A fair that took place, with everything its report is computed from.
#[derive(Clone)]
pub struct ArchivedFair {
    pub fair: Arc<Fair>,
    pub records: Arc<Vec<ConsultationRecord>>,
    pub answers: Arc<Vec<SurveyAnswer>>,
    pub survey: Arc<SurveyConfig>,
    /// The fair its growth is measured against.
    pub previous: Option<FairId>,
}

/// The completed fairs a server keeps for reports, newest first.
#[derive(Clone, Default)]
pub struct Archive {
    fairs: Vec<ArchivedFair>,
}

impl Archive {
    pub fn new(fairs: Vec<ArchivedFair>) -> Self {
        Self { fairs }
    }

    pub fn get(&self, id: &FairId) -> Option<&ArchivedFair> {
        self.fairs.iter().find(|f| f.fair.id == *id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &ArchivedFair> {
        self.fairs.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.fairs.is_empty()
    }
}

//! `survey.toml`: a fair's satisfaction-survey questions, beside its other fair files.
//! Optional: a fair without one (and the demo fair) asks the questions of the 2021 Seoul
//! fair's survey. A mistake comes back with the file and line, like the other fair files.

use sangdam_signaling::records::survey::SurveyConfig;
use std::path::{Path, PathBuf};

pub const SURVEY_TOML: &str = "survey.toml";

#[derive(Debug, thiserror::Error)]
pub enum SurveyFileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}{line}: {message}")]
    Invalid {
        path: PathBuf,
        /// `" line N"`, or empty when the problem is not on one line.
        line: String,
        message: String,
    },
}

/// The survey of the fair in `dir`: its `survey.toml`, or the default questions.
pub fn load_survey(dir: &Path) -> Result<SurveyConfig, SurveyFileError> {
    let path = dir.join(SURVEY_TOML);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SurveyConfig::default()),
        Err(source) => return Err(SurveyFileError::Read { path, source }),
    };
    parse_survey(&text).map_err(|(line, message)| SurveyFileError::Invalid {
        path,
        line: line.map(|l| format!(" line {l}")).unwrap_or_default(),
        message,
    })
}

/// Reads survey TOML; a problem comes back with its line, when it has one.
pub fn parse_survey(text: &str) -> Result<SurveyConfig, (Option<usize>, String)> {
    let config: SurveyConfig = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        (line, e.message().to_string())
    })?;
    config.check().map_err(|e| (None, e.to_string()))?;
    Ok(config)
}

/// The survey as a commented `survey.toml`, for `sangdam demo --out`.
pub fn survey_toml(config: &SurveyConfig) -> String {
    let body = toml::to_string(config).expect("a survey serialises as TOML");
    format!(
        "# 만족도 조사 — the satisfaction survey each side answers after a meeting.\n\
         # [buyer] is asked of institutions (구매자), [vendor] of enterprises (판매자): one question\n\
         # about what was most valuable, with its options. Option ids are stored with the answers,\n\
         # so keep them once answers exist. Every survey also asks for a 1-5 rating and what\n\
         # followed (견적 요청, 샘플 요청, 계약 검토 중, 없음).\n\n{body}"
    )
}

/// Writes `survey.toml` into `dir`.
pub fn write_survey(dir: &Path, config: &SurveyConfig) -> std::io::Result<()> {
    std::fs::write(dir.join(SURVEY_TOML), survey_toml(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_survey_reads_back() {
        let config = SurveyConfig::default();
        let text = survey_toml(&config);
        assert!(text.contains("품목의 다양성"), "{text}");
        assert_eq!(parse_survey(&text).unwrap(), config);
    }

    #[test]
    fn mistakes_name_their_line_or_side() {
        let text = survey_toml(&SurveyConfig::default()).replace("question_en", "questoin_en");
        let (line, message) = parse_survey(&text).unwrap_err();
        assert!(line.is_some(), "{message}");
        assert!(message.contains("questoin_en"), "{message}");

        let one_option = "[buyer]\nquestion = \"q\"\n[[buyer.options]]\nid = \"a\"\nlabel = \"A\"\n\
                          [vendor]\nquestion = \"q\"\n[[vendor.options]]\nid = \"a\"\nlabel = \"A\"\n\
                          [[vendor.options]]\nid = \"b\"\nlabel = \"B\"\n";
        let (_, message) = parse_survey(one_option).unwrap_err();
        assert!(message.starts_with("buyer:"), "{message}");
    }

    #[test]
    fn a_fair_without_a_survey_file_asks_the_default_questions() {
        let dir = std::env::temp_dir().join(format!("sangdam-survey-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::fs::remove_file(dir.join(SURVEY_TOML));
        assert_eq!(load_survey(&dir).unwrap(), SurveyConfig::default());
        std::fs::write(dir.join(SURVEY_TOML), "[buyer]\nquestion = 1\n").unwrap();
        let err = load_survey(&dir).unwrap_err().to_string();
        assert!(err.contains("survey.toml line 2"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

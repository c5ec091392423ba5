//! The CSV sheets (institutions, enterprises, participants, meetings): Korean headers in
//! any order, a BOM or none, every row's mistakes collected before the load gives up.

use super::*;

/// One data row, its cells in the order of the expected columns.
pub(super) struct Row {
    line: u64,
    cells: Vec<String>,
}

/// A row's place, for errors about one of its cells.
pub(super) struct RowAt<'a> {
    path: &'a Path,
    line: u64,
}

impl RowAt<'_> {
    pub(super) fn err(&self, field: &str, problem: Problem) -> FairFileError {
        FairFileError::invalid(self.path, Some(self.line), Some(field), problem)
    }

    pub(super) fn text(&self, field: &str, value: &str) -> Result<String, FairFileError> {
        if value.is_empty() {
            return Err(self.err(field, Problem::Empty));
        }
        Ok(value.to_string())
    }

    /// A contact cell: empty means none (`None`); anything else must pass `check`.
    pub(super) fn contact(
        &self,
        field: &str,
        what: &'static str,
        value: &str,
        check: impl FnOnce(&str) -> Result<(), ContactError>,
    ) -> Result<Option<String>, FairFileError> {
        if value.is_empty() {
            return Ok(None);
        }
        check(value).map_err(|e| {
            self.err(
                field,
                Problem::BadFormat {
                    what,
                    found: value.to_string(),
                    expected: e.expected(),
                },
            )
        })?;
        Ok(Some(value.to_string()))
    }

    pub(super) fn id<T: TryFrom<String, Error = IdError>>(
        &self,
        field: &str,
        value: &str,
    ) -> Result<T, FairFileError> {
        if value.is_empty() {
            return Err(self.err(field, Problem::Empty));
        }
        T::try_from(value.to_string()).map_err(|error| {
            self.err(
                field,
                Problem::BadId {
                    found: value.to_string(),
                    error,
                },
            )
        })
    }
}

pub(super) fn csv_error(path: &Path, e: &csv::Error) -> FairFileError {
    let line = e.position().map(|p| p.line());
    let problem = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => Problem::NotUtf8,
        _ => Problem::Csv(e.to_string()),
    };
    FairFileError::invalid(path, line, None, problem)
}

/// What a sheet's header may name, for the error about an unknown or missing column.
fn expected_columns(required: &[&str], optional: &[&str]) -> String {
    if optional.is_empty() {
        required.join(", ")
    } else {
        format!(
            "{}, and optionally {}",
            required.join(", "),
            optional.join(", ")
        )
    }
}

/// Reads a sheet whose header must name every one of `required` and may name any of
/// `optional`, in any order, and nothing else. A row's cells come in the order of
/// `required` then `optional`; the cell of an optional column the header leaves out is
/// empty, so a sheet written before the column existed reads as one where it is blank.
/// Cells are trimmed; rows with only empty cells (Excel leaves them behind) are skipped.
pub(super) fn read_sheet(
    path: &Path,
    required: &[&'static str],
    optional: &[&'static str],
) -> Result<Vec<Row>, FairFileError> {
    let text = read_text(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let expected = expected_columns(required, optional);
    let columns: Vec<&'static str> = required.iter().chain(optional).copied().collect();

    let header = match records.next() {
        Some(r) => r.map_err(|e| csv_error(path, &e))?,
        None => csv::StringRecord::new(),
    };
    let header_line = header.position().map(|p| p.line()).unwrap_or(1);
    let mut errors = Vec::new();
    let mut index: Vec<Option<usize>> = vec![None; columns.len()];
    for (i, name) in header.iter().enumerate() {
        let name = name.trim_start_matches(BOM).trim();
        // Trailing empty header cells from a spreadsheet, past the required columns: a
        // blank where a required column belongs is still reported.
        if name.is_empty() && i >= required.len() {
            continue;
        }
        match columns.iter().position(|c| *c == name) {
            Some(c) if index[c].is_some() => errors.push(FairFileError::invalid(
                path,
                Some(header_line),
                Some(name),
                Problem::DuplicateColumn,
            )),
            Some(c) => index[c] = Some(i),
            None => errors.push(FairFileError::invalid(
                path,
                Some(header_line),
                Some(name),
                Problem::UnknownColumn {
                    expected: expected.clone(),
                },
            )),
        }
    }
    for (c, found) in index.iter().take(required.len()).enumerate() {
        if found.is_none() {
            errors.push(FairFileError::invalid(
                path,
                Some(header_line),
                Some(required[c]),
                Problem::MissingColumn {
                    expected: expected.clone(),
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(FairFileError::from_many(errors));
    }

    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(path, &e));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        // Cells past the header count only if they hold something.
        let used = record
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .last()
            .map_or(0, |(i, _)| i + 1);
        if used > header.len() {
            errors.push(FairFileError::invalid(
                path,
                Some(line),
                None,
                Problem::ExtraCells {
                    found: used,
                    expected: header.len(),
                },
            ));
            continue;
        }
        // An optional column the header leaves out (`None`) reads as an empty cell.
        let cells = index
            .iter()
            .map(|i| i.and_then(|i| record.get(i)).unwrap_or("").to_string())
            .collect();
        rows.push(Row { line, cells });
    }
    if !errors.is_empty() {
        return Err(FairFileError::from_many(errors));
    }
    Ok(rows)
}

/// Runs `each` over a sheet's rows (cells as [`read_sheet`] gives them), collecting every
/// row's error before giving up, so that one load reports all the mistakes of a sheet.
pub(super) fn each_row<T>(
    path: &Path,
    required: &[&'static str],
    optional: &[&'static str],
    mut each: impl FnMut(&RowAt<'_>, &[String]) -> Result<T, FairFileError>,
) -> Result<Vec<T>, FairFileError> {
    let rows = read_sheet(path, required, optional)?;
    let mut out = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for row in &rows {
        let at = RowAt {
            path,
            line: row.line,
        };
        match each(&at, &row.cells) {
            Ok(v) => out.push(v),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(FairFileError::from_many(errors))
    }
}

pub(super) fn expected_labels(
    labels: impl Iterator<Item = (&'static str, &'static str)>,
) -> String {
    let (ko, codes): (Vec<_>, Vec<_>) = labels.unzip();
    format!("{} (or {})", ko.join(", "), codes.join(", "))
}

pub(super) fn no_duplicate<K: std::hash::Hash + Eq + Clone + fmt::Display>(
    at: &RowAt<'_>,
    what: &'static str,
    seen: &mut HashMap<K, u64>,
    id: &K,
) -> Result<(), FairFileError> {
    if let Some(first) = seen.get(id) {
        return Err(at.err(
            "아이디",
            Problem::Duplicate {
                what,
                id: id.to_string(),
                first_line: *first,
            },
        ));
    }
    seen.insert(id.clone(), at.line);
    Ok(())
}

pub(super) fn load_institutions(
    path: &Path,
    lines: &mut HashMap<InstitutionId, u64>,
) -> Result<Vec<Institution>, FairFileError> {
    let expected = expected_labels(
        InstitutionType::ALL
            .iter()
            .map(|t| (t.label_ko(), t.code())),
    );
    each_row(path, INSTITUTION_COLUMNS, &[], |at, c| {
        let id: InstitutionId = at.id("아이디", &c[0])?;
        let name = at.text("기관명", &c[1])?;
        let kind = InstitutionType::parse(&c[2]).ok_or_else(|| {
            at.err(
                "기관유형",
                Problem::UnknownValue {
                    what: "institution type",
                    found: c[2].clone(),
                    expected: expected.clone(),
                },
            )
        })?;
        no_duplicate(at, "institution", lines, &id)?;
        Ok(Institution { id, name, kind })
    })
}

pub(super) fn load_enterprises(
    path: &Path,
    lines: &mut HashMap<EnterpriseId, u64>,
) -> Result<Vec<Enterprise>, FairFileError> {
    let expected = expected_labels(EnterpriseType::ALL.iter().map(|t| (t.label_ko(), t.code())));
    each_row(path, ENTERPRISE_COLUMNS, &[], |at, c| {
        let id: EnterpriseId = at.id("아이디", &c[0])?;
        let name = at.text("기업명", &c[1])?;
        let kind = EnterpriseType::parse(&c[2]).ok_or_else(|| {
            at.err(
                "기업유형",
                Problem::UnknownValue {
                    what: "enterprise type",
                    found: c[2].clone(),
                    expected: expected.clone(),
                },
            )
        })?;
        no_duplicate(at, "enterprise", lines, &id)?;
        Ok(Enterprise { id, name, kind })
    })
}

/// The participants, each with the contact details of its row (empty when the sheet has no
/// 전화 and 이메일 columns or leaves them blank).
pub(super) fn load_participants(
    path: &Path,
    lines: &mut Lines,
) -> Result<Vec<(Participant, ContactInfo)>, FairFileError> {
    let expected = expected_labels(Role::ALL.iter().map(|r| (r.label_ko(), r.as_str())));
    let Lines {
        institutions,
        enterprises,
        participants,
        ..
    } = lines;
    each_row(path, PARTICIPANT_COLUMNS, CONTACT_COLUMNS, |at, c| {
        let id: ParticipantId = at.id("아이디", &c[0])?;
        let name = at.text("이름", &c[1])?;
        let role = Role::parse(&c[2]).ok_or_else(|| {
            at.err(
                "역할",
                Problem::UnknownValue {
                    what: "role",
                    found: c[2].clone(),
                    expected: expected.clone(),
                },
            )
        })?;
        let org = c[3].as_str();
        let wrong = |expected| {
            at.err(
                "소속",
                Problem::WrongAffiliation {
                    role: role.as_str(),
                    expected,
                },
            )
        };
        let affiliation = match role {
            Role::Buyer if org.is_empty() => {
                return Err(wrong("an institution: give its id from institutions.csv"))
            }
            Role::Vendor if org.is_empty() => {
                return Err(wrong("an enterprise: give its id from enterprises.csv"))
            }
            Role::Buyer => {
                let i: InstitutionId = at.id("소속", org)?;
                if !institutions.contains_key(&i) {
                    return Err(at.err(
                        "소속",
                        Problem::UnknownReference {
                            what: "institution",
                            id: org.to_string(),
                        },
                    ));
                }
                Affiliation::Institution(i)
            }
            Role::Vendor => {
                let e: EnterpriseId = at.id("소속", org)?;
                if !enterprises.contains_key(&e) {
                    return Err(at.err(
                        "소속",
                        Problem::UnknownReference {
                            what: "enterprise",
                            id: org.to_string(),
                        },
                    ));
                }
                Affiliation::Enterprise(e)
            }
            Role::Moderator | Role::Staff if !org.is_empty() => {
                return Err(wrong("the fair's operator: leave 소속 empty"))
            }
            Role::Moderator | Role::Staff => Affiliation::Operator,
        };
        let contact = ContactInfo {
            phone: at.contact("전화", "phone number", &c[4], contacts::check_phone)?,
            email: at.contact("이메일", "e-mail address", &c[5], contacts::check_email)?,
        };
        no_duplicate(at, "participant", participants, &id)?;
        let participant = Participant {
            id,
            name,
            role,
            affiliation,
        };
        Ok((participant, contact))
    })
}

pub(super) fn load_meetings(
    path: &Path,
    rounds: &HashMap<RoundId, &Round>,
    lines: &mut Lines,
) -> Result<Vec<MeetingSpec>, FairFileError> {
    // Who is busy when, and with which meeting on which line, to name both bookings.
    let mut busy: HashMap<(char, String, RoundId, u32), (MeetingId, u64)> = HashMap::new();
    let Lines {
        institutions,
        enterprises,
        meetings,
        ..
    } = lines;
    each_row(path, MEETING_COLUMNS, &[], |at, c| {
        let id: MeetingId = at.id("아이디", &c[0])?;
        let round_id: RoundId = at.id("회차", &c[1])?;
        let round = rounds.get(&round_id).ok_or_else(|| {
            at.err(
                "회차",
                Problem::UnknownReference {
                    what: "round",
                    id: round_id.to_string(),
                },
            )
        })?;
        if c[2].is_empty() {
            return Err(at.err("슬롯", Problem::Empty));
        }
        let slot: u32 = c[2].parse().map_err(|_| {
            at.err(
                "슬롯",
                Problem::BadNumber {
                    found: c[2].clone(),
                    expected: "a slot number (0, 1, 2, ...)",
                },
            )
        })?;
        if slot >= round.slots {
            return Err(at.err(
                "슬롯",
                Problem::NoSuchSlot {
                    round: round_id.to_string(),
                    slots: round.slots,
                    slot,
                },
            ));
        }
        let institution: InstitutionId = at.id("기관", &c[3])?;
        if !institutions.contains_key(&institution) {
            return Err(at.err(
                "기관",
                Problem::UnknownReference {
                    what: "institution",
                    id: institution.to_string(),
                },
            ));
        }
        let enterprise: EnterpriseId = at.id("기업", &c[4])?;
        if !enterprises.contains_key(&enterprise) {
            return Err(at.err(
                "기업",
                Problem::UnknownReference {
                    what: "enterprise",
                    id: enterprise.to_string(),
                },
            ));
        }
        no_duplicate(at, "meeting", meetings, &id)?;
        for (tag, field, what, org) in [
            ('i', "기관", "institution", institution.to_string()),
            ('e', "기업", "enterprise", enterprise.to_string()),
        ] {
            let key = (tag, org.clone(), round_id.clone(), slot);
            if let Some((other, other_line)) = busy.get(&key) {
                return Err(at.err(
                    field,
                    Problem::DoubleBooked {
                        what,
                        id: org,
                        round: round_id.to_string(),
                        slot,
                        other: other.to_string(),
                        other_line: *other_line,
                    },
                ));
            }
        }
        busy.insert(
            ('i', institution.to_string(), round_id.clone(), slot),
            (id.clone(), at.line),
        );
        busy.insert(
            ('e', enterprise.to_string(), round_id.clone(), slot),
            (id.clone(), at.line),
        );
        Ok(MeetingSpec {
            id,
            round: round_id,
            slot,
            institution,
            enterprise,
        })
    })
}

pub(super) fn render_csv(columns: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(BOM.to_string().as_bytes());
    let mut w = csv::Writer::from_writer(bytes);
    // Writing into a Vec cannot fail, and every row has as many cells as the header.
    w.write_record(columns).expect("write to memory");
    for row in rows {
        w.write_record(&row).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

//! Reading registration files: what is accepted, each reason a row is refused (with its
//! sheet, row and column), and that what the writers write reads back the same.

use super::*;
use rust_xlsxwriter::Workbook;
use sangdam_signaling::fair::{Affiliation, EnterpriseType, InstitutionType, Role};
use sangdam_signaling::prep::registry::{
    Contact, EnterpriseEntry, InstitutionEntry, ParticipantEntry, Unavailable, Versioned,
};
use sangdam_signaling::{EnterpriseId, InstitutionId, ParticipantId, RoundId};

const INSTITUTIONS_CSV: &str =
    "아이디,기관명,기관유형\ni001,서울특별시,본청\ni002,종로구,district\n";
const ENTERPRISES_CSV: &str = "아이디,기업명,기업유형\ne001,(주)함께,(예비)사회적기업\n";
const PARTICIPANTS_CSV: &str =
    "아이디,이름,역할,소속\np-b-i001,김민준,구매자,i001\np-v-e001,이서연,vendor,e001\np-staff-01,정예준,직원,\n";

fn csv(name: &str, text: &str) -> Result<Registration, ImportErrors> {
    read_file(name, text.as_bytes(), &Registry::default())
}

/// Every problem as (sheet, row, column), for asserting places.
fn places(e: &ImportErrors) -> Vec<(String, u32, Option<String>)> {
    e.problems
        .iter()
        .map(|p| (p.sheet.clone(), p.row, p.column.clone()))
        .collect()
}

/// The only problem of reading `text` as `기관.csv`-like file `name`.
fn only_problem(name: &str, text: &str) -> RowProblem {
    let e = csv(name, text).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    e.problems[0].clone()
}

fn xlsx(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, *cell).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn iid(s: &str) -> InstitutionId {
    InstitutionId::parse(s).unwrap()
}

fn eid(s: &str) -> EnterpriseId {
    EnterpriseId::parse(s).unwrap()
}

fn pid(s: &str) -> ParticipantId {
    ParticipantId::parse(s).unwrap()
}

#[test]
fn three_csv_files_read_into_one_registration_with_the_defaults_for_empty_columns() {
    let files = [
        (
            "참가자.csv".to_string(),
            PARTICIPANTS_CSV.as_bytes().to_vec(),
        ),
        ("a.csv".to_string(), INSTITUTIONS_CSV.as_bytes().to_vec()),
        ("b.csv".to_string(), ENTERPRISES_CSV.as_bytes().to_vec()),
    ];
    let reg = read_files(&files, &Registry::default()).unwrap();
    assert_eq!(reg.institutions.len(), 2);
    let i = &reg.institutions[1];
    assert_eq!((i.kind, i.booths), (InstitutionType::District, 1));
    assert!(i.wanted.is_empty() && i.rounds.is_empty() && i.unavailable.is_empty());
    let e = &reg.enterprises[0];
    assert_eq!(
        (e.kind, e.green, e.max_meetings),
        (EnterpriseType::SocialEnterprise, false, 5)
    );
    assert_eq!(
        reg.participants
            .iter()
            .map(|p| (p.role, p.affiliation.clone()))
            .collect::<Vec<_>>(),
        vec![
            (Role::Buyer, Affiliation::Institution(iid("i001"))),
            (Role::Vendor, Affiliation::Enterprise(eid("e001"))),
            (Role::Staff, Affiliation::Operator),
        ]
    );
}

#[test]
fn headers_in_any_order_with_or_without_a_bom_read_the_same() {
    let plain = "아이디,기관명,기관유형,구매희망품목,부스수\ni001,서울특별시,본청,\"청소, 방역/급식 ; 인쇄·홍보물\",3\n";
    let reordered = "부스수,구매희망품목,기관유형,아이디,기관명\n3,\"청소, 방역/급식 ; 인쇄·홍보물\",본청,i001,서울특별시\n";
    let a = csv("x.csv", plain).unwrap();
    let b = csv("x.csv", reordered).unwrap();
    let c = csv("x.csv", &format!("\u{feff}{plain}")).unwrap();
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!(
        a.institutions[0].wanted,
        ["청소", "방역", "급식", "인쇄", "홍보물"]
    );
    assert_eq!(a.institutions[0].booths, 3);
}

#[test]
fn green_is_read_from_every_way_staff_write_yes_and_no() {
    for (cell, green) in [
        ("Y", true),
        ("n", false),
        ("예", true),
        ("아니오", false),
        ("O", true),
        ("X", false),
        ("TRUE", true),
        ("false", false),
        ("1", true),
        ("0", false),
        ("", false),
    ] {
        let text = format!("아이디,기업명,기업유형,녹색\ne001,가,기타,{cell}\n");
        assert_eq!(
            csv("e.csv", &text).unwrap().enterprises[0].green,
            green,
            "{cell:?}"
        );
    }
}

#[test]
fn empty_rows_are_skipped_and_rows_keep_their_excel_numbers() {
    let text = "아이디,기관명,기관유형\n\ni001,서울특별시,본청\n,,\ni002,,본청\n";
    let p = only_problem("기관.csv", text);
    assert_eq!((p.row, p.column.as_deref()), (5, Some("기관명")));
    let ok = csv(
        "기관.csv",
        "아이디,기관명,기관유형\n,,\ni001,서울특별시,본청\n",
    )
    .unwrap();
    assert_eq!(ok.institutions.len(), 1);
}

#[test]
fn a_file_with_one_bad_row_imports_nothing() {
    let text = "아이디,기관명,기관유형\ni001,서울특별시,본청\ni002,종로구,구청\ni003,중구,자치구\n";
    let e = csv("기관.csv", text).unwrap_err();
    assert_eq!(
        places(&e),
        [("기관.csv".into(), 3, Some("기관유형".into()))]
    );
    assert!(
        e.problems[0]
            .reason
            .contains("expected one of 본청, 자치구"),
        "{e}"
    );
}

#[test]
fn every_problem_of_every_row_is_reported_not_only_the_first() {
    let text = "아이디,기관명,기관유형,부스수\ni 1,,구청,0\ni002,종로구,본청,11\n";
    let e = csv("기관.csv", text).unwrap_err();
    assert_eq!(
        places(&e),
        [
            ("기관.csv".into(), 2, Some("아이디".into())),
            ("기관.csv".into(), 2, Some("기관명".into())),
            ("기관.csv".into(), 2, Some("기관유형".into())),
            ("기관.csv".into(), 2, Some("부스수".into())),
            ("기관.csv".into(), 3, Some("부스수".into())),
        ]
    );
}

/// Each rejection with its place and a word of what was expected.
#[test]
fn each_bad_cell_is_refused_at_its_row_and_column_saying_what_was_expected() {
    let inst = "아이디,기관명,기관유형,담당자,전화,이메일,구매희망품목,부스수,참여회차,불참슬롯\n";
    let ent = "아이디,기업명,기업유형,녹색,최대상담수,제품분류,인증\n";
    let many = vec!["x"; 51].join(",");
    let long = "가".repeat(1001);
    let cases: Vec<(String, &str, &str)> = vec![
        (
            format!("{inst}i*1,가,본청,,,,,,,"),
            "아이디",
            "ASCII letters",
        ),
        (
            format!("{inst}i1,,본청,,,,,,,"),
            "기관명",
            "must not be empty",
        ),
        (
            format!("{inst}i1,{},본청,,,,,,,", "가".repeat(201)),
            "기관명",
            "at most 200",
        ),
        (
            format!("{inst}i1,가,구청,,,,,,,"),
            "기관유형",
            "expected one of",
        ),
        (
            format!("{inst}i1,가,본청,,02.123.4567,,,,,"),
            "전화",
            "only digits",
        ),
        (
            format!("{inst}i1,가,본청,,,kim@localhost,,,,"),
            "이메일",
            "a domain with a dot",
        ),
        (
            format!("{inst}i1,가,본청,,,,\"{many}\",,,"),
            "구매희망품목",
            "at most 50",
        ),
        (
            format!("{inst}i1,가,본청,,,,{long},,,"),
            "구매희망품목",
            "at most 1000",
        ),
        (
            format!("{inst}i1,가,본청,,,,,0,,"),
            "부스수",
            "from 1 to 10",
        ),
        (
            format!("{inst}i1,가,본청,,,,,two,,"),
            "부스수",
            "from 1 to 10",
        ),
        (
            format!("{inst}i1,가,본청,,,,,,r 1,"),
            "참여회차",
            "round ids such as r1",
        ),
        (format!("{inst}i1,가,본청,,,,,,,r1"), "불참슬롯", "r1:0-2,5"),
        (format!("{ent}e1,가,기타,maybe,,,"), "녹색", "Y or N"),
        (
            format!("{ent}e1,가,기타,,51,,"),
            "최대상담수",
            "from 1 to 50",
        ),
        (
            format!("{ent}e1,가,기타,,,,\"{many}\""),
            "인증",
            "at most 50",
        ),
    ];
    for (text, column, expected) in cases {
        let p = only_problem("f.csv", &text);
        assert_eq!(
            (p.sheet.as_str(), p.row, p.column.as_deref()),
            ("f.csv", 2, Some(column)),
            "{text}"
        );
        assert!(p.reason.contains(expected), "{column}: {}", p.reason);
    }
}

#[test]
fn a_participant_must_belong_to_an_organisation_of_its_role() {
    let orgs = INSTITUTIONS_CSV.to_string();
    let ents = ENTERPRISES_CSV.to_string();
    let head = "아이디,이름,역할,소속\n";
    let cases = [
        ("p1,가,운영자,i001", "works for the fair's operator"),
        ("p1,가,구매자,", "must belong to an institution"),
        ("p1,가,판매자,", "must belong to an enterprise"),
        (
            "p1,가,구매자,e001",
            "is not an institution but an enterprise",
        ),
        (
            "p1,가,판매자,i001",
            "is not an enterprise but an institution",
        ),
        ("p1,가,구매자,i999", "unknown institution \"i999\""),
        ("p1,가,구매자,i 9", "bad id"),
        ("p1,가,관람객,", "unknown role"),
    ];
    for (row, expected) in cases {
        let files = [
            ("기관.csv".to_string(), orgs.clone().into_bytes()),
            ("기업.csv".to_string(), ents.clone().into_bytes()),
            (
                "참가자.csv".to_string(),
                format!("{head}{row}\n").into_bytes(),
            ),
        ];
        let e = read_files(&files, &Registry::default()).unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        let p = &e.problems[0];
        let column = if expected == "unknown role" {
            "역할"
        } else {
            "소속"
        };
        assert_eq!(
            (p.sheet.as_str(), p.row, p.column.as_deref()),
            ("참가자.csv", 2, Some(column))
        );
        assert!(p.reason.contains(expected), "{row}: {}", p.reason);
    }
}

#[test]
fn a_participant_may_belong_to_an_institution_registered_by_an_earlier_import() {
    let text = "아이디,이름,역할,소속\np-b-i777,김민준,구매자,i777\n";
    assert!(csv("참가자.csv", text).is_err());
    let mut known = Registry::default();
    known.institutions.insert(
        iid("i777"),
        Versioned {
            version: 1,
            value: InstitutionEntry {
                id: iid("i777"),
                name: "예전 기관".into(),
                kind: InstitutionType::Other,
                contact: Contact::default(),
                wanted: vec![],
                booths: 1,
                rounds: vec![],
                unavailable: vec![],
            },
        },
    );
    let reg = read_file("참가자.csv", text.as_bytes(), &known).unwrap();
    assert_eq!(
        reg.participants[0].affiliation,
        Affiliation::Institution(iid("i777"))
    );
}

#[test]
fn a_duplicate_id_names_both_rows_across_files_too() {
    let files = [
        ("a.csv".to_string(), INSTITUTIONS_CSV.as_bytes().to_vec()),
        (
            "b.csv".to_string(),
            "아이디,기관명,기관유형\ni009,가,기타\ni002,나,기타\n"
                .as_bytes()
                .to_vec(),
        ),
    ];
    let e = read_files(&files, &Registry::default()).unwrap_err();
    assert_eq!(places(&e), [("b.csv".into(), 3, Some("아이디".into()))]);
    assert!(
        e.problems[0]
            .reason
            .contains("first on a.csv 시트 3행 (sheet a.csv row 3)"),
        "{e}"
    );
    // A broken row's id still counts: its participant is not reported as unknown too.
    let files = [
        (
            "a.csv".to_string(),
            "아이디,기관명,기관유형\ni001,가,구청\n".as_bytes().to_vec(),
        ),
        (
            "b.csv".to_string(),
            "아이디,이름,역할,소속\np1,가,구매자,i001\n"
                .as_bytes()
                .to_vec(),
        ),
    ];
    let e = read_files(&files, &Registry::default()).unwrap_err();
    assert_eq!(places(&e), [("a.csv".into(), 2, Some("기관유형".into()))]);
}

#[test]
fn header_problems_are_reported_once_each_and_no_row_is_read() {
    let p = only_problem("기관.csv", "아이디\ni001\n");
    assert_eq!((p.row, p.column.as_deref()), (1, None));
    assert!(
        p.reason
            .starts_with("missing required columns 기관명, 기관유형"),
        "{}",
        p.reason
    );

    let e = csv(
        "x.csv",
        "아이디,기관명,기관유형,비고,기관명\ni001,가,본청,,가\n",
    )
    .unwrap_err();
    assert_eq!(
        places(&e),
        [
            ("x.csv".into(), 1, Some("비고".into())),
            ("x.csv".into(), 1, Some("기관명".into())),
        ]
    );
    assert!(e.problems[0].reason.contains(
        "unknown column (expected columns 아이디, 기관명, 기관유형, and optionally 담당자"
    ));
    assert!(e.problems[1].reason.contains("appears twice"));

    let p = only_problem("x.csv", "아이디,기관명,기관유형\ni001,가,본청,stray\n");
    assert_eq!((p.row, p.column.as_deref()), (2, None));
    assert!(
        p.reason
            .contains("cell D2 holds a value but its column has no header"),
        "{}",
        p.reason
    );
}

#[test]
fn files_that_are_not_registrations_say_what_was_expected() {
    let p = only_problem("notes.txt", "hello");
    assert_eq!((p.sheet.as_str(), p.row), ("notes.txt", 0));
    assert!(p.reason.contains(".xlsx or a .csv"));
    let p = only_problem("x.csv", "아이디,비고\n1,2\n");
    assert!(p.reason.contains("cannot tell which rows"), "{}", p.reason);
    let e = read_file("x.csv", b"\xff\xfe\x00a", &Registry::default()).unwrap_err();
    assert!(e.problems[0].reason.contains("not UTF-8"));
    let e = read_file("x.xlsx", b"not a zip", &Registry::default()).unwrap_err();
    assert_eq!(places(&e), [("x.xlsx".into(), 0, None)]);
    assert!(e.problems[0].reason.contains("expected an .xlsx file"));
}

#[test]
fn a_workbook_with_two_sheets_reads_both_with_excel_row_numbers() {
    let book = xlsx(&[
        (
            "institutions",
            &[
                &["기관명", "아이디", "기관유형"],
                &["서울특별시", "i001", "본청"],
            ],
        ),
        (
            "참가자",
            &[
                &["아이디", "이름", "역할", "소속"],
                &["", "", "", ""],
                &["p-b-i001", "김민준", "구매자", "i001"],
            ],
        ),
    ]);
    let reg = read_file("등록.xlsx", &book, &Registry::default()).unwrap();
    assert_eq!(reg.institutions[0].id, iid("i001"));
    assert_eq!(reg.participants[0].id, pid("p-b-i001"));

    let book = xlsx(&[(
        "기업",
        &[
            &["아이디", "기업명", "기업유형", "녹색"],
            &["e001", "가", "기타", "Y"],
            &[],
            &["e002", "나", "기타", "글쎄"],
        ],
    )]);
    let e = read_file("등록.xlsx", &book, &Registry::default()).unwrap_err();
    assert_eq!(places(&e), [("기업".into(), 4, Some("녹색".into()))]);
    assert_eq!(
        e.to_string(),
        "1개 문제 / 1 problem:\n  기업 시트 4행 '녹색' 열 / sheet 기업 row 4 column 녹색: \"글쎄\" is not yes or no (expected Y or N, 예 or 아니오, O or X, true or false, 1 or 0; empty means N)"
    );
}

#[test]
fn a_workbook_sheet_with_an_unknown_name_is_refused_by_name() {
    let book = xlsx(&[
        (
            "기관",
            &[&["아이디", "기관명", "기관유형"], &["i001", "가", "본청"]],
        ),
        ("Sheet1", &[&["메모"]]),
    ]);
    let e = read_file("등록.xlsx", &book, &Registry::default()).unwrap_err();
    assert_eq!(places(&e), [("Sheet1".into(), 0, None)]);
    assert!(e.problems[0]
        .reason
        .contains("expected sheets named 기관 (or institutions)"));
}

#[test]
fn numbers_typed_as_numbers_in_excel_read_as_the_number() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("기관").unwrap();
    for (c, h) in ["아이디", "기관명", "기관유형", "부스수"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "i001").unwrap();
    sheet.write_string(1, 1, "가").unwrap();
    sheet.write_string(1, 2, "본청").unwrap();
    sheet.write_number(1, 3, 2.0).unwrap();
    sheet.write_number(2, 3, 2.5).unwrap();
    sheet.write_string(2, 0, "i002").unwrap();
    sheet.write_string(2, 1, "나").unwrap();
    sheet.write_string(2, 2, "본청").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let e = read_file("x.xlsx", &bytes, &Registry::default()).unwrap_err();
    assert_eq!(places(&e), [("기관".into(), 3, Some("부스수".into()))]);
    assert!(e.problems[0]
        .reason
        .starts_with("\"2.5\" is not a whole number"));
}

fn full_registration() -> Registration {
    let r = |s: &str| RoundId::parse(s).unwrap();
    Registration {
        institutions: vec![
            InstitutionEntry {
                id: iid("i001"),
                name: "서울특별시".into(),
                kind: InstitutionType::CityHall,
                contact: Contact {
                    person: "김민준".into(),
                    phone: Some("02-120-0000".into()),
                    email: Some("kim@example.org".into()),
                },
                wanted: vec!["청소".into(), "IT 유지보수".into()],
                booths: 3,
                rounds: vec![r("r1"), r("r3")],
                unavailable: vec![Unavailable {
                    round: r("r1"),
                    slots: vec![0, 1, 2, 5],
                }],
            },
            InstitutionEntry {
                id: iid("i002"),
                name: "종로구".into(),
                kind: InstitutionType::District,
                contact: Contact::default(),
                wanted: vec![],
                booths: 1,
                rounds: vec![],
                unavailable: vec![],
            },
        ],
        enterprises: vec![EnterpriseEntry {
            id: eid("e001"),
            name: "(주)함께, 만드는 세상".into(),
            kind: EnterpriseType::Cooperative,
            contact: Contact {
                person: "이서연".into(),
                phone: None,
                email: Some("lee@example.org".into()),
            },
            categories: vec!["방역".into()],
            certifications: vec!["사회적기업".into(), "녹색인증".into()],
            green: true,
            max_meetings: 7,
            rounds: vec![r("r2")],
            unavailable: vec![
                Unavailable {
                    round: r("r1"),
                    slots: vec![3],
                },
                Unavailable {
                    round: r("r2"),
                    slots: vec![0, 1],
                },
            ],
        }],
        participants: vec![
            ParticipantEntry {
                id: pid("p-b-i001"),
                name: "김민준".into(),
                role: Role::Buyer,
                affiliation: Affiliation::Institution(iid("i001")),
                phone: Some("010-1234-5678".into()),
                email: None,
            },
            ParticipantEntry {
                id: pid("p-v-e001"),
                name: "이서연".into(),
                role: Role::Vendor,
                affiliation: Affiliation::Enterprise(eid("e001")),
                phone: None,
                email: Some("lee@example.org".into()),
            },
            ParticipantEntry {
                id: pid("p-mod-01"),
                name: "박지훈".into(),
                role: Role::Moderator,
                affiliation: Affiliation::Operator,
                phone: None,
                email: None,
            },
        ],
    }
}

#[test]
fn a_written_workbook_reads_back_as_the_same_registration() {
    let reg = full_registration();
    let bytes = write_xlsx(&reg);
    assert_eq!(
        read_file("out.xlsx", &bytes, &Registry::default()).unwrap(),
        reg
    );
    assert_eq!(
        write_xlsx(&reg),
        bytes,
        "the same registration gives the same bytes"
    );
    assert_eq!(
        read_file(
            "empty.xlsx",
            &write_xlsx(&Registration::default()),
            &Registry::default()
        )
        .unwrap(),
        Registration::default()
    );
}

#[test]
fn written_csv_files_read_back_as_the_same_registration() {
    let reg = full_registration();
    let files: Vec<(String, Vec<u8>)> = [
        RowKind::Participant,
        RowKind::Institution,
        RowKind::Enterprise,
    ]
    .into_iter()
    .map(|k| (format!("{}.csv", sheet_name(k)), write_csv(k, &reg)))
    .collect();
    for (_, bytes) in &files {
        assert!(bytes.starts_with("\u{feff}아이디,".as_bytes()));
    }
    let text = String::from_utf8(files[2].1.clone()).unwrap();
    assert!(
        text.contains(",(사회적)협동조합,이서연,,lee@example.org,방역,\"사회적기업, 녹색인증\",Y,7,r2,r1:3; r2:0-1"),
        "{text}"
    );
    let back = read_files(&files, &Registry::default()).unwrap();
    assert_eq!(back, reg);
}

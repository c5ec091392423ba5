//! The fair files shipped under `config/` stay loadable, and the demo they were written from
//! is the one the server serves; the sample registration files are the demo fair's
//! registrations.

use sangdam_server::demo;
use sangdam_server::demo::registrations::demo_registration;
use sangdam_server::files::fair as fairfile;
use sangdam_server::files::registrations;
use sangdam_signaling::prep::registry::{Registration, Registry, RowKind};
use std::path::{Path, PathBuf};

#[test]
fn the_shipped_example_fair_loads_with_the_seoul_fairs_shape() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/demo-fair");
    let fair = fairfile::load_fair_dir(&dir).expect("config/demo-fair is valid");
    assert_eq!(fair.institutions().count(), 85);
    assert_eq!(fair.enterprises().count(), 171);
    assert_eq!(fair.meetings().count(), 576);
    assert_eq!(fair.rounds().count(), 3);
    let generated = demo::demo_fair(&demo::DemoOptions::starting_at(
        fair.round(&demo::live_round_id()).unwrap().starts_at,
    ));
    let pairs = |f: &sangdam_signaling::Fair| {
        f.meetings()
            .map(|m| {
                (
                    m.id.clone(),
                    m.institution.clone(),
                    m.enterprise.clone(),
                    m.slot,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        pairs(&fair),
        pairs(&generated),
        "regenerate with `sangdam demo --out config/demo-fair --start \"2027-05-20 10:00\"`"
    );
}

#[test]
fn the_shipped_example_fair_gives_some_participants_phones_and_e_mails() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/demo-fair");
    let (fair, contacts) =
        fairfile::load_fair_dir_with_contacts(&dir).expect("config/demo-fair is valid");
    let pid = |s: &str| sangdam_signaling::ParticipantId::parse(s).unwrap();
    // Both, one or the other, and none: the columns are optional cell by cell.
    let buyer = contacts
        .get(&pid(demo::DEMO_BUYER))
        .expect("the demo buyer");
    assert_eq!(buyer.phone.as_deref(), Some("02-0000-0001"));
    assert_eq!(buyer.email.as_deref(), Some("p-b-i001@example.org"));
    let phone_only = contacts.get(&pid("p-b-i002")).unwrap();
    assert_eq!(
        (phone_only.phone.as_deref(), phone_only.email.as_deref()),
        (Some("02-0000-0002"), None)
    );
    let email_only = contacts.get(&pid("p-b-i003")).unwrap();
    assert_eq!(
        (email_only.phone.as_deref(), email_only.email.as_deref()),
        (None, Some("p-b-i003@example.org"))
    );
    assert!(contacts.get(&pid("p-b-i004")).is_none());
    assert!(contacts.0.len() < fair.participants().count());

    // The shipped values are the served demo's, so the two boards agree.
    let served = demo::fair::demo_contacts(&fair);
    for (p, info) in &contacts.0 {
        let demo = served.get(p).expect("a demo participant");
        for (shipped, generated) in [(&info.phone, &demo.phone), (&info.email, &demo.email)] {
            if shipped.is_some() {
                assert_eq!(shipped, generated, "{p}");
            }
        }
    }
    // And the plain loader still reads the same fair, leaving the contacts out.
    assert_eq!(
        fairfile::load_fair_dir(&dir)
            .unwrap()
            .participants()
            .collect::<Vec<_>>(),
        fair.participants().collect::<Vec<_>>()
    );
}

const REGENERATE_REGISTRATIONS: &str =
    "regenerate with `cargo test -p sangdam-tests --test integration \
     config_files::write_the_demo_registration_files -- --ignored`";
const REGISTRATION_KINDS: [RowKind; 3] = [
    RowKind::Institution,
    RowKind::Enterprise,
    RowKind::Participant,
];

fn config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../config")
}

/// The demo registration of the fair `config/demo-fair` holds, with its contacts.
fn shipped_demo_registration() -> Registration {
    let (fair, contacts) = fairfile::load_fair_dir_with_contacts(&config_dir().join("demo-fair"))
        .expect("config/demo-fair is valid");
    demo_registration(&fair, &contacts)
}

#[test]
fn the_shipped_registration_files_read_back_as_the_demo_fairs_registration() {
    let want = shipped_demo_registration();
    assert_eq!(want.institutions.len(), 85);
    let path = config_dir().join("demo-registrations.xlsx");
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; {REGENERATE_REGISTRATIONS}", path.display()));
    let from_xlsx =
        registrations::read_file("demo-registrations.xlsx", &bytes, &Registry::default())
            .unwrap_or_else(|e| panic!("{e}\n{REGENERATE_REGISTRATIONS}"));
    assert!(
        from_xlsx == want,
        "config/demo-registrations.xlsx differs from the demo; {REGENERATE_REGISTRATIONS}"
    );

    let files: Vec<(String, Vec<u8>)> = REGISTRATION_KINDS
        .iter()
        .map(|k| {
            let name = format!("{}.csv", registrations::sheet_name(*k));
            let path = config_dir().join("demo-registrations").join(&name);
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("{}: {e}; {REGENERATE_REGISTRATIONS}", path.display()));
            (name, bytes)
        })
        .collect();
    let from_csv = registrations::read_files(&files, &Registry::default())
        .unwrap_or_else(|e| panic!("{e}\n{REGENERATE_REGISTRATIONS}"));
    assert!(
        from_csv == want,
        "config/demo-registrations/*.csv differ from the demo; {REGENERATE_REGISTRATIONS}"
    );
}

/// Writes the sample registration files from the demo fair under `config/`. Ignored: run it
/// by name after changing the demo registration or the file format.
#[test]
#[ignore = "writes config/demo-registrations*; run by name to regenerate them"]
fn write_the_demo_registration_files() {
    let reg = shipped_demo_registration();
    let dir = config_dir();
    std::fs::write(
        dir.join("demo-registrations.xlsx"),
        registrations::write_xlsx(&reg),
    )
    .unwrap();
    let csv_dir = dir.join("demo-registrations");
    std::fs::create_dir_all(&csv_dir).unwrap();
    for kind in REGISTRATION_KINDS {
        let name = format!("{}.csv", registrations::sheet_name(kind));
        std::fs::write(csv_dir.join(name), registrations::write_csv(kind, &reg)).unwrap();
    }
}

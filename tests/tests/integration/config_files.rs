//! The fair files shipped under `config/` stay loadable, and the demo they were written from
//! is the one the server serves.

use sangdam_server::demo;
use sangdam_server::files::fair as fairfile;
use std::path::Path;

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

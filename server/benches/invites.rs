//! How long staff wait for a national fair's invitation sheet: 12,000 participants (2,000
//! institutions' buyers, 10,000 enterprises' vendors), each a freshly signed link, rendered
//! as CSV and as `.xlsx`. Prints `FIGURE` lines; run with
//! `cargo bench -p sangdam-server --bench invites` (release build).

use sangdam_server::auth::TokenIssuer;
use sangdam_server::files::fair::contacts::{ContactInfo, Contacts};
use sangdam_server::files::invites::{self, InviteOptions};
use sangdam_signaling::fair::{
    Affiliation, Enterprise, EnterpriseType, Fair, FairParts, Institution, InstitutionType,
    Participant, Role, Round,
};
use sangdam_signaling::{FairId, Timestamp};
use std::time::{Duration, Instant};

const INSTITUTIONS: usize = 2_000;
const ENTERPRISES: usize = 10_000;
const RUNS: usize = 5;

fn id<T: TryFrom<String>>(s: String) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s).expect("a valid id")
}

fn fair() -> (Fair, Contacts) {
    let institutions: Vec<Institution> = (0..INSTITUTIONS)
        .map(|i| Institution {
            id: id(format!("i{i:05}")),
            name: format!("기관 {i:05}"),
            kind: InstitutionType::ALL[i % 5],
        })
        .collect();
    let enterprises: Vec<Enterprise> = (0..ENTERPRISES)
        .map(|e| Enterprise {
            id: id(format!("e{e:05}")),
            name: format!("(주)사회적기업 {e:05}"),
            kind: EnterpriseType::ALL[e % 4],
        })
        .collect();
    let mut participants: Vec<Participant> = institutions
        .iter()
        .map(|i| Participant {
            id: id(format!("p-b-{}", i.id)),
            name: format!("구매자 {}", i.id),
            role: Role::Buyer,
            affiliation: Affiliation::Institution(i.id.clone()),
        })
        .collect();
    participants.extend(enterprises.iter().map(|e| Participant {
        id: id(format!("p-v-{}", e.id)),
        name: format!("판매자 {}", e.id),
        role: Role::Vendor,
        affiliation: Affiliation::Enterprise(e.id.clone()),
    }));
    let contacts = Contacts(
        participants
            .iter()
            .map(|p| {
                (
                    p.id.clone(),
                    ContactInfo {
                        phone: Some("02-0000-0000".into()),
                        email: Some(format!("{}@example.org", p.id)),
                    },
                )
            })
            .collect(),
    );
    let round = Round {
        id: id("r1".into()),
        number: 1,
        theme: "공공시장 진출 지원".into(),
        starts_at: Timestamp::from_millis(1_900_000_000_000),
        slot_len: Duration::from_secs(1200),
        break_len: Duration::from_secs(600),
        slots: 12,
    };
    let parts = FairParts {
        rounds: vec![round],
        institutions,
        enterprises,
        participants,
        meetings: Vec::new(),
    };
    let fair = Fair::new(id::<FairId>("national".into()), "전국 상담회", parts).expect("valid");
    (fair, contacts)
}

fn median(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    (
        v[v.len() / 2].as_secs_f64() * 1000.0,
        v[0].as_secs_f64() * 1000.0,
    )
}

fn main() {
    let (fair, contacts) = fair();
    let tokens = TokenIssuer::new(
        b"bench-secret-that-is-long-enough-0123456789",
        "sangdam",
        "sangdam-fair",
        Duration::from_secs(72 * 3600),
    );
    let now = Timestamp::from_millis(1_890_000_000_000);
    let until = fair.ends_at().expect("a round") + Duration::from_secs(24 * 3600);
    let opts = InviteOptions::default();
    // Nobody revoked: every link at generation 0, as a fresh fair's.
    let generations = std::collections::HashMap::new();
    let (mut mint, mut csv, mut xlsx) = (Vec::new(), Vec::new(), Vec::new());
    let (mut csv_len, mut xlsx_len, mut n) = (0, 0, 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        let minting = invites::Minting {
            tokens: &tokens,
            base_url: "https://fair.example",
            now,
            expires_at: until,
            generations: &generations,
        };
        let rows = invites::rows(&fair, &contacts, &minting, &opts);
        mint.push(t.elapsed());
        n = rows.len();
        let t = Instant::now();
        csv_len = invites::csv(&rows).len();
        csv.push(t.elapsed());
        let t = Instant::now();
        xlsx_len = invites::xlsx(&rows, &fair.name).expect("a workbook").len();
        xlsx.push(t.elapsed());
    }
    let (m, mf) = median(mint);
    let (c, cf) = median(csv);
    let (x, xf) = median(xlsx);
    println!("FIGURE invites participants={n}");
    println!(
        "FIGURE invites mint_links_ms median={m:.1} min={mf:.1} ({:.1} µs per link)",
        m * 1000.0 / n as f64
    );
    println!("FIGURE invites csv_ms median={c:.1} min={cf:.1} bytes={csv_len}");
    println!("FIGURE invites xlsx_ms median={x:.1} min={xf:.1} bytes={xlsx_len}");
    println!(
        "FIGURE invites sheet_total_ms csv={:.1} xlsx={:.1}",
        m + c,
        m + x
    );
}

//! The whole-set proposal at national scale (2,000 institutions with 1–3 booths and 1–3
//! wanted items, 10,000 enterprises with 1–3 categories, ~30 % green, one green-themed
//! round of 12 slots), seeded so every run proposes for the same fair, split into its three
//! steps: candidate building, the greedy baseline and the exact solve. Then the solver alone
//! on a random instance (each enterprise with 20–40 random institutions, weights 1..=100).
//!
//! Run: `cargo bench -p sangdam-signaling --bench matching`.

use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use sangdam_signaling::fair::{EnterpriseType, InstitutionType};
use sangdam_signaling::prep::assignment::{self, Candidate, Problem, Solution};
use sangdam_signaling::prep::candidates::{candidates, Candidates};
use sangdam_signaling::prep::proposal::propose;
use sangdam_signaling::prep::registry::{Contact, EnterpriseEntry, InstitutionEntry, Versioned};
use sangdam_signaling::prep::relevance::relevance;
use sangdam_signaling::prep::Prep;
use sangdam_signaling::{EnterpriseId, InstitutionId, Round, RoundId, Timestamp};
use std::time::{Duration, Instant};

const INSTITUTIONS: usize = 2_000;
const ENTERPRISES: usize = 10_000;
const RUNS: usize = 5;

/// Public-procurement items (구매희망품목 / 제품분류) as Korean buyers write them.
const ITEMS: &[&str] = &[
    "청소",
    "방역",
    "경비",
    "시설관리",
    "조경",
    "급식",
    "도시락",
    "식자재",
    "커피",
    "제과",
    "떡",
    "두부",
    "김치",
    "생수",
    "인쇄",
    "출판",
    "디자인",
    "홍보물",
    "현수막",
    "영상제작",
    "행사대행",
    "교육",
    "컨설팅",
    "번역",
    "통역",
    "사무용품",
    "복사용지",
    "토너",
    "가구",
    "책상",
    "의자",
    "LED조명",
    "태양광",
    "전기공사",
    "인테리어",
    "도배",
    "페인트",
    "방수",
    "세탁",
    "침구",
    "유니폼",
    "작업복",
    "신발",
    "가방",
    "기념품",
    "화분",
    "꽃",
    "원예",
    "재활용",
    "폐기물",
    "수거",
    "친환경세제",
    "비누",
    "화장지",
    "마스크",
    "손소독제",
    "의료기기",
    "돌봄",
    "간병",
    "요양",
    "장애인보조기기",
    "소프트웨어",
    "웹개발",
    "앱개발",
    "전산유지보수",
    "데이터입력",
    "콜센터",
    "택배",
    "운송",
    "이사",
    "차량정비",
    "자전거",
    "공구",
    "안전용품",
    "소화기",
    "CCTV",
    "문구",
    "완구",
    "도서",
    "공연",
];

/// How an enterprise may write a category around an item: the item itself or a longer
/// phrase containing it, so fitting by substring is exercised.
const PHRASES: &[&str] = &["{} 용역", "건물 {}", "{}용품", "{} 서비스", "친환경 {}"];

fn pick_items(rng: &mut StdRng, n: usize) -> Vec<&'static str> {
    sample(rng, ITEMS.len(), n)
        .iter()
        .map(|k| ITEMS[k])
        .collect()
}

fn national(rng: &mut StdRng) -> (Prep, Round) {
    let round = Round {
        id: RoundId::parse("r1").expect("a valid id"),
        number: 1,
        theme: "그린뉴딜".into(),
        starts_at: Timestamp::from_millis(0),
        slot_len: Duration::from_secs(1200),
        break_len: Duration::from_secs(600),
        slots: 12,
    };
    let mut prep = Prep::default();
    for n in 0..INSTITUTIONS {
        let id = InstitutionId::parse(format!("i{n:05}")).expect("a valid id");
        let k = rng.random_range(1..=3);
        let value = InstitutionEntry {
            id: id.clone(),
            name: format!("기관{n}"),
            kind: InstitutionType::District,
            contact: Contact::default(),
            wanted: pick_items(rng, k).into_iter().map(String::from).collect(),
            booths: rng.random_range(1..=3),
            rounds: vec![],
            unavailable: vec![],
        };
        prep.registry
            .institutions
            .insert(id, Versioned { version: 1, value });
    }
    for n in 0..ENTERPRISES {
        let id = EnterpriseId::parse(format!("e{n:05}")).expect("a valid id");
        let k = rng.random_range(1..=3);
        let categories = pick_items(rng, k)
            .into_iter()
            .map(|item| {
                if rng.random_bool(0.3) {
                    PHRASES[rng.random_range(0..PHRASES.len())].replace("{}", item)
                } else {
                    item.to_string()
                }
            })
            .collect();
        let certs = rng.random_range(0..=2);
        let value = EnterpriseEntry {
            id: id.clone(),
            name: format!("기업{n}"),
            kind: EnterpriseType::SocialEnterprise,
            contact: Contact::default(),
            categories,
            certifications: ["사회적기업", "녹색인증"][..certs]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            green: rng.random_bool(0.3),
            max_meetings: 5,
            rounds: vec![],
            unavailable: vec![],
        };
        prep.registry
            .enterprises
            .insert(id, Versioned { version: 1, value });
    }
    (prep, round)
}

fn random_problem(rng: &mut StdRng) -> Problem {
    let left_caps = (0..INSTITUTIONS)
        .map(|_| 12 * rng.random_range(1..=3))
        .collect();
    let right_caps = vec![5; ENTERPRISES];
    let mut edges = Vec::new();
    for r in 0..ENTERPRISES as u32 {
        let n = rng.random_range(20..=40);
        for l in sample(rng, INSTITUTIONS, n).iter() {
            edges.push(Candidate {
                left: l as u32,
                right: r,
                weight: rng.random_range(1..=100),
            });
        }
    }
    Problem {
        left_caps,
        right_caps,
        edges,
    }
}

/// The fastest and the median of `runs` runs, and the last answer.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out = f();
        times.push(start.elapsed());
        last = Some(out);
    }
    times.sort();
    (times[0], times[runs / 2], last.expect("runs > 0"))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn compare(name: &str, p: &Problem, runs: usize) -> (Solution, Solution) {
    let (gmin, gmed, g) = time(runs, || assignment::greedy(p));
    let (smin, smed, s) = time(runs, || assignment::solve(p).expect("a valid problem"));
    println!(
        "{name}: greedy total {} ({} chosen) in {} (median {})",
        g.total,
        g.chosen.len(),
        ms(gmin),
        ms(gmed)
    );
    println!(
        "{name}: exact  total {} ({} chosen) in {} (median {})",
        s.total,
        s.chosen.len(),
        ms(smin),
        ms(smed),
    );
    println!(
        "{name}: exact / greedy = {:.4}",
        s.total as f64 / g.total.max(1) as f64
    );
    (g, s)
}

/// How many institutions the all-pairs reference scores: the whole 20 M pairs would take
/// longer than the rest of the bench, so a tenth is timed and scaled.
const SAMPLE: usize = 200;

/// The way `propose` built candidates before the index (every pair through `relevance`),
/// on the first `SAMPLE` institutions, checked against the index's edges for them.
fn all_pairs_sample(prep: &Prep, round: &Round, c: &Candidates) {
    let start = Instant::now();
    let mut edges = Vec::new();
    for (li, i) in c.institutions.iter().take(SAMPLE).enumerate() {
        for (ri, e) in c.enterprises.iter().enumerate() {
            let weight = relevance(i, e, &round.theme).score;
            if weight > 0 && prep.live_match(&i.id, &e.id, &round.id).is_none() {
                edges.push(Candidate {
                    left: li as u32,
                    right: ri as u32,
                    weight,
                });
            }
        }
    }
    let took = start.elapsed();
    let indexed: Vec<_> = c
        .problem
        .edges
        .iter()
        .filter(|e| (e.left as usize) < SAMPLE)
        .copied()
        .collect();
    assert_eq!(edges, indexed, "the index and all pairs disagree");
    println!(
        "national: all-pairs reference on {SAMPLE} institutions: {} edges in {} (× {} ≈ {:.1} s for all); same edges as the index",
        edges.len(),
        ms(took),
        INSTITUTIONS / SAMPLE,
        took.as_secs_f64() * (INSTITUTIONS / SAMPLE) as f64
    );
}

fn main() {
    let mut rng = StdRng::seed_from_u64(20_261_202);
    let (prep, round) = national(&mut rng);
    println!("national: {INSTITUTIONS} institutions, {ENTERPRISES} enterprises, one round of 12 slots, theme {}", round.theme);
    let (cmin, cmed, c) = time(RUNS, || candidates(&prep, &round));
    let left: u64 = c.problem.left_caps.iter().map(|&x| u64::from(x)).sum();
    let right: u64 = c.problem.right_caps.iter().map(|&x| u64::from(x)).sum();
    println!(
        "national: {} candidate edges (of {} pairs) built in {} (median {}); capacity {left} booth-slots, {right} meetings",
        c.problem.edges.len(),
        INSTITUTIONS * ENTERPRISES,
        ms(cmin),
        ms(cmed)
    );
    all_pairs_sample(&prep, &round, &c);
    compare("national", &c.problem, 3);
    let (pmin, pmed, proposal) = time(3, || propose(&prep, &round).expect("a valid fair"));
    println!(
        "national: propose() end to end {} (median {}); {} pairs, total {}, greedy {}",
        ms(pmin),
        ms(pmed),
        proposal.pairs.len(),
        proposal.total,
        proposal.greedy_total
    );

    let p = random_problem(&mut rng);
    println!(
        "random: {} edges (each enterprise 20–40 random institutions, weights 1..=100)",
        p.edges.len()
    );
    compare("random", &p, 1);
}

//! How long the staff report takes over a large log: 100,000 consultation records and
//! their survey answers, in memory as the server holds them. Also times the log view
//! (filter and sort every row) and the CSV and XLSX exports of the whole log, which staff
//! download from the same data. Prints `FIGURE` lines; run with
//! `cargo bench -p sangdam-server --bench report` (release build).

use sangdam_server::demo::history;
use sangdam_server::files::log_export as export;
use sangdam_signaling::records::log_view::{log_rows, LogFilter, LogSort, Scope, SortKey};
use sangdam_signaling::records::report::{FairReport, ReportInput};
use std::time::{Duration, Instant};

const RECORDS: usize = 100_000;
const RUNS: usize = 7;

/// Runs `f` `RUNS` times; returns the median, the fastest and the slowest.
fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration, Duration) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[RUNS / 2], times[0], times[RUNS - 1])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let t = Instant::now();
    let fair = history::synthetic(RECORDS);
    let made = t.elapsed();
    let input = ReportInput {
        fair: &fair.fair,
        records: &fair.records,
        answers: &fair.answers,
        survey: &fair.survey,
    };
    println!(
        "generated {} records and {} survey answers ({} institutions, {} enterprises, {} rounds) in {:.1} s",
        fair.records.len(),
        fair.answers.len(),
        fair.fair.institutions().count(),
        fair.fair.enterprises().count(),
        fair.fair.rounds().count(),
        made.as_secs_f64()
    );

    let (median, min, max) = time(|| FairReport::compute(input, None));
    let report = FairReport::compute(input, None);
    assert_eq!(report.totals.meetings_recorded as usize, RECORDS);
    println!(
        "FIGURE report over {RECORDS} records and {} survey answers: median {:.1} ms (min {:.1}, max {:.1}, {RUNS} runs)",
        fair.answers.len(),
        ms(median),
        ms(min),
        ms(max)
    );

    let sort = LogSort {
        key: SortKey::Institution,
        descending: false,
    };
    let (median, min, max) = time(|| {
        log_rows(
            &fair.fair,
            &fair.records,
            &fair.answers,
            &Scope::All,
            &LogFilter::default(),
            sort,
        )
    });
    println!(
        "FIGURE log view of all {RECORDS} rows sorted by institution: median {:.1} ms (min {:.1}, max {:.1})",
        ms(median),
        ms(min),
        ms(max)
    );

    let rows = log_rows(
        &fair.fair,
        &fair.records,
        &fair.answers,
        &Scope::All,
        &LogFilter::default(),
        LogSort::default(),
    );
    let (median, _, _) = time(|| export::csv(&rows, &fair.survey));
    let size = export::csv(&rows, &fair.survey).len();
    println!(
        "FIGURE CSV export of {RECORDS} rows: median {:.1} ms, {:.1} MiB",
        ms(median),
        size as f64 / 1_048_576.0
    );
    let t = Instant::now();
    let book = export::xlsx(&rows, &fair.survey, "synthetic").expect("workbook");
    println!(
        "FIGURE XLSX export of {RECORDS} rows: {:.1} ms (one run), {:.1} MiB",
        ms(t.elapsed()),
        book.len() as f64 / 1_048_576.0
    );
}

//! Readiness and planning at scale: `assess` and `plan` (which assesses, then builds the
//! plan) on generated healthy estates of 1,000, 5,000 and 10,000 items (5,000 shows
//! whether growth is linear between the two sizes the targets name).
//!
//! Run with `cargo bench -p failback-lab --bench assess_plan`; results and the machine
//! they were measured on are in `BENCHMARKS.md`. Generating the estate is not timed.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use failback_core::{assess, plan, PlanOutcome, Request};
use failback_lab::generate::{estate, Spec};

const SIZES: [usize; 3] = [1_000, 5_000, 10_000];

fn bench(c: &mut Criterion) {
    let request = Request::default();
    let mut group = c.benchmark_group("assess_plan");
    group
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    for items in SIZES {
        // Criterion's minimum of 10 samples for the large estates keeps the run short.
        group.sample_size(if items > 1_000 { 10 } else { 30 });
        let spec = Spec::for_items(items).with_seed(1);
        let e = estate(&spec);
        // A benchmark of a refused plan would measure something else: check it first.
        match plan(&e, &request) {
            Ok(PlanOutcome::Ready(p)) => assert_eq!(p.summary.items, items),
            Ok(PlanOutcome::Refused(r)) => {
                panic!(
                    "generated estate refused: {} items blocked",
                    r.blocked_count()
                )
            }
            Err(err) => panic!("generated estate rejected: {err}"),
        }
        group.throughput(Throughput::Elements(items as u64));
        group.bench_with_input(BenchmarkId::new("assess", items), &e, |b, e| {
            b.iter(|| black_box(assess(black_box(e), &request)))
        });
        group.bench_with_input(BenchmarkId::new("plan", items), &e, |b, e| {
            b.iter(|| black_box(plan(black_box(e), &request)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The lookup engine alone (`cargo bench --bench discretion_lookup`):
//! a fixed-range clause, a multiple clause, and a lookup that walks every
//! ground (mitigation, aggravation, lists), against the baseline of
//! cloning the facts (the cheapest thing a request does with them).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

use zhifa::cases::rules::PartyKind;
use zhifa::discretion::formats::read_toml;
use zhifa::discretion::model::{AggravatingGround, Facts, Harm, MitigatingGround};
use zhifa::discretion::rules::{lookup, LookupInput};
use zhifa::profiles::Profile;

fn bench(c: &mut Criterion) {
    let text = std::fs::read_to_string("fixtures/benchmarks/market_regulation.toml")
        .expect("run from the repository root");
    let parsed = read_toml("market_regulation.toml", &text).expect("fixtures parse");
    let b = &parsed
        .iter()
        .find(|(b, _)| b.item == "MR-FS-001" && b.version == "2026")
        .expect("MR-FS-001 2026")
        .0;
    let profile = Profile::default();
    let fixed = Facts {
        harm: Harm::Ordinary,
        goods_value_fen: Some(500_000),
        ..Default::default()
    };
    let multiple = Facts {
        goods_value_fen: Some(3_000_000),
        ..fixed.clone()
    };
    let busy = Facts {
        mitigating: vec![
            MitigatingGround::EliminatedHarm,
            MitigatingGround::ConfessedUnknown,
        ],
        aggravating: vec![AggravatingGround::Emergency],
        first_violation: true,
        corrected_promptly: true,
        harm: Harm::Minor,
        ..multiple.clone()
    };
    let mut g = c.benchmark_group("discretion");
    g.bench_function("baseline_clone_facts", |bch| {
        bch.iter(|| black_box(busy.clone()))
    });
    for (name, facts) in [
        ("fixed_range", &fixed),
        ("multiple", &multiple),
        ("all_grounds", &busy),
    ] {
        g.bench_function(name, |bch| {
            bch.iter(|| {
                lookup(black_box(&LookupInput {
                    benchmark: b,
                    item_name: "未取得食品生产经营许可从事食品生产经营活动",
                    party: PartyKind::Organization,
                    facts,
                    profile: &profile,
                    proposed_fine_fen: None,
                }))
                .expect("lookup")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

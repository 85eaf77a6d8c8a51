//! The decision PDF under criterion (`cargo bench --bench documents_pdf`):
//! filling the template, and filling plus rendering a two-page decision.
//! The comparison with Chromium is `cargo bench --bench decision_pdf`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;

use zhifa::documents::pdf::{render, DocFont, Heading};
use zhifa::documents::rules::{fill, Template};

fn bench(c: &mut Criterion) {
    let font = DocFont::load(Path::new("fixtures/fonts/wqy-microhei.ttc"))
        .expect("run from the repository root");
    let t: Template = toml::from_str(
        &std::fs::read_to_string("fixtures/templates/penalty_decision.toml").unwrap(),
    )
    .unwrap();
    let ctx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("benches/pdf/decision.json").unwrap())
            .unwrap();
    let heading = Heading {
        organ: "",
        title: &t.title,
        number: "五市监罚〔2026〕12号",
        verification: "核验码：ABCD1234",
        key: "bench",
        date: chrono::NaiveDate::from_ymd_opt(2026, 4, 15).unwrap(),
    };
    let mut g = c.benchmark_group("decision_pdf");
    g.bench_function("fill template", |b| {
        b.iter(|| fill(black_box(&t), black_box(&ctx)).unwrap())
    });
    g.bench_function("fill and render", |b| {
        b.iter(|| {
            let blocks = fill(&t, &ctx).unwrap();
            render(&font, &heading, &blocks).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

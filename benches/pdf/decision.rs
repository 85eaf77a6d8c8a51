//! Load run of the decision PDF (`cargo bench --bench decision_pdf`):
//! a two-page 行政处罚决定书 rendered from `fixtures/templates` and
//! `benches/pdf/decision.json`, sequentially and on every core, against
//! headless Chromium printing the same content as HTML to PDF in the same
//! run (`chromium --headless --print-to-pdf`, Debian package `chromium`;
//! skipped with a note when it is not installed).
//!
//! Prints ms and KB per document and the ratio.

use std::path::Path;
use std::time::Instant;

use zhifa::documents::pdf::{render, DocFont, Heading};
use zhifa::documents::rules::{fill, Block, Template};

fn blocks() -> (Template, Vec<Block>) {
    let t: Template = toml::from_str(
        &std::fs::read_to_string("fixtures/templates/penalty_decision.toml")
            .expect("run from the repository root"),
    )
    .expect("template");
    let ctx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("benches/pdf/decision.json").unwrap())
            .unwrap();
    let b = fill(&t, &ctx).expect("fills");
    (t, b)
}

fn heading(t: &Template) -> Heading<'_> {
    Heading {
        organ: "",
        title: &t.title,
        number: "五市监罚〔2026〕12号",
        verification: "文书编号：五市监罚〔2026〕12号　核验码：ABCD1234",
        key: "bench",
        date: chrono::NaiveDate::from_ymd_opt(2026, 4, 15).unwrap(),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The same content as HTML, styled like the PDF.
fn html(t: &Template, blocks: &[Block]) -> String {
    let mut h = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><style>\
         @page{size:A4;margin:37mm 26mm 35mm 28mm}\
         body{font-family:'WenQuanYi Micro Hei';font-size:16pt;line-height:28pt}\
         h1{font-size:22pt;text-align:center;margin:0}.no{text-align:center}\
         p{margin:0;text-indent:2em}.l{text-indent:0}.r{text-align:right}\
         table{border-collapse:collapse;width:100%;font-size:12pt;line-height:18pt}\
         td,th{border:1px solid #000;padding:3pt}</style></head><body>",
    );
    h.push_str(&format!(
        "<h1>{}</h1><p class=no>五市监罚〔2026〕12号</p>",
        esc(&t.title)
    ));
    for b in blocks {
        match b {
            Block::Paragraph(x) => h.push_str(&format!("<p>{}</p>", esc(x))),
            Block::Heading(x) | Block::Line(x) => h.push_str(&format!("<p class=l>{}</p>", esc(x))),
            Block::Right(x) => {
                h.push_str(&format!("<p class=r>{}</p>", esc(x).replace('\n', "<br>")))
            }
            Block::Spacer => h.push_str("<br>"),
            Block::Table { header, rows, .. } => {
                h.push_str("<table><tr>");
                for c in header {
                    h.push_str(&format!("<th>{}</th>", esc(c)));
                }
                h.push_str("</tr>");
                for r in rows {
                    h.push_str("<tr>");
                    for c in r {
                        h.push_str(&format!("<td>{}</td>", esc(c)));
                    }
                    h.push_str("</tr>");
                }
                h.push_str("</table>");
            }
        }
    }
    h.push_str("</body></html>");
    h
}

fn main() {
    let font = DocFont::load(Path::new("fixtures/fonts/wqy-microhei.ttc")).expect("font");
    let (t, b) = blocks();
    let one = render(&font, &heading(&t), &b).expect("renders");
    let text = pdf_extract::extract_text_from_mem(&one).unwrap_or_default();
    let pages = (1..10)
        .filter(|i| text.contains(&format!("— {i} —")))
        .count();
    if std::env::var("SHOW_TEXT").is_ok() {
        eprintln!("{text}");
    }

    // Sequential.
    let n = 200;
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(render(&font, &heading(&t), &b).unwrap());
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / n as f64;
    // Every core at once.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..n / threads {
                    std::hint::black_box(render(&font, &heading(&t), &b).unwrap());
                }
            });
        }
    });
    let per_s = (n / threads * threads) as f64 / start.elapsed().as_secs_f64();

    println!("| measure | zhifa | chromium | ratio |");
    println!("|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap();
    let html_path = dir.path().join("decision.html");
    std::fs::write(&html_path, html(&t, &b)).unwrap();
    let chromium = ["chromium", "chromium-browser"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let (c_ms, c_kb) = match chromium {
        Some(bin) => {
            let out = dir.path().join("chromium.pdf");
            let runs = 5;
            let start = Instant::now();
            for _ in 0..runs {
                let ok = std::process::Command::new(bin)
                    .args([
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-pdf-header-footer",
                    ])
                    .arg(format!("--print-to-pdf={}", out.display()))
                    .arg(format!("file://{}", html_path.display()))
                    .output()
                    .is_ok_and(|o| o.status.success());
                assert!(ok, "chromium failed");
            }
            let ms = start.elapsed().as_secs_f64() * 1000.0 / runs as f64;
            let kb = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) as f64 / 1024.0;
            (Some(ms), Some(kb))
        }
        None => (None, None),
    };
    let kb = one.len() as f64 / 1024.0;
    match (c_ms, c_kb) {
        (Some(cm), Some(ck)) => {
            println!(
                "| ms per two-page decision ({pages} pages) | {ms:.2} | {cm:.0} | {:.0}× faster |",
                cm / ms
            );
            println!("| KB per document | {kb:.1} | {ck:.1} | {:.2} |", kb / ck);
        }
        _ => {
            println!("| ms per two-page decision ({pages} pages) | {ms:.2} | not installed | — |");
            println!("| KB per document | {kb:.1} | — | — |");
        }
    }
    println!("| documents per second on {threads} cores | {per_s:.0} | | |");
}

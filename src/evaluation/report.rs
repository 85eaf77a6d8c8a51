//! 评查报告 — a batch's report: grade counts and pass rate, per department
//! and in all, the most frequent deductions and veto items; as JSON, CSV,
//! XLSX and PDF (the document engine, with a table and a bar chart of the
//! pass rate by department).

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::rules::{Grade, Scored};
use super::Stats;
use crate::error::{AppError, AppResult};

/// One department's line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepartmentLine {
    pub department_id: String,
    pub department: String,
    #[serde(flatten)]
    pub stats: Stats,
}

/// How often an item lost points (or a veto item failed).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Frequency {
    pub item_code: String,
    pub name: String,
    pub count: i64,
}

/// A batch's report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub batch_id: String,
    pub name: String,
    /// Evaluations in the batch, completed or not.
    pub total: i64,
    /// Over the completed evaluations.
    pub overall: Stats,
    pub departments: Vec<DepartmentLine>,
    /// Items that lost points, most frequent first.
    pub deductions: Vec<Frequency>,
    /// Veto items failed (REFERENCE §6.2), by number.
    pub vetoes: BTreeMap<u8, i64>,
}

/// Builds the report from the completed evaluations' results, each with
/// its department (id, name).
pub fn build(
    batch_id: &str,
    name: &str,
    total: i64,
    results: &[(String, String, Scored)],
) -> Report {
    let grades: Vec<Grade> = results.iter().map(|r| r.2.grade).collect();
    let mut by_dept: BTreeMap<(String, String), Vec<Grade>> = BTreeMap::new();
    let mut deductions: BTreeMap<String, (String, i64)> = BTreeMap::new();
    let mut vetoes: BTreeMap<u8, i64> = BTreeMap::new();
    for (id, dname, s) in results {
        by_dept
            .entry((dname.clone(), id.clone()))
            .or_default()
            .push(s.grade);
        for i in s.items.iter().filter(|i| i.deduction > 0) {
            deductions
                .entry(i.code.clone())
                .or_insert((i.name.clone(), 0))
                .1 += 1;
        }
        for v in &s.vetoes {
            *vetoes.entry(*v).or_default() += 1;
        }
    }
    let mut deductions: Vec<Frequency> = deductions
        .into_iter()
        .map(|(item_code, (name, count))| Frequency {
            item_code,
            name,
            count,
        })
        .collect();
    deductions.sort_by(|a, b| b.count.cmp(&a.count).then(a.item_code.cmp(&b.item_code)));
    Report {
        batch_id: batch_id.into(),
        name: name.into(),
        total,
        overall: Stats::of(&grades),
        departments: by_dept
            .into_iter()
            .map(|((department, department_id), g)| DepartmentLine {
                department_id,
                department,
                stats: Stats::of(&g),
            })
            .collect(),
        deductions,
        vetoes,
    }
}

fn rate(r: Option<f64>) -> String {
    r.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

const HEADER: [&str; 6] = ["部门", "评查数", "优秀", "合格", "不合格", "合格率"];

fn rows(r: &Report) -> Vec<Vec<String>> {
    let line = |name: &str, s: &Stats| {
        vec![
            name.to_string(),
            s.evaluated.to_string(),
            s.excellent.to_string(),
            s.pass.to_string(),
            s.fail.to_string(),
            rate(s.pass_rate),
        ]
    };
    let mut out: Vec<Vec<String>> = r
        .departments
        .iter()
        .map(|d| line(&d.department, &d.stats))
        .collect();
    out.push(line("合计", &r.overall));
    out
}

/// CSV: one row per department and a total row.
pub fn csv(r: &Report) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(HEADER)
        .map_err(|e| AppError::internal(e.to_string()))?;
    for row in rows(r) {
        w.write_record(&row)
            .map_err(|e| AppError::internal(e.to_string()))?;
    }
    w.into_inner()
        .map_err(|e| AppError::internal(e.to_string()))
}

/// XLSX: the same table, counts as numbers and the rate as a fraction.
pub fn xlsx(r: &Report) -> AppResult<Vec<u8>> {
    let err = |e: rust_xlsxwriter::XlsxError| AppError::internal(e.to_string());
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("评查结果").map_err(err)?;
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).map_err(err)?;
    }
    let mut lines: Vec<(&str, &Stats)> = r
        .departments
        .iter()
        .map(|d| (d.department.as_str(), &d.stats))
        .collect();
    lines.push(("合计", &r.overall));
    for (i, (name, s)) in lines.into_iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, name).map_err(err)?;
        for (c, v) in [s.evaluated, s.excellent, s.pass, s.fail]
            .iter()
            .enumerate()
        {
            sheet
                .write_number(row, c as u16 + 1, *v as f64)
                .map_err(err)?;
        }
        if let Some(p) = s.pass_rate {
            sheet.write_number(row, 5, p).map_err(err)?;
        }
    }
    book.save_to_buffer().map_err(err)
}

/// The PDF's blocks: the table, then the pass rate by department as bars.
pub fn blocks(r: &Report) -> Vec<crate::documents::rules::Block> {
    use crate::documents::rules::Block;
    let mut out = vec![
        Block::Heading(format!("{}评查结果", r.name)),
        Block::Table {
            widths: vec![3.0, 1.0, 1.0, 1.0, 1.0, 1.2],
            header: HEADER.iter().map(|s| s.to_string()).collect(),
            rows: rows(r),
        },
        Block::Spacer,
        Block::Heading("各部门合格率".into()),
    ];
    let bars: Vec<Vec<String>> = r
        .departments
        .iter()
        .map(|d| {
            let n = d
                .stats
                .pass_rate
                .map(|p| (p * 20.0).round() as usize)
                .unwrap_or(0);
            vec![
                d.department.clone(),
                format!("{}{}", "■".repeat(n), " ".repeat(20 - n.min(20))),
                rate(d.stats.pass_rate),
            ]
        })
        .collect();
    out.push(Block::Table {
        widths: vec![3.0, 4.0, 1.2],
        header: vec!["部门".into(), "合格率（每格5%）".into(), "".into()],
        rows: bars,
    });
    out.push(Block::Paragraph(format!(
        "合格率＝（优秀＋合格）÷评查数。评查{}件，优秀{}件，合格{}件，不合格{}件，合格率{}（目标95%）。",
        r.overall.evaluated,
        r.overall.excellent,
        r.overall.pass,
        r.overall.fail,
        rate(r.overall.pass_rate)
    )));
    if !r.deductions.is_empty() {
        out.push(Block::Heading("主要扣分项".into()));
        out.push(Block::Table {
            widths: vec![4.0, 1.0],
            header: vec!["评查项目".into(), "次数".into()],
            rows: r
                .deductions
                .iter()
                .take(10)
                .map(|d| vec![d.name.clone(), d.count.to_string()])
                .collect(),
        });
    }
    out
}

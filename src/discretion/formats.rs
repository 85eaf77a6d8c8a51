//! Benchmarks in the formats agencies keep: TOML (`fixtures/benchmarks/`),
//! CSV and XLSX (one row per tier). Reading collects every bad row with its
//! line and column; writing produces files the reader takes back unchanged.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::conditions::Condition;
use super::model::*;
use super::rules::{self, Loc};
use crate::fixtures::toml_date;
use crate::items::{Citation, PenaltyType};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Toml,
    Csv,
    Xlsx,
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        [
            ("toml", Format::Toml),
            ("csv", Format::Csv),
            ("xlsx", Format::Xlsx),
        ]
        .into_iter()
        .find(|(ext, _)| lower == *ext || lower.ends_with(&format!(".{ext}")))
        .map(|(_, f)| f)
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Toml => "application/toml",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// One bad row (or entry) of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportIssue {
    pub file: String,
    /// 1-based line (CSV) or row (XLSX) number; none for TOML.
    pub line: Option<usize>,
    /// The column (CSV/XLSX) or key path (TOML).
    pub column: String,
    pub reason: String,
}

/// Where each part of a benchmark came from, to report problems by line.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub file: String,
    /// TOML: the index of the `[[benchmarks]]` entry.
    pub entry: Option<usize>,
    pub version_line: Option<usize>,
    pub clause_lines: Vec<Option<usize>>,
    pub tier_lines: Vec<Vec<Option<usize>>>,
    pub other_lines: Vec<Option<usize>>,
    pub lenient_lines: Vec<Option<usize>>,
}

impl Origin {
    /// The line and column (or key path) of a problem.
    pub fn locate(&self, loc: &Loc) -> (Option<usize>, String) {
        let toml = self.entry.map(|i| format!("benchmarks[{i}]"));
        let at = |v: &Vec<Option<usize>>, i: usize| v.get(i).copied().flatten();
        match (loc, toml) {
            (Loc::Version(f), Some(p)) => (None, format!("{p}.{f}")),
            (Loc::Clause(c, f), Some(p)) => (None, format!("{p}.clauses[{c}].{f}")),
            (Loc::Tier(c, t, f), Some(p)) => (None, format!("{p}.clauses[{c}].tiers[{t}].{f}")),
            (Loc::Other(i, f), Some(p)) => (None, format!("{p}.other_penalties[{i}].{f}")),
            (Loc::Lenient(i, f), Some(p)) => (None, format!("{p}.lenient[{i}].{f}")),
            (Loc::Version(f), None) => (self.version_line, csv_column(f)),
            (Loc::Clause(c, f), None) => (at(&self.clause_lines, *c), csv_column(f)),
            (Loc::Tier(c, t, f), None) => (
                self.tier_lines
                    .get(*c)
                    .and_then(|v| v.get(*t).copied().flatten())
                    .or(at(&self.clause_lines, *c)),
                csv_column(f),
            ),
            (Loc::Other(i, f), None) => (at(&self.other_lines, *i), csv_column(f)),
            (Loc::Lenient(i, f), None) => (at(&self.lenient_lines, *i), csv_column(f)),
        }
    }
}

fn csv_column(field: &str) -> String {
    match field {
        "clauses" => "clause",
        "item" => "item_code",
        "when" => "conditions",
        other => other,
    }
    .to_string()
}

/// The statutory and house rules of `rules::benchmark_problems`, reported
/// against the rows they came from.
pub fn check(parsed: &[(Benchmark, Origin)]) -> Vec<ImportIssue> {
    let mut out = vec![];
    for (i, (b, o)) in parsed.iter().enumerate() {
        if parsed[..i]
            .iter()
            .any(|(x, _)| x.item == b.item && x.version == b.version)
        {
            let (line, column) = o.locate(&Loc::Version("version"));
            out.push(ImportIssue {
                file: o.file.clone(),
                line,
                column,
                reason: format!("{} version {} appears twice", b.item, b.version),
            });
        }
        for p in rules::benchmark_problems(b) {
            let (line, column) = o.locate(&p.loc);
            out.push(ImportIssue {
                file: o.file.clone(),
                line,
                column,
                reason: format!("{} {}: {}", b.item, b.version, p.reason),
            });
        }
    }
    out
}

// ------------------------------------------------------------ TOML

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum Num {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Num {
    fn scaled(&self, scale: u32) -> Option<i64> {
        match self {
            Num::Int(i) => i.checked_mul(10i64.pow(scale)),
            Num::Float(f) => parse_scaled(&format!("{f}"), scale),
            Num::Text(s) => parse_scaled(s, scale),
        }
    }
    fn from_scaled(v: i64, scale: u32) -> Num {
        let p = 10i64.pow(scale);
        if v % p == 0 {
            Num::Int(v / p)
        } else {
            Num::Float(show_scaled(v, scale).parse().unwrap_or(0.0))
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    benchmarks: Vec<VersionDoc>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionDoc {
    item: String,
    version: String,
    effective_from: toml::value::Datetime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    effective_until: Option<toml::value::Datetime>,
    #[serde(default)]
    published: bool,
    convention: Convention,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    no_fault_exception: Option<Citation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    other_penalties: Vec<OtherDoc>,
    clauses: Vec<ClauseDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    lenient: Vec<LenientDoc>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OtherDoc {
    penalty: PenaltyType,
    #[serde(default)]
    when: String,
    note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    basis: Option<Citation>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClauseDoc {
    id: String,
    #[serde(default)]
    when: String,
    unit: Unit,
    min: Num,
    max: Num,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    basis: Option<Citation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tiers: Vec<TierDoc>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TierDoc {
    tier: Tier,
    #[serde(default)]
    when: String,
    min: Num,
    max: Num,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    basis: Option<Citation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LenientDoc {
    list: LenientList,
    #[serde(default)]
    when: String,
    description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    basis: Option<Citation>,
}

/// A citation the author left out: reported by the rules as missing.
fn no_citation() -> Citation {
    Citation {
        law: String::new(),
        article: 0,
        paragraph: None,
        item: None,
    }
}

fn date_toml(d: NaiveDate) -> toml::value::Datetime {
    d.format("%Y-%m-%d")
        .to_string()
        .parse()
        .expect("a date prints as a TOML date")
}

/// Collects problems while building; every one is kept.
struct Issues<'a> {
    file: &'a str,
    list: Vec<ImportIssue>,
}

impl Issues<'_> {
    fn add(&mut self, line: Option<usize>, column: impl Into<String>, reason: impl Into<String>) {
        self.list.push(ImportIssue {
            file: self.file.to_string(),
            line,
            column: column.into(),
            reason: reason.into(),
        });
    }
    fn condition(&mut self, text: &str, line: Option<usize>, column: &str) -> Condition {
        Condition::parse(text).unwrap_or_else(|e| {
            self.add(line, column, format!("condition: {e}"));
            Condition::always()
        })
    }
    fn amount(&mut self, n: &Num, scale: u32, line: Option<usize>, column: &str) -> i64 {
        n.scaled(scale).unwrap_or_else(|| {
            self.add(
                line,
                column,
                format!("not an amount with at most {scale} decimals: {n:?}"),
            );
            0
        })
    }
}

/// Applies the version's convention to clauses written without tiers.
fn fill_tiers(b: &mut Benchmark, issues: &mut Issues, origin: &Origin) {
    for (ci, c) in b.clauses.iter_mut().enumerate() {
        if c.tiers.is_empty() && b.convention != Convention::Custom && c.min <= c.max {
            match rules::generate_tiers(b.convention, c) {
                Ok(t) => c.tiers = t,
                Err(e) => {
                    let (line, column) = origin.locate(&Loc::Clause(ci, "convention"));
                    issues.add(line, column, e);
                }
            }
        }
    }
}

/// Reads a TOML benchmarks file (`fixtures/benchmarks/*.toml`).
pub fn read_toml(file: &str, text: &str) -> Result<Vec<(Benchmark, Origin)>, Vec<ImportIssue>> {
    let mut issues = Issues { file, list: vec![] };
    let doc: FileDoc = match toml::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            issues.add(line, "", e.message().to_string());
            return Err(issues.list);
        }
    };
    let mut out = vec![];
    for (i, v) in doc.benchmarks.into_iter().enumerate() {
        let p = format!("benchmarks[{i}]");
        let origin = Origin {
            file: file.into(),
            entry: Some(i),
            ..Default::default()
        };
        let effective_from = toml_date(&v.effective_from).unwrap_or_else(|| {
            issues.add(
                None,
                format!("{p}.effective_from"),
                "not a date (YYYY-MM-DD)",
            );
            NaiveDate::MIN
        });
        let effective_until = v.effective_until.as_ref().and_then(|d| {
            let r = toml_date(d);
            if r.is_none() {
                issues.add(
                    None,
                    format!("{p}.effective_until"),
                    "not a date (YYYY-MM-DD)",
                );
            }
            r
        });
        let mut clauses = vec![];
        for (ci, c) in v.clauses.iter().enumerate() {
            let cp = format!("{p}.clauses[{ci}]");
            let scale = c.unit.scale();
            let mut tiers = vec![];
            for (ti, t) in c.tiers.iter().enumerate() {
                let tp = format!("{cp}.tiers[{ti}]");
                tiers.push(TierRule {
                    tier: t.tier,
                    when: issues.condition(&t.when, None, &format!("{tp}.when")),
                    min: issues.amount(&t.min, scale, None, &format!("{tp}.min")),
                    max: issues.amount(&t.max, scale, None, &format!("{tp}.max")),
                    basis: t.basis.clone().unwrap_or_else(no_citation),
                    description: t.description.clone(),
                });
            }
            clauses.push(Clause {
                id: c.id.clone(),
                when: issues.condition(&c.when, None, &format!("{cp}.when")),
                unit: c.unit,
                min: issues.amount(&c.min, scale, None, &format!("{cp}.min")),
                max: issues.amount(&c.max, scale, None, &format!("{cp}.max")),
                basis: c.basis.clone().unwrap_or_else(no_citation),
                tiers,
            });
        }
        let other_penalties = v
            .other_penalties
            .iter()
            .enumerate()
            .map(|(oi, o)| OtherPenalty {
                penalty: o.penalty,
                when: issues.condition(&o.when, None, &format!("{p}.other_penalties[{oi}].when")),
                note: o.note.clone(),
                basis: o.basis.clone().unwrap_or_else(no_citation),
            })
            .collect();
        let lenient = v
            .lenient
            .iter()
            .enumerate()
            .map(|(li, l)| LenientEntry {
                list: l.list,
                when: issues.condition(&l.when, None, &format!("{p}.lenient[{li}].when")),
                description: l.description.clone(),
                basis: l.basis.clone().unwrap_or_else(no_citation),
            })
            .collect();
        let mut b = Benchmark {
            item: v.item,
            version: v.version,
            effective_from,
            effective_until,
            published: v.published,
            convention: v.convention,
            source: v.source,
            no_fault_exception: v.no_fault_exception,
            clauses,
            other_penalties,
            lenient,
        };
        fill_tiers(&mut b, &mut issues, &origin);
        out.push((b, origin));
    }
    if issues.list.is_empty() {
        Ok(out)
    } else {
        Err(issues.list)
    }
}

/// Writes benchmarks as a TOML file `read_toml` takes back.
pub fn write_toml(benchmarks: &[Benchmark]) -> String {
    let doc = FileDoc {
        benchmarks: benchmarks
            .iter()
            .map(|b| VersionDoc {
                item: b.item.clone(),
                version: b.version.clone(),
                effective_from: date_toml(b.effective_from),
                effective_until: b.effective_until.map(date_toml),
                published: b.published,
                convention: b.convention,
                source: b.source.clone(),
                no_fault_exception: b.no_fault_exception.clone(),
                other_penalties: b
                    .other_penalties
                    .iter()
                    .map(|o| OtherDoc {
                        penalty: o.penalty,
                        when: o.when.to_string(),
                        note: o.note.clone(),
                        basis: Some(o.basis.clone()),
                    })
                    .collect(),
                clauses: b
                    .clauses
                    .iter()
                    .map(|c| ClauseDoc {
                        id: c.id.clone(),
                        when: c.when.to_string(),
                        unit: c.unit,
                        min: Num::from_scaled(c.min, c.unit.scale()),
                        max: Num::from_scaled(c.max, c.unit.scale()),
                        basis: Some(c.basis.clone()),
                        tiers: c
                            .tiers
                            .iter()
                            .map(|t| TierDoc {
                                tier: t.tier,
                                when: t.when.to_string(),
                                min: Num::from_scaled(t.min, c.unit.scale()),
                                max: Num::from_scaled(t.max, c.unit.scale()),
                                basis: Some(t.basis.clone()),
                                description: t.description.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
                lenient: b
                    .lenient
                    .iter()
                    .map(|l| LenientDoc {
                        list: l.list,
                        when: l.when.to_string(),
                        description: l.description.clone(),
                        basis: Some(l.basis.clone()),
                    })
                    .collect(),
            })
            .collect(),
    };
    toml::to_string(&doc).unwrap_or_default()
}

// ------------------------------------------------------------ rows (CSV, XLSX)

/// The columns of the CSV and XLSX formats, in order.
pub const COLUMNS: [&str; 14] = [
    "item_code",
    "version",
    "effective_from",
    "effective_until",
    "published",
    "convention",
    "clause",
    "tier",
    "conditions",
    "min",
    "max",
    "unit",
    "basis",
    "description",
];

const REQUIRED: [&str; 10] = [
    "item_code",
    "version",
    "effective_from",
    "clause",
    "tier",
    "conditions",
    "min",
    "max",
    "unit",
    "basis",
];

type Row = (usize, HashMap<&'static str, String>);

fn enum_value<T: for<'de> Deserialize<'de>>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_string())).ok()
}

fn enum_text<T: Serialize>(v: &T) -> String {
    crate::db::enum_str(v)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "是" => Some(true),
        "false" | "no" | "0" | "否" | "" => Some(false),
        _ => None,
    }
}

/// Builds benchmarks from rows: `statutory` rows declare a clause, tier
/// rows refine it, `other` rows add a penalty (its type in `unit`),
/// `list:<list>` rows add a lenient-list entry.
fn from_rows(file: &str, rows: Vec<Row>) -> Result<Vec<(Benchmark, Origin)>, Vec<ImportIssue>> {
    let mut issues = Issues { file, list: vec![] };
    let mut out: Vec<(Benchmark, Origin)> = vec![];
    let mut clause_units: Vec<HashMap<String, Unit>> = vec![];
    // Tier rows may come before their statutory row: keep them for later.
    let mut pending: Vec<(usize, usize, String, TierRule, Option<Unit>)> = vec![];
    for (line, r) in rows {
        let get = |c: &str| r.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
        if COLUMNS.iter().all(|c| get(c).is_empty()) {
            continue;
        }
        let item = get("item_code");
        let version = get("version");
        if item.is_empty() {
            issues.add(Some(line), "item_code", "empty");
            continue;
        }
        if version.is_empty() {
            issues.add(Some(line), "version", "empty");
            continue;
        }
        let date = |issues: &mut Issues, col: &str| -> Option<NaiveDate> {
            let s = get(col);
            if s.is_empty() {
                return None;
            }
            let d = NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok();
            if d.is_none() {
                issues.add(Some(line), col, format!("not a date (YYYY-MM-DD): {s:?}"));
            }
            d
        };
        let from = date(&mut issues, "effective_from");
        let until = date(&mut issues, "effective_until");
        let published = parse_bool(&get("published")).unwrap_or_else(|| {
            issues.add(Some(line), "published", "expected true or false");
            false
        });
        let convention: Option<Convention> = if get("convention").is_empty() {
            None
        } else {
            let c = enum_value(&get("convention"));
            if c.is_none() {
                issues.add(
                    Some(line),
                    "convention",
                    "expected split_30_40_30, midpoint, max_only_40_60, max_only_samr or custom",
                );
            }
            c
        };
        let idx = match out
            .iter()
            .position(|(b, _)| b.item == item && b.version == version)
        {
            Some(i) => {
                let (b, o) = &mut out[i];
                let first = o.version_line;
                let mut differs = |col: &str| {
                    issues.add(
                        Some(line),
                        col,
                        format!(
                            "differs from line {} of the same version",
                            first.unwrap_or(0)
                        ),
                    )
                };
                if from.is_some_and(|d| d != b.effective_from) {
                    differs("effective_from");
                }
                if until.is_some() && until != b.effective_until {
                    differs("effective_until");
                }
                if convention.is_some_and(|c| c != b.convention) {
                    differs("convention");
                }
                if published {
                    b.published = true;
                }
                i
            }
            None => {
                if from.is_none() && get("effective_from").is_empty() {
                    issues.add(
                        Some(line),
                        "effective_from",
                        "the first row of a version gives its effective date",
                    );
                }
                out.push((
                    Benchmark {
                        item: item.clone(),
                        version: version.clone(),
                        effective_from: from.unwrap_or(NaiveDate::MIN),
                        effective_until: until,
                        published,
                        convention: convention.unwrap_or(Convention::Custom),
                        source: None,
                        no_fault_exception: None,
                        clauses: vec![],
                        other_penalties: vec![],
                        lenient: vec![],
                    },
                    Origin {
                        file: file.into(),
                        version_line: Some(line),
                        ..Default::default()
                    },
                ));
                clause_units.push(HashMap::new());
                out.len() - 1
            }
        };
        let basis = {
            let s = get("basis");
            if s.is_empty() {
                no_citation()
            } else {
                Citation::parse_chinese(&s).unwrap_or_else(|| {
                    issues.add(
                        Some(line),
                        "basis",
                        format!("not a citation like 《中华人民共和国食品安全法》第一百二十二条第一款: {s:?}"),
                    );
                    no_citation()
                })
            }
        };
        let when = issues.condition(&get("conditions"), Some(line), "conditions");
        let description = Some(get("description")).filter(|d| !d.is_empty());
        let tier_text = get("tier");
        let (b, o) = &mut out[idx];
        if let Some(list) = tier_text.strip_prefix("list:") {
            let Some(list) = enum_value::<LenientList>(list) else {
                issues.add(
                    Some(line),
                    "tier",
                    "list must be list:no_penalty, list:first_violation, list:mitigated or list:lighter",
                );
                continue;
            };
            b.lenient.push(LenientEntry {
                list,
                when,
                description: description.unwrap_or_default(),
                basis,
            });
            o.lenient_lines.push(Some(line));
            continue;
        }
        if tier_text == "exception:no_fault" {
            if b.no_fault_exception.is_some() {
                issues.add(Some(line), "tier", "exception:no_fault is given twice");
            }
            b.no_fault_exception = Some(basis);
            continue;
        }
        if tier_text == "other" {
            let Some(penalty) = enum_value::<PenaltyType>(&get("unit")) else {
                issues.add(
                    Some(line),
                    "unit",
                    "an `other` row names its penalty type in unit (e.g. revoke_license)",
                );
                continue;
            };
            b.other_penalties.push(OtherPenalty {
                penalty,
                when,
                note: description.unwrap_or_default(),
                basis,
            });
            o.other_lines.push(Some(line));
            continue;
        }
        let clause_id = get("clause");
        if clause_id.is_empty() {
            issues.add(Some(line), "clause", "empty");
            continue;
        }
        let unit: Option<Unit> = {
            let u = get("unit");
            if u.is_empty() {
                None
            } else {
                let v = enum_value(&u);
                if v.is_none() {
                    issues.add(
                        Some(line),
                        "unit",
                        "expected yuan, times_goods_value or times_illegal_gains",
                    );
                }
                v
            }
        };
        if tier_text == "statutory" {
            let Some(unit) = unit else {
                issues.add(Some(line), "unit", "a statutory row gives its unit");
                continue;
            };
            if clause_units[idx].contains_key(&clause_id) {
                issues.add(
                    Some(line),
                    "clause",
                    format!("clause {clause_id:?} is declared twice"),
                );
                continue;
            }
            let min = issues.amount(&Num::Text(get("min")), unit.scale(), Some(line), "min");
            let max = issues.amount(&Num::Text(get("max")), unit.scale(), Some(line), "max");
            if description.is_some() && b.source.is_none() {
                b.source = description;
            }
            b.clauses.push(Clause {
                id: clause_id.clone(),
                when,
                unit,
                min,
                max,
                basis,
                tiers: vec![],
            });
            o.clause_lines.push(Some(line));
            o.tier_lines.push(vec![]);
            clause_units[idx].insert(clause_id, unit);
            continue;
        }
        let Some(tier) = enum_value::<Tier>(&tier_text) else {
            issues.add(
                Some(line),
                "tier",
                "expected statutory, no_penalty, mitigated, lighter, general, heavier, other or list:<list>",
            );
            continue;
        };
        let scale = unit.unwrap_or(Unit::Yuan).scale();
        let rule = TierRule {
            tier,
            when,
            min: issues.amount(&Num::Text(get("min")), scale, Some(line), "min"),
            max: issues.amount(&Num::Text(get("max")), scale, Some(line), "max"),
            basis,
            description,
        };
        pending.push((idx, line, clause_id, rule, unit));
    }
    for (idx, line, clause_id, rule, unit) in pending {
        let (b, o) = &mut out[idx];
        let Some(ci) = b.clauses.iter().position(|c| c.id == clause_id) else {
            issues.add(
                Some(line),
                "clause",
                format!(
                    "no statutory row declares clause {clause_id:?} of {} {}",
                    b.item, b.version
                ),
            );
            continue;
        };
        if unit.is_some_and(|u| u != b.clauses[ci].unit) {
            issues.add(
                Some(line),
                "unit",
                "differs from the unit of the clause's statutory row",
            );
            continue;
        }
        b.clauses[ci].tiers.push(rule);
        o.tier_lines[ci].push(Some(line));
    }
    for (b, o) in out.iter_mut() {
        fill_tiers(b, &mut issues, o);
    }
    if issues.list.is_empty() {
        Ok(out)
    } else {
        Err(issues.list)
    }
}

fn header_index(
    file: &str,
    header: &[String],
) -> Result<Vec<Option<&'static str>>, Vec<ImportIssue>> {
    let cols: Vec<Option<&'static str>> = header
        .iter()
        .map(|h| COLUMNS.iter().copied().find(|c| *c == h.trim()))
        .collect();
    let missing: Vec<ImportIssue> = REQUIRED
        .iter()
        .filter(|r| !cols.contains(&Some(**r)))
        .map(|r| ImportIssue {
            file: file.into(),
            line: Some(1),
            column: r.to_string(),
            reason: "required column is missing from the header".into(),
        })
        .collect();
    if missing.is_empty() {
        Ok(cols)
    } else {
        Err(missing)
    }
}

/// Reads a CSV file (UTF-8, with or without BOM; header row first).
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Vec<(Benchmark, Origin)>, Vec<ImportIssue>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let issue = |line: usize, reason: String| {
        vec![ImportIssue {
            file: file.into(),
            line: Some(line),
            column: String::new(),
            reason,
        }]
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| issue(1, format!("header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let cols = header_index(file, &header)?;
    let mut rows = vec![];
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            issue(line, format!("not valid CSV: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let map = cols
            .iter()
            .zip(rec.iter())
            .filter_map(|(c, v)| c.map(|c| (c, v.to_string())))
            .collect();
        rows.push((line, map));
    }
    from_rows(file, rows)
}

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Data::Error(e) => format!("#ERROR {e:?}"),
        Data::Empty => String::new(),
    }
}

/// Reads the first sheet of an XLSX workbook (header row first).
pub fn read_xlsx(file: &str, bytes: &[u8]) -> Result<Vec<(Benchmark, Origin)>, Vec<ImportIssue>> {
    use calamine::Reader;
    let fail = |reason: String| {
        vec![ImportIssue {
            file: file.into(),
            line: None,
            column: String::new(),
            reason,
        }]
    };
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
            .map_err(|e| fail(format!("not an XLSX workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| fail("the workbook has no sheet".into()))?
        .map_err(|e| fail(format!("first sheet: {e}")))?;
    let start_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows_iter = range.rows();
    let header: Vec<String> = rows_iter
        .next()
        .map(|r| r.iter().map(cell_text).collect())
        .unwrap_or_default();
    let cols = header_index(file, &header)?;
    let rows = rows_iter
        .enumerate()
        .map(|(i, r)| {
            let map = cols
                .iter()
                .zip(r.iter())
                .filter_map(|(c, v)| c.map(|c| (c, cell_text(v))))
                .collect();
            (start_row + i + 2, map)
        })
        .collect();
    from_rows(file, rows)
}

/// The rows of the CSV/XLSX formats for these benchmarks.
pub fn to_rows(benchmarks: &[Benchmark]) -> Vec<[String; 14]> {
    let mut out = vec![];
    for b in benchmarks {
        let mut first = true;
        let mut row = |clause: &str,
                       tier: String,
                       when: &Condition,
                       min: String,
                       max: String,
                       unit: String,
                       basis: &Citation,
                       description: &str| {
            let head = if first {
                [
                    b.effective_from.to_string(),
                    b.effective_until.map(|d| d.to_string()).unwrap_or_default(),
                    b.published.to_string(),
                    enum_text(&b.convention),
                ]
            } else {
                Default::default()
            };
            first = false;
            let [from, until, published, convention] = head;
            out.push([
                b.item.clone(),
                b.version.clone(),
                from,
                until,
                published,
                convention,
                clause.to_string(),
                tier,
                when.to_string(),
                min,
                max,
                unit,
                basis.to_chinese(),
                description.to_string(),
            ]);
        };
        for (ci, c) in b.clauses.iter().enumerate() {
            let s = c.unit.scale();
            let source = if ci == 0 {
                b.source.as_deref().unwrap_or("")
            } else {
                ""
            };
            row(
                &c.id,
                "statutory".into(),
                &c.when,
                show_scaled(c.min, s),
                show_scaled(c.max, s),
                enum_text(&c.unit),
                &c.basis,
                source,
            );
            for t in &c.tiers {
                row(
                    &c.id,
                    enum_text(&t.tier),
                    &t.when,
                    show_scaled(t.min, s),
                    show_scaled(t.max, s),
                    enum_text(&c.unit),
                    &t.basis,
                    t.description.as_deref().unwrap_or(""),
                );
            }
        }
        if let Some(c) = &b.no_fault_exception {
            row(
                "",
                "exception:no_fault".into(),
                &Condition::always(),
                String::new(),
                String::new(),
                String::new(),
                c,
                "",
            );
        }
        for o in &b.other_penalties {
            row(
                "",
                "other".into(),
                &o.when,
                String::new(),
                String::new(),
                enum_text(&o.penalty),
                &o.basis,
                &o.note,
            );
        }
        for l in &b.lenient {
            row(
                "",
                format!("list:{}", enum_text(&l.list)),
                &l.when,
                String::new(),
                String::new(),
                String::new(),
                &l.basis,
                &l.description,
            );
        }
    }
    out
}

pub fn write_csv(benchmarks: &[Benchmark]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(vec![]);
    let _ = w.write_record(COLUMNS);
    for r in to_rows(benchmarks) {
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

pub fn write_xlsx(benchmarks: &[Benchmark]) -> Result<Vec<u8>, String> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("benchmarks").map_err(|e| e.to_string())?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet
            .write_string(0, c as u16, *name)
            .map_err(|e| e.to_string())?;
    }
    for (r, row) in to_rows(benchmarks).iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet
                    .write_string(r as u32 + 1, c as u16, v)
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// Reads a file of any of the three formats.
pub fn read(
    format: Format,
    file: &str,
    bytes: &[u8],
) -> Result<Vec<(Benchmark, Origin)>, Vec<ImportIssue>> {
    match format {
        Format::Toml => match std::str::from_utf8(bytes) {
            Ok(text) => read_toml(file, text),
            Err(_) => Err(vec![ImportIssue {
                file: file.into(),
                line: None,
                column: String::new(),
                reason: "not UTF-8 text".into(),
            }]),
        },
        Format::Csv => read_csv(file, bytes),
        Format::Xlsx => read_xlsx(file, bytes),
    }
}

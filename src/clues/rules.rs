//! The law of clues (线索): when the filing decision is due, the grounds
//! for not filing, the one extension, and the rows of a monitoring import.
//! Pure.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::rules::{Calendar, Excluded};
use crate::cases::events::ExclusionRequest;
use crate::cases::rules::{limitation_until, Source};
use crate::error::{AppError, AppResult, Code, FieldError};
use crate::profiles::rules::Profile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClueStatus {
    /// Registered, the filing decision not yet taken.
    Pending,
    /// A case was filed from it.
    Filed,
    /// Not filed (不予立案), with its ground.
    Rejected,
    /// Sent to the competent agency before filing.
    Transferred,
}

/// Why a clue is not filed (不予立案), each with the rule that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NonFilingGround {
    /// 违法事实不能成立 (APL Art 57 ¶1 (3)).
    NotEstablished,
    /// 违法行为轻微并及时改正，没有造成危害后果 (Art 33 ¶1, shall not).
    MinorAndCorrected,
    /// 初次违法且危害后果轻微并及时改正 (Art 33 ¶1, may not; 首违不罚).
    FirstViolation,
    /// 有证据足以证明没有主观过错 (Art 33 ¶2).
    NoFault,
    /// 不满十四周岁 (Art 30).
    Underage,
    /// 不能辨认或者不能控制自己行为的精神病人、智力残疾人 (Art 31).
    MentalIncapacity,
    /// 不属于本机关管辖 (Art 22–25): transfer it instead where an agency is competent.
    NoJurisdiction,
    /// 超过追责期限 (Art 36): judged at the date of discovery.
    TimeBarred,
}

impl NonFilingGround {
    pub fn basis(self) -> &'static str {
        match self {
            NonFilingGround::NotEstablished => {
                "《中华人民共和国行政处罚法》第五十七条第一款第（三）项"
            }
            NonFilingGround::MinorAndCorrected => "《中华人民共和国行政处罚法》第三十三条第一款",
            NonFilingGround::FirstViolation => "《中华人民共和国行政处罚法》第三十三条第一款",
            NonFilingGround::NoFault => "《中华人民共和国行政处罚法》第三十三条第二款",
            NonFilingGround::Underage => "《中华人民共和国行政处罚法》第三十条",
            NonFilingGround::MentalIncapacity => "《中华人民共和国行政处罚法》第三十一条",
            NonFilingGround::NoJurisdiction => "《中华人民共和国行政处罚法》第二十二条至第二十五条",
            NonFilingGround::TimeBarred => "《中华人民共和国行政处罚法》第三十六条第一款",
        }
    }
}

const DUE_BASIS: &str = "《市场监督管理行政处罚程序规定》第十八条：自发现线索或者收到材料之日起十五个工作日内决定是否立案";

/// The day the filing decision is due: the profile's working days after
/// discovery, plus the one approved extension, with testing and appraisal
/// days not counted (SAMR procedure rules Art 18; 🟡 other sectors' rules
/// set their own, hence the profile).
pub fn filing_due(
    discovered_on: NaiveDate,
    extensions: u32,
    exclusions: &[ExclusionRequest],
    profile: &Profile,
    cal: &Calendar,
) -> (NaiveDate, String) {
    let excluded: Vec<Excluded> = exclusions
        .iter()
        .map(|e| Excluded {
            from: e.from,
            to: e.to,
        })
        .collect();
    let days = profile.clue_filing_working_days + extensions * profile.clue_extension_working_days;
    let due = cal.working_days_after(discovered_on, days, &excluded);
    let mut basis = format!("{DUE_BASIS}（{}个工作日", profile.clue_filing_working_days);
    if extensions > 0 {
        basis.push_str(&format!(
            "，经负责人批准延长{}个工作日",
            profile.clue_extension_working_days
        ));
    }
    if !exclusions.is_empty() {
        basis.push_str("，检测、检验、鉴定期间不计入");
    }
    basis.push('）');
    for w in due.warnings {
        basis.push_str(&w);
    }
    (due.date, basis)
}

/// The filing period is extended once (SAMR procedure rules Art 18: 特殊情况下
/// 可以延长十五个工作日); a second request is refused.
pub fn check_extension(extensions_so_far: u32) -> AppResult<()> {
    if extensions_so_far >= 1 {
        return Err(AppError::rule(
            Code::ClueExtensionUsed,
            "立案核查期限只能经负责人批准延长一次（《市场监督管理行政处罚程序规定》第十八条）",
        ));
    }
    Ok(())
}

/// A time-barred ground needs the violation's day and item, and the
/// limitation must have run out by the day of discovery (Art 36).
pub fn check_ground(
    ground: NonFilingGround,
    occurred_on: Option<NaiveDate>,
    discovered_on: NaiveDate,
    serious_safety: Option<bool>,
    harm_resulted: bool,
) -> AppResult<()> {
    if ground != NonFilingGround::TimeBarred {
        return Ok(());
    }
    let (Some(occurred), Some(serious)) = (occurred_on, serious_safety) else {
        return Err(AppError::rule_on_field(
            Code::ClueGroundNotMet,
            "ground",
            "超过追责期限须有违法行为发生日期和执法事项（行政处罚法第三十六条）",
        ));
    };
    let limitation = limitation_until(occurred, serious, harm_resulted);
    let until = limitation.until;
    if discovered_on <= until {
        return Err(AppError::rule_on_field(
            Code::ClueGroundNotMet,
            "ground",
            format!(
                "违法行为于{discovered_on}被发现，未超过追责期限（{}年，至{until}；{}），不能以超过追责期限不予立案（行政处罚法第三十六条第一款）",
                limitation.years, limitation.why
            ),
        ));
    }
    Ok(())
}

/// A clue's dates: discovered not in the future, the violation not after
/// its discovery.
pub fn check_dates(
    occurred_at: Option<DateTime<Utc>>,
    discovered_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<FieldError> {
    let mut errors = vec![];
    if discovered_at > now {
        errors.push(FieldError::new(
            "discovered_at",
            "in_future",
            "the discovery lies in the future",
        ));
    }
    if let Some(o) = occurred_at {
        if o > discovered_at {
            errors.push(FieldError::new(
                "occurred_at",
                "after_discovery",
                "the violation cannot have occurred after its discovery",
            ));
        }
    }
    errors
}

/// One row of a monitoring import, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// 1-based line in the file (the header is line 1).
    pub line: usize,
    pub source: Source,
    pub summary: String,
    pub enforcement_item_code: Option<String>,
    pub party_name: Option<String>,
    pub location: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub discovered_at: DateTime<Utc>,
}

/// What is wrong with a row: line, column, reason.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub reason: String,
}

/// The header of a clue import (监测结果): `summary` and `discovered_at`
/// are required; `source` defaults to `monitoring`.
pub const IMPORT_COLUMNS: &[&str] = &[
    "source",
    "summary",
    "enforcement_item_code",
    "party_name",
    "location",
    "occurred_at",
    "discovered_at",
];

/// A date (`2026-11-20`, China time midnight) or an RFC 3339 time.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let china = chrono::FixedOffset::east_opt(8 * 3600)?;
    d.and_hms_opt(0, 0, 0)?
        .and_local_timezone(china)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Reads a CSV of clues; every bad cell is reported, and no row is
/// returned when any is bad (an import is all or nothing).
pub fn parse_import(text: &str, now: DateTime<Utc>) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut errors = vec![];
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            return Err(vec![RowError {
                line: 1,
                column: String::new(),
                reason: format!("unreadable header: {e}"),
            }])
        }
    };
    for h in &headers {
        if !IMPORT_COLUMNS.contains(&h.as_str()) {
            errors.push(RowError {
                line: 1,
                column: h.clone(),
                reason: format!(
                    "unknown column; the columns are {}",
                    IMPORT_COLUMNS.join(", ")
                ),
            });
        }
    }
    for required in ["summary", "discovered_at"] {
        if !headers.iter().any(|h| h == required) {
            errors.push(RowError {
                line: 1,
                column: required.into(),
                reason: "required column missing".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = vec![];
    for (i, record) in rdr.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    line,
                    column: String::new(),
                    reason: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        if record.len() != headers.len() {
            errors.push(RowError {
                line,
                column: String::new(),
                reason: format!("{} cells, the header has {}", record.len(), headers.len()),
            });
            continue;
        }
        let cell = |name: &str| -> Option<String> {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let mut bad = |column: &str, reason: String| {
            errors.push(RowError {
                line,
                column: column.into(),
                reason,
            })
        };
        let source = match cell("source") {
            None => Some(Source::Monitoring),
            Some(s) => match crate::db::enum_parse::<Source>(&s) {
                Some(v) => Some(v),
                None => {
                    bad("source", format!("unknown source {s:?}"));
                    None
                }
            },
        };
        let summary = cell("summary");
        if summary.is_none() {
            bad("summary", "required".into());
        }
        let time =
            |name: &str, bad: &mut dyn FnMut(&str, String)| -> Option<Option<DateTime<Utc>>> {
                match cell(name) {
                    None => Some(None),
                    Some(v) => match parse_time(&v) {
                        Some(t) => Some(Some(t)),
                        None => {
                            bad(
                                name,
                                format!("{v:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"),
                            );
                            None
                        }
                    },
                }
            };
        let occurred = time("occurred_at", &mut bad);
        let discovered = time("discovered_at", &mut bad);
        let discovered = match discovered {
            Some(None) => {
                bad("discovered_at", "required".into());
                None
            }
            Some(Some(t)) => Some(t),
            None => None,
        };
        if let (Some(occurred), Some(discovered)) = (occurred, discovered) {
            for e in check_dates(occurred, discovered, now) {
                bad(&e.field, e.message);
            }
        }
        if let (Some(source), Some(summary), Some(occurred), Some(discovered)) =
            (source, summary, occurred, discovered)
        {
            rows.push(ImportRow {
                line,
                source,
                summary,
                enforcement_item_code: cell("enforcement_item_code"),
                party_name: cell("party_name"),
                location: cell("location"),
                occurred_at: occurred,
                discovered_at: discovered,
            });
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 1,
            column: String::new(),
            reason: "the file holds no rows".into(),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> Calendar {
        Calendar::new(&[]).unwrap()
    }

    #[test]
    fn the_filing_decision_is_due_fifteen_working_days_after_discovery() {
        // Mon 2026-11-02 + 15 working days (weekends only) = Mon 2026-11-23.
        let (due, basis) = filing_due(d("2026-11-02"), 0, &[], &Profile::default(), &cal());
        assert_eq!(due, d("2026-11-23"));
        assert!(basis.contains("第十八条"));
        let (extended, basis) = filing_due(d("2026-11-02"), 1, &[], &Profile::default(), &cal());
        assert_eq!(extended, d("2026-12-14"));
        assert!(basis.contains("延长15个工作日"));
    }

    #[test]
    fn testing_days_do_not_count() {
        let testing = ExclusionRequest {
            kind: crate::cases::events::ExclusionKind::Testing,
            from: d("2026-11-09"),
            to: d("2026-11-13"),
            reason: "送检".into(),
        };
        let (due, _) = filing_due(d("2026-11-02"), 0, &[testing], &Profile::default(), &cal());
        assert_eq!(due, d("2026-11-30"));
    }

    #[test]
    fn one_extension_only() {
        assert!(check_extension(0).is_ok());
        assert_eq!(
            check_extension(1).unwrap_err().code,
            Code::ClueExtensionUsed
        );
    }

    #[test]
    fn time_barred_is_judged_at_discovery_article_36() {
        // Two years from 2024-03-01 end on 2026-03-01.
        let occurred = Some(d("2024-03-01"));
        let tb = |on: &str, serious: Option<bool>, harm: bool| {
            check_ground(NonFilingGround::TimeBarred, occurred, d(on), serious, harm)
        };
        assert!(tb("2026-03-02", Some(false), false).is_ok());
        assert_eq!(
            tb("2026-03-01", Some(false), false).unwrap_err().code,
            Code::ClueGroundNotMet
        );
        // Life and health at stake but no harm stated: still two years.
        assert!(tb("2026-03-02", Some(true), false).is_ok());
        // Harm alone, on an ordinary item: two years.
        assert!(tb("2026-03-02", Some(false), true).is_ok());
        // Both: five years, so not time-barred yet; the refusal says why.
        let e = tb("2026-03-02", Some(true), true).unwrap_err();
        assert!(
            e.detail.contains("5年") && e.detail.contains("且有危害后果"),
            "{}",
            e.detail
        );
        assert!(tb("2029-03-02", Some(true), true).is_ok());
        assert!(check_ground(
            NonFilingGround::TimeBarred,
            None,
            d("2026-03-02"),
            Some(false),
            false
        )
        .is_err());
        assert!(check_ground(
            NonFilingGround::NotEstablished,
            None,
            d("2026-03-02"),
            None,
            false
        )
        .is_ok());
    }

    #[test]
    fn an_import_reports_every_bad_cell_and_returns_nothing() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap();
        let ok = "summary,discovered_at,occurred_at,party_name\n颗粒物超标,2026-11-20,2026-11-19,某厂\n噪声超标,2026-11-21T10:00:00+08:00,,\n";
        let rows = parse_import(ok, now).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].source, Source::Monitoring);
        assert_eq!(rows[1].line, 3);
        let bad = "summary,discovered_at,occurred_at,source\n,2026-11-20,,\n超标,2026-13-01,,\n超标,2026-11-20,2026-11-21,\n超标,2027-01-01,,\n超标,2026-11-20,,rumour\n";
        let errs = parse_import(bad, now).unwrap_err();
        let at: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            at,
            vec![
                (2, "summary"),
                (3, "discovered_at"),
                (4, "occurred_at"),
                (5, "discovered_at"),
                (6, "source")
            ]
        );
        let errs = parse_import("summary,when\nx,y\n", now).unwrap_err();
        assert!(errs.iter().any(|e| e.column == "when"));
        assert!(errs.iter().any(|e| e.column == "discovered_at"));
    }
}

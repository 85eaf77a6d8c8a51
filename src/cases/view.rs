//! A case as its readers get it, kept in memory at its version.

use chrono::NaiveDate;
use serde_json::Value;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules::{CaseStatus, Party, Procedure, Source};
use crate::auth::scope::CaseScope;
use crate::clock::china_date;
use crate::db::DbConn;
use crate::documents::{context_of, government_of, ContextParts};
use crate::error::{AppError, AppResult};
pub use crate::kernel::OfficerRole;

/// An officer (or auxiliary) on a case, with the certificate they act under.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseOfficer {
    pub user_id: String,
    pub display_name: String,
    pub role: OfficerRole,
    pub certificate_number: Option<String>,
}

/// A statutory deadline stored on the case with its basis.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Deadline {
    pub kind: String,
    pub due_on: NaiveDate,
    pub basis: String,
    pub status: DeadlineStatus,
}

/// Where a statutory deadline stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// Running.
    Open,
    /// The act it waits for was done.
    Met,
    /// Stopped while the case is suspended.
    Paused,
    /// No longer owed (the case ended another way).
    Cancelled,
}

/// A case file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Case {
    pub id: String,
    pub case_no: String,
    pub status: CaseStatus,
    pub department_id: String,
    pub enforcement_item_code: String,
    pub enforcement_item_name: String,
    pub source: Source,
    pub procedure: Procedure,
    pub party: Party,
    pub facts: String,
    pub location: String,
    pub occurred_at: String,
    pub ended_at: Option<String>,
    pub discovered_at: String,
    pub filed_at: String,
    pub filed_by: String,
    pub intended_fine_fen: Option<i64>,
    /// Whether the violation caused harm (危害后果, Art 36 ¶1), and what.
    pub harm_resulted: bool,
    pub harm_description: Option<String>,
    pub officers: Vec<CaseOfficer>,
    pub deadlines: Vec<Deadline>,
    pub version: i32,
}

/// A line of `GET /cases`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub case_no: String,
    pub status: CaseStatus,
    pub department_id: String,
    pub enforcement_item_code: String,
    pub party_name: String,
    pub filed_at: String,
    pub decision_due: Option<NaiveDate>,
    pub version: i32,
}

/// A case as its readers get it, at one version: where it sits (for the
/// access decision) and its JSON.
pub struct CaseView {
    pub version: i32,
    pub scope: CaseScope,
    pub json: actix_web::web::Bytes,
}

impl CaseView {
    pub fn new(case: &Case, department_path: String) -> AppResult<CaseView> {
        Ok(CaseView {
            version: case.version,
            scope: CaseScope::new(
                case.id.clone(),
                case.department_id.clone(),
                department_path,
                case.officers
                    .iter()
                    .map(|o| (o.user_id.clone(), o.role == OfficerRole::Recused)),
            ),
            json: serde_json::to_vec(case)
                .map_err(|e| AppError::internal(e.to_string()))?
                .into(),
        })
    }
}

/// How long a case file is served from memory while its version stands.
/// Every change of a case moves its version (the record entry does it), so
/// a read never misses one; what can change without it — an officer's
/// display name, the item's name, where the department sits in the tree —
/// shows within this time.
pub const CASE_FILE_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(10);

pub type CaseViews = crate::snapshot::Expiring<std::sync::Arc<CaseView>>;

pub fn new_case_views() -> CaseViews {
    CaseViews::new(CASE_FILE_CACHE_TTL, 4_096)
}

/// What every document knows of a stored case (`documents::context_of`).
pub fn document_context(conn: &mut DbConn, case_id: &str, today: NaiveDate) -> AppResult<Value> {
    let (case, _) = super::store::load_case(conn, case_id)?
        .ok_or_else(|| AppError::not_found("case not found"))?;
    let dept = crate::org::find_department(conn, &case.department_id)?
        .ok_or_else(|| AppError::internal("case department missing"))?;
    let government = government_of(conn, &dept.department)?;
    let item = crate::items::find(conn, &case.enforcement_item_code)?
        .ok_or_else(|| AppError::internal("the case's item is gone"))?;
    let day = |t: &str| {
        china_date(
            chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_default(),
        )
    };
    let filed_on = day(&case.filed_at);
    let filing_rows = filing_rows(FilingFacts {
        case_no: &case.case_no,
        source: case.source,
        party_name: case.party.name.trim(),
        party_address: case.party.address.trim(),
        location: case.location.trim(),
        occurred: crate::documents::chinese_date(day(&case.occurred_at)),
        discovered: crate::documents::chinese_date(day(&case.discovered_at)),
        facts: case.facts.trim(),
        harm: case
            .harm_resulted
            .then(|| case.harm_description.as_deref().unwrap_or_default()),
        filed: crate::documents::chinese_date(filed_on),
    });
    let mut ctx = context_of(&ContextParts {
        case_id: &case.id,
        case_no: &case.case_no,
        facts: &case.facts,
        location: &case.location,
        filed_on,
        item: &item,
        party: &case.party,
        department: &dept.department,
        government: &government,
        officers: case
            .officers
            .iter()
            .filter(|o| o.role == OfficerRole::Officer)
            .map(|o| {
                (
                    o.display_name.clone(),
                    o.certificate_number.clone().unwrap_or_default(),
                )
            })
            .collect(),
        today,
    });
    if let Some(o) = ctx.as_object_mut() {
        o.insert("filing_rows".into(), filing_rows);
    }
    Ok(ctx)
}

/// The facts of a filing, as the 立案审批表 prints them.
pub struct FilingFacts<'a> {
    pub case_no: &'a str,
    pub source: Source,
    pub party_name: &'a str,
    pub party_address: &'a str,
    pub location: &'a str,
    pub occurred: String,
    pub discovered: String,
    pub facts: &'a str,
    pub harm: Option<&'a str>,
    pub filed: String,
}

/// The rows of the 立案审批表.
pub fn filing_rows(f: FilingFacts) -> serde_json::Value {
    serde_json::json!([
        ["案号", f.case_no],
        ["案件来源", source_name(f.source)],
        ["当事人", f.party_name],
        ["住所（住址）", f.party_address],
        ["违法行为发生地", f.location],
        ["违法行为发生时间", f.occurred],
        ["发现时间", f.discovered],
        ["简要案情", f.facts],
        ["危害后果", f.harm.unwrap_or("未发现")],
        ["立案日期", f.filed],
    ])
}

pub fn source_name(s: Source) -> &'static str {
    use Source::*;
    match s {
        Inspection => "监督检查",
        Complaint => "投诉",
        Report => "举报",
        Referral => "其他机关移送",
        Assignment => "上级机关交办",
        Media => "媒体曝光",
        Monitoring => "监测（电子技术监控）",
        Transfer => "案件移交",
    }
}

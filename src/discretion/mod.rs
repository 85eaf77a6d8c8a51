//! 行政裁量权基准 — discretion benchmarks: stored versions, import and
//! export, the lookup use case, lookups attached to cases, consistency
//! (同案同罚) and publication. The law itself is in `rules.rs`.

pub mod api;
pub mod attach;
pub mod cache;
pub mod conditions;
pub mod formats;
pub mod model;
pub mod rules;
pub mod store;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, AuditEvent};
use crate::auth::scope::{self, CaseListScope};
use crate::auth::Caller;
use crate::clock::{china_date, rfc3339};
use crate::db::schema::{benchmark_versions, case_discretion, cases, departments};
use crate::db::{enum_str, json_text, DbConn};
use crate::error::{AppError, AppResult, Code, FieldError};
use crate::items::{Citation, ItemData};
use crate::kernel::PartyKind;
use crate::state::AppState;
use formats::{ImportIssue, Origin};
use model::*;
use rules::{Lookup, Refusal, Verdict};
pub use store::{load_versions, StoredVersion};
use store::{stored_from_row, VersionRow};

fn find_version(conn: &mut DbConn, id: &str) -> AppResult<Option<StoredVersion>> {
    benchmark_versions::table
        .find(id)
        .select((
            benchmark_versions::id,
            benchmark_versions::content,
            benchmark_versions::published_at,
        ))
        .first::<VersionRow>(conn)
        .optional()?
        .map(stored_from_row)
        .transpose()
}

// ------------------------------------------------------------ presentation

/// A range as clients see it: money in fen for a fixed range, the multiple
/// for a multiple clause.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RangeView {
    pub fine_min_fen: Option<i64>,
    pub fine_max_fen: Option<i64>,
    pub multiple_min: Option<f64>,
    pub multiple_max: Option<f64>,
}

/// A tier as clients see it: money in fen, multiples as numbers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierView {
    pub tier: Tier,
    pub conditions: String,
    /// The conditions in words (适用条件).
    pub conditions_text: String,
    #[serde(flatten)]
    pub range: RangeView,
    pub basis: Citation,
    pub basis_text: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClauseView {
    pub id: String,
    pub applies_when: String,
    pub applies_when_text: String,
    pub unit: Unit,
    #[serde(flatten)]
    pub range: RangeView,
    pub basis: Citation,
    pub basis_text: String,
    pub tiers: Vec<TierView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OtherPenaltyView {
    pub penalty: crate::items::PenaltyType,
    pub applies_when: String,
    pub note: String,
    pub basis_text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LenientView {
    pub list: LenientList,
    pub list_name: String,
    pub conditions: String,
    pub description: String,
    pub basis_text: String,
}

/// A benchmark version (API.md `GET /discretion/benchmarks`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BenchmarkView {
    pub id: String,
    pub item_code: String,
    pub item_name: String,
    pub version: String,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub published: bool,
    pub published_at: Option<String>,
    pub convention: Convention,
    pub source: Option<String>,
    /// The law that excludes the no-fault defence of APL Art 33 ¶2, if any.
    pub no_fault_exception: Option<String>,
    pub clauses: Vec<ClauseView>,
    pub other_penalties: Vec<OtherPenaltyView>,
    pub lenient: Vec<LenientView>,
}

fn range_view(unit: Unit, min: i64, max: i64) -> RangeView {
    let multiple = |v: i64| Some(v as f64 / 1000.0);
    if unit.is_multiple() {
        RangeView {
            fine_min_fen: None,
            fine_max_fen: None,
            multiple_min: multiple(min),
            multiple_max: multiple(max),
        }
    } else {
        RangeView {
            fine_min_fen: Some(min),
            fine_max_fen: Some(max),
            multiple_min: None,
            multiple_max: None,
        }
    }
}

pub fn present(v: &StoredVersion, item_name: &str) -> BenchmarkView {
    let b = &v.benchmark;
    BenchmarkView {
        id: v.id.clone(),
        item_code: b.item.clone(),
        item_name: item_name.into(),
        version: b.version.clone(),
        effective_from: b.effective_from,
        effective_until: b.effective_until,
        published: b.published,
        published_at: v.published_at.map(rfc3339),
        convention: b.convention,
        source: b.source.clone(),
        no_fault_exception: b.no_fault_exception.as_ref().map(Citation::to_chinese),
        clauses: b
            .clauses
            .iter()
            .map(|c| ClauseView {
                id: c.id.clone(),
                applies_when: c.when.to_string(),
                applies_when_text: c.when.to_chinese(),
                unit: c.unit,
                range: range_view(c.unit, c.min, c.max),
                basis: c.basis.clone(),
                basis_text: c.basis.to_chinese(),
                tiers: c
                    .tiers
                    .iter()
                    .map(|t| TierView {
                        tier: t.tier,
                        conditions: t.when.to_string(),
                        conditions_text: t.when.to_chinese(),
                        range: range_view(c.unit, t.min, t.max),
                        basis: t.basis.clone(),
                        basis_text: t.basis.to_chinese(),
                        description: t.description.clone(),
                    })
                    .collect(),
            })
            .collect(),
        other_penalties: b
            .other_penalties
            .iter()
            .map(|o| OtherPenaltyView {
                penalty: o.penalty,
                applies_when: o.when.to_chinese(),
                note: o.note.clone(),
                basis_text: o.basis.to_chinese(),
            })
            .collect(),
        lenient: b
            .lenient
            .iter()
            .map(|l| LenientView {
                list: l.list,
                list_name: l.list.chinese().into(),
                conditions: l.when.to_chinese(),
                description: l.description.clone(),
                basis_text: l.basis.to_chinese(),
            })
            .collect(),
    }
}

// ------------------------------------------------------------ import

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Updated,
    Unchanged,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionChange {
    pub item_code: String,
    pub version: String,
    pub published: bool,
    pub change: Change,
}

/// What an import did, or — on a dry run — would do.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = BenchmarkImportReport)]
pub struct ImportReport {
    pub dry_run: bool,
    pub versions: Vec<VersionChange>,
    pub issues: Vec<ImportIssue>,
}

impl ImportReport {
    pub fn count(&self, change: Change) -> usize {
        self.versions.iter().filter(|v| v.change == change).count()
    }
}

/// The answer to an import with bad rows: 422 naming every one.
pub fn issues_error(issues: &[ImportIssue]) -> AppError {
    let errors: Vec<FieldError> = issues
        .iter()
        .map(|i| FieldError {
            field: i.column.clone(),
            code: "bad_row".into(),
            message: i.reason.clone(),
            file: Some(i.file.clone()),
            line: i.line,
        })
        .collect();
    let mut e = AppError::rule(
        Code::ImportFailed,
        format!(
            "{} problem(s); nothing was imported. First: {}{}: {}",
            issues.len(),
            issues[0].file,
            issues[0]
                .line
                .map(|l| format!(" line {l}"))
                .unwrap_or_default(),
            issues[0].reason
        ),
    );
    e.errors = errors;
    e
}

/// Checks parsed benchmarks against the database (items exist, penalties
/// are the item's, published versions never change) and, unless
/// `dry_run`, stores them. Run inside a write transaction; with any issue
/// nothing is written.
pub fn import_parsed(
    conn: &mut DbConn,
    parsed: Vec<(Benchmark, Origin)>,
    dry_run: bool,
    actor: &AuditEvent,
    now: NaiveDateTime,
) -> AppResult<ImportReport> {
    let mut issues = formats::check(&parsed);
    let mut items: HashMap<String, Option<ItemData>> = HashMap::new();
    let mut plan = vec![];
    for (b, origin) in &parsed {
        let item = match items.get(&b.item) {
            Some(i) => i.clone(),
            None => {
                let i = crate::items::find(conn, &b.item)?;
                items.insert(b.item.clone(), i.clone());
                i
            }
        };
        let issue = |loc: rules::Loc, reason: String| {
            let (line, column) = origin.locate(&loc);
            ImportIssue {
                file: origin.file.clone(),
                line,
                column,
                reason,
            }
        };
        let Some(item) = item else {
            issues.push(issue(
                rules::Loc::Version("item"),
                format!("unknown enforcement item {}", b.item),
            ));
            continue;
        };
        for (i, o) in b.other_penalties.iter().enumerate() {
            if !item.penalty_types.contains(&o.penalty) {
                issues.push(issue(
                    rules::Loc::Other(i, "penalty"),
                    format!(
                        "{}: {} is not a penalty of this item (行政处罚法第三十八条: no penalty without legal basis)",
                        b.item,
                        enum_str(&o.penalty)
                    ),
                ));
            }
        }
        let existing: Option<(String, String, bool)> = benchmark_versions::table
            .filter(benchmark_versions::item_code.eq(&b.item))
            .filter(benchmark_versions::version.eq(&b.version))
            .select((
                benchmark_versions::id,
                benchmark_versions::content,
                benchmark_versions::published,
            ))
            .first(conn)
            .optional()?;
        let change = match &existing {
            None => Change::Added,
            Some((_, content, published)) => {
                let old: Option<Benchmark> = serde_json::from_str(content).ok();
                // Publication happens by endpoint as well: a file that still
                // says unpublished does not undo it.
                let mut same = b.clone();
                same.published = same.published || *published;
                if old.as_ref() == Some(&same) {
                    Change::Unchanged
                } else if *published {
                    issues.push(issue(
                        rules::Loc::Version("version"),
                        format!(
                            "{} version {} is published and cannot change; import the change as a new version",
                            b.item, b.version
                        ),
                    ));
                    continue;
                } else {
                    Change::Updated
                }
            }
        };
        plan.push((b.clone(), existing.map(|e| (e.0, e.1)), change));
    }
    let report = ImportReport {
        dry_run,
        versions: plan
            .iter()
            .map(|(b, _, c)| VersionChange {
                item_code: b.item.clone(),
                version: b.version.clone(),
                published: b.published,
                change: *c,
            })
            .collect(),
        issues,
    };
    if dry_run || !report.issues.is_empty() {
        return Ok(report);
    }
    for (b, existing, change) in plan {
        if change == Change::Unchanged {
            continue;
        }
        let content = json_text(&b);
        let published_at = b.published.then(|| crate::db::micros(now));
        let target = format!("benchmark:{}@{}", b.item, b.version);
        match existing {
            Some((id, old)) => {
                diesel::update(benchmark_versions::table.find(&id))
                    .set((
                        benchmark_versions::effective_from.eq(b.effective_from),
                        benchmark_versions::effective_until.eq(b.effective_until),
                        benchmark_versions::published.eq(b.published),
                        benchmark_versions::convention.eq(enum_str(&b.convention)),
                        benchmark_versions::content.eq(&content),
                        benchmark_versions::published_at.eq(published_at),
                        benchmark_versions::updated_at.eq(crate::db::micros(now)),
                    ))
                    .execute(conn)?;
                let old: Option<Benchmark> = serde_json::from_str(&old).ok();
                let e = AuditEvent {
                    action: "benchmark.updated".into(),
                    target: Some(target),
                    ..actor.clone()
                };
                audit::write(conn, now, &e.change(old.as_ref(), Some(&b)))?;
            }
            None => {
                diesel::insert_into(benchmark_versions::table)
                    .values((
                        benchmark_versions::id.eq(uuid::Uuid::now_v7().to_string()),
                        benchmark_versions::item_code.eq(&b.item),
                        benchmark_versions::version.eq(&b.version),
                        benchmark_versions::effective_from.eq(b.effective_from),
                        benchmark_versions::effective_until.eq(b.effective_until),
                        benchmark_versions::published.eq(b.published),
                        benchmark_versions::convention.eq(enum_str(&b.convention)),
                        benchmark_versions::content.eq(&content),
                        benchmark_versions::published_at.eq(published_at),
                        benchmark_versions::created_at.eq(crate::db::micros(now)),
                        benchmark_versions::updated_at.eq(crate::db::micros(now)),
                    ))
                    .execute(conn)?;
                let e = AuditEvent {
                    action: "benchmark.created".into(),
                    target: Some(target),
                    ..actor.clone()
                };
                audit::write(conn, now, &e.change::<(), _>(None, Some(&b)))?;
            }
        }
    }
    Ok(report)
}

/// Reads every `*.toml` of `fixtures/benchmarks/` (for `zhifa import` and
/// the first start). Any bad entry fails the whole import.
pub fn read_fixture_dir(dir: &Path) -> AppResult<Vec<(Benchmark, Origin)>> {
    let mut out = vec![];
    let mut issues = vec![];
    for f in crate::fixtures::toml_files(dir)? {
        let text = std::fs::read_to_string(&f)
            .map_err(|e| AppError::rule(Code::ImportFailed, format!("{}: {e}", f.display())))?;
        match formats::read_toml(&f.display().to_string(), &text) {
            Ok(mut v) => out.append(&mut v),
            Err(mut e) => issues.append(&mut e),
        }
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(issues_error(&issues))
    }
}

/// Publishes a version (公开): from now on lookups in its effective period use it.
pub async fn publish(state: &AppState, caller: &Caller, id: &str) -> AppResult<BenchmarkView> {
    scope::require_rule_data_admin(caller)?;
    let id = id.to_string();
    let now = state.clock.now_naive();
    let event = AuditEvent::by(
        caller,
        "benchmark.published",
        format!("benchmark_version:{id}"),
    );
    let (v, name) = state
        .db
        .write(move |conn| {
            let mut v = find_version(conn, &id)?
                .ok_or_else(|| AppError::not_found("benchmark version not found"))?;
            if !v.benchmark.published {
                v.benchmark.published = true;
                v.published_at = Some(crate::db::micros(now));
                diesel::update(benchmark_versions::table.find(&id))
                    .set((
                        benchmark_versions::published.eq(true),
                        benchmark_versions::published_at.eq(v.published_at),
                        benchmark_versions::content.eq(json_text(&v.benchmark)),
                        benchmark_versions::updated_at.eq(crate::db::micros(now)),
                    ))
                    .execute(conn)?;
                audit::write(conn, now, &event.change(Some(&false), Some(&true)))?;
            }
            let name = crate::items::find(conn, &v.benchmark.item)?
                .map(|i| i.name)
                .unwrap_or_default();
            Ok((v, name))
        })
        .await?;
    state.discretion.invalidate();
    Ok(present(&v, &name))
}

// ------------------------------------------------------------ lookup

/// `POST /discretion/lookup` (API.md).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct LookupRequest {
    pub item_code: String,
    pub party_kind: PartyKind,
    #[serde(default)]
    pub facts: Facts,
    /// The fine the officer has in mind: judged against the result, and used for hearing and review.
    #[serde(default)]
    pub proposed_fine_fen: Option<i64>,
    #[serde(default)]
    pub deviation_reason: Option<String>,
    /// The day whose benchmark applies (default today).
    #[serde(default)]
    pub on_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VersionRef {
    pub id: String,
    pub item_code: String,
    pub version: String,
    pub effective_from: NaiveDate,
}

/// How a proposed fine stands, or why it would be refused.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Judgement {
    /// within_tier | deviation | waived | outside_law | reason_required | penalty_barred
    pub verdict: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LookupAnswer {
    #[serde(flatten)]
    pub lookup: Lookup,
    pub benchmark_version: VersionRef,
    pub judgement: Option<Judgement>,
}

pub(crate) fn refusal_error(r: &Refusal) -> AppError {
    match r {
        Refusal::PenaltyBarred => AppError::rule_on_field(
            Code::PenaltyBarred,
            "proposed_fine_fen",
            "no fine may be imposed here: the law says no penalty (行政处罚法第三十条、第三十一条、第三十三条) or provides no fine for these facts (第三十八条)",
        ),
        Refusal::OutsideLaw { min_fen, max_fen } => AppError::rule_on_field(
            Code::FineOutsideLaw,
            "proposed_fine_fen",
            format!(
                "the fine lies outside the range the law allows, {}–{} (行政处罚法第七十六条: a penalty may not change the statutory range)",
                yuan_text(*min_fen),
                yuan_text(*max_fen)
            ),
        ),
        Refusal::ReasonRequired { min_fen, max_fen } => AppError::rule_on_field(
            Code::DeviationReasonRequired,
            "deviation_reason",
            format!(
                "the fine lies outside the benchmark tier {}–{}: a written deviation_reason is required, and legality review becomes required (行政处罚法第三十四条、第五十八条)",
                yuan_text(*min_fen),
                yuan_text(*max_fen)
            ),
        ),
    }
}

fn judgement(result: &Result<Verdict, Refusal>) -> Judgement {
    match result {
        Ok(v) => Judgement {
            verdict: enum_str(v),
            message: match v {
                Verdict::WithinTier => "罚款数额在裁量基准确定的幅度内。".into(),
                Verdict::Deviation => {
                    "罚款数额超出裁量阶次但在法定幅度内，已说明理由，应当进行法制审核。".into()
                }
                Verdict::Waived => "依法不予罚款。".into(),
            },
        },
        Err(r) => {
            let e = refusal_error(r);
            Judgement {
                verdict: match r {
                    Refusal::PenaltyBarred => "penalty_barred",
                    Refusal::OutsideLaw { .. } => "outside_law",
                    Refusal::ReasonRequired { .. } => "reason_required",
                }
                .into(),
                message: e.detail,
            }
        }
    }
}

/// Runs the engine on the snapshot (no database work).
fn run_lookup(
    snap: &cache::Snapshot,
    department_path: &str,
    req: &LookupRequest,
    day: NaiveDate,
) -> AppResult<(Lookup, VersionRef)> {
    let item = snap.items.get(&req.item_code).ok_or_else(|| {
        AppError::rule_on_field(
            Code::EnforcementItemUnknown,
            "item_code",
            format!("unknown enforcement item {}", req.item_code),
        )
    })?;
    let version = snap.in_force(&item.code, day).ok_or_else(|| {
        AppError::rule_on_field(
            Code::BenchmarkMissing,
            "item_code",
            format!(
                "no published discretion benchmark of {} is in force on {day} (行政处罚法第三十四条)",
                item.code
            ),
        )
    })?;
    if let Some(p) = req.proposed_fine_fen.filter(|p| *p < 0) {
        return Err(AppError::rule_on_field(
            Code::InvalidValue,
            "proposed_fine_fen",
            format!("a fine cannot be negative ({p})"),
        ));
    }
    let profile = crate::profiles::in_force(&snap.profiles, department_path, day);
    let lookup = rules::lookup(&rules::LookupInput {
        benchmark: &version.benchmark,
        item_name: &item.name,
        party: req.party_kind,
        facts: &req.facts,
        profile: &profile,
        proposed_fine_fen: req.proposed_fine_fen,
    })
    .map_err(|e| AppError::rule_on_field(Code::LookupFactInvalid, &e.field, e.reason))?;
    Ok((
        lookup,
        VersionRef {
            id: version.id.clone(),
            item_code: item.code.clone(),
            version: version.benchmark.version.clone(),
            effective_from: version.benchmark.effective_from,
        },
    ))
}

pub async fn lookup(
    state: &AppState,
    caller: &Caller,
    req: LookupRequest,
) -> AppResult<LookupAnswer> {
    caller.require_any(scope::CASE_ROLES)?;
    let snap = state.discretion.get(&state.db).await?;
    let day = req.on_date.unwrap_or_else(|| china_date(state.clock.now()));
    let (lookup, version) = run_lookup(&snap, &caller.department_path, &req, day)?;
    let judged = req.proposed_fine_fen.map(|p| {
        judgement(&rules::judge_fine(
            &lookup,
            p,
            req.deviation_reason.as_deref(),
        ))
    });
    Ok(LookupAnswer {
        lookup,
        benchmark_version: version,
        judgement: judged,
    })
}

// ------------------------------------------------------------ on the case

/// `POST /cases/{id}/discretion`.
#[derive(Debug, Clone, Deserialize, ToSchema, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct AttachRequest {
    #[serde(default)]
    pub facts: Facts,
    /// The proposed fine, judged against the lookup: refused outside the
    /// law, refused outside the tier without a `deviation_reason`.
    #[serde(default)]
    pub proposed_fine_fen: Option<i64>,
    #[serde(default)]
    pub deviation_reason: Option<String>,
}

/// A lookup attached to a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub case_id: String,
    pub benchmark_version: VersionRef,
    pub party_kind: PartyKind,
    pub facts: Facts,
    pub result: Lookup,
    pub proposed_fine_fen: Option<i64>,
    pub deviation_reason: Option<String>,
    pub verdict: Option<Verdict>,
    /// Outside the tier: flagged for review.
    pub flagged: bool,
    pub created_by: String,
    pub created_at: String,
}

/// A case's attachment as stored, with the version it was looked up in.
#[derive(Queryable, Selectable)]
#[diesel(table_name = case_discretion)]
struct AttachmentRow {
    id: String,
    case_id: String,
    benchmark_version_id: String,
    party_kind: PartyKind,
    facts: String,
    result: String,
    proposed_fine_fen: Option<i64>,
    deviation_reason: Option<String>,
    verdict: Option<Verdict>,
    created_by: String,
    created_at: NaiveDateTime,
    #[diesel(select_expression = benchmark_versions::item_code)]
    item_code: String,
    #[diesel(select_expression = benchmark_versions::version)]
    version: String,
    #[diesel(select_expression = benchmark_versions::effective_from)]
    effective_from: NaiveDate,
}

crate::db::text_enum!(Verdict, rules::Outcome, Tier);

/// The lookups attached to a case, oldest first.
pub async fn attachments(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
) -> AppResult<Vec<Attachment>> {
    crate::cases::readable_case(state, caller, case_id, crate::cases::Access::ReadCase).await?;
    let id = case_id.to_string();
    state
        .db
        .run(move |conn| {
            let rows: Vec<AttachmentRow> = case_discretion::table
                .inner_join(benchmark_versions::table)
                .filter(case_discretion::case_id.eq(&id))
                .order(case_discretion::created_at.asc())
                .select(AttachmentRow::as_select())
                .load(conn)?;
            rows.into_iter()
                .map(|r| {
                    Ok(Attachment {
                        id: r.id,
                        case_id: r.case_id,
                        benchmark_version: VersionRef {
                            id: r.benchmark_version_id,
                            item_code: r.item_code,
                            version: r.version,
                            effective_from: r.effective_from,
                        },
                        party_kind: r.party_kind,
                        facts: serde_json::from_str(&r.facts).unwrap_or_default(),
                        result: serde_json::from_str(&r.result)
                            .map_err(|e| AppError::internal(format!("attachment result: {e}")))?,
                        proposed_fine_fen: r.proposed_fine_fen,
                        deviation_reason: r.deviation_reason,
                        flagged: r.verdict == Some(Verdict::Deviation),
                        verdict: r.verdict,
                        created_by: r.created_by,
                        created_at: rfc3339(r.created_at),
                    })
                })
                .collect()
        })
        .await
}

// ------------------------------------------------------------ consistency

/// `GET /discretion/consistency?item=` (同案同罚).
pub async fn consistency(
    state: &AppState,
    caller: &Caller,
    item: &str,
    tolerance_percent: u32,
) -> AppResult<rules::ConsistencyReport> {
    caller.require_any(scope::CONSISTENCY_ROLES)?;
    let item = item.to_string();
    let list_scope = scope::case_list_scope(caller);
    let mut points = state
        .db
        .run(move |conn| case_points(conn, list_scope, Some(&item)))
        .await?;
    let points = points.pop().map(|(_, p)| p).unwrap_or_default();
    Ok(rules::consistency(&points, tolerance_percent))
}

/// The fined cases of a scope (of one item, or of every item), each with
/// its latest proposal, grouped by item: what the consistency function
/// compares (also read by the risk warnings).
pub fn case_points(
    conn: &mut DbConn,
    list_scope: CaseListScope,
    item: Option<&str>,
) -> AppResult<Vec<(String, Vec<rules::CasePoint>)>> {
    let mut q = case_discretion::table
        .inner_join(cases::table.inner_join(departments::table))
        .filter(case_discretion::proposed_fine_fen.is_not_null())
        .select((
            case_discretion::item_code,
            case_discretion::case_id,
            cases::case_no,
            case_discretion::facts,
            case_discretion::result,
            case_discretion::proposed_fine_fen,
            case_discretion::created_at,
        ))
        .order(case_discretion::created_at.asc())
        .into_boxed();
    if let Some(i) = item {
        q = q.filter(case_discretion::item_code.eq(i.to_string()));
    }
    q = match list_scope {
        CaseListScope::Region(path) => q.filter(
            departments::path
                .like(crate::db::like_prefix(&path))
                .escape(crate::db::LIKE_ESCAPE),
        ),
        CaseListScope::Department(d) => q.filter(cases::department_id.eq(d)),
    };
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        String,
        String,
        String,
        String,
        String,
        Option<i64>,
        NaiveDateTime,
    )> = q.load(conn)?;
    // The latest proposal of each case counts.
    let mut latest: BTreeMap<String, BTreeMap<String, rules::CasePoint>> = BTreeMap::new();
    for (item_code, case_id, case_no, facts, result, fine, _) in rows {
        let of_item = latest.entry(item_code).or_default();
        let (Ok(facts), Ok(result), Some(fine)) = (
            serde_json::from_str::<Facts>(&facts),
            serde_json::from_str::<Lookup>(&result),
            fine,
        ) else {
            continue;
        };
        if let Some(p) = rules::CasePoint::new(case_id.clone(), case_no, &facts, &result, fine) {
            of_item.insert(case_id, p);
        } else {
            of_item.remove(&case_id);
        }
    }
    Ok(latest
        .into_iter()
        .map(|(i, m)| (i, m.into_values().collect()))
        .collect())
}

// ------------------------------------------------------------ publication

/// The published benchmarks in force today, per item (no token).
pub async fn public_benchmarks(
    state: &AppState,
    item: Option<&str>,
    domain: Option<&str>,
) -> AppResult<Vec<BenchmarkView>> {
    let snap = state.discretion.get(&state.db).await?;
    let day = china_date(state.clock.now());
    let items: Vec<&ItemData> = match item {
        Some(code) => snap.items.get(code).into_iter().collect(),
        None => snap.items.values().collect(),
    };
    Ok(items
        .into_iter()
        .filter(|it| domain.is_none_or(|d| d == it.domain))
        .filter_map(|it| snap.in_force(&it.code, day).map(|v| present(v, &it.name)))
        .collect())
}

/// The refinement indicator of one department: the share of the
/// high-frequency items it holds that have a published benchmark in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Refinement {
    pub department_id: String,
    pub department_name: String,
    pub high_frequency_items: usize,
    pub with_benchmark: usize,
    /// Percent, one decimal (the outline's target is 100).
    pub share_percent: f64,
    pub missing: Vec<String>,
}

pub async fn refinement(state: &AppState) -> AppResult<Vec<Refinement>> {
    let snap = state.discretion.get(&state.db).await?;
    let day = china_date(state.clock.now());
    let departments = state.db.run(crate::org::list_departments).await?;
    let mut out = vec![];
    for d in departments.iter().filter(|d| !d.domains.is_empty()) {
        let mut held: Vec<&ItemData> = snap
            .items
            .values()
            .filter(|i| i.high_frequency && crate::items::held_by(i, &d.domains))
            .collect();
        held.sort_by(|a, b| a.code.cmp(&b.code));
        let missing: Vec<String> = held
            .iter()
            .filter(|i| snap.in_force(&i.code, day).is_none())
            .map(|i| i.code.clone())
            .collect();
        let total = held.len();
        let with = total - missing.len();
        out.push(Refinement {
            department_id: d.id.clone(),
            department_name: d.name.clone(),
            high_frequency_items: total,
            with_benchmark: with,
            share_percent: if total == 0 {
                100.0
            } else {
                (with as f64 * 1000.0 / total as f64).round() / 10.0
            },
            missing,
        });
    }
    Ok(out)
}

/// All versions of an item (drafts only for those who manage benchmarks).
pub async fn versions_of(
    state: &AppState,
    caller: &Caller,
    item: &str,
) -> AppResult<Vec<BenchmarkView>> {
    caller.require_any(scope::BENCHMARK_READ_ROLES)?;
    let item = item.to_string();
    let drafts = scope::may_see_benchmark_drafts(caller);
    let (versions, name) = state
        .db
        .run(move |conn| {
            let name = crate::items::find(conn, &item)?
                .ok_or_else(|| AppError::not_found("enforcement item not found"))?
                .name;
            Ok((load_versions(conn, Some(&item))?, name))
        })
        .await?;
    Ok(versions
        .iter()
        .filter(|v| drafts || v.benchmark.published)
        .map(|v| present(v, &name))
        .collect())
}

/// Every stored version, for export.
pub async fn export(
    state: &AppState,
    caller: &Caller,
    item: Option<String>,
    format: formats::Format,
) -> AppResult<Vec<u8>> {
    caller.require_any(scope::BENCHMARK_READ_ROLES)?;
    let drafts = scope::may_see_benchmark_drafts(caller);
    let versions = state
        .db
        .run(move |conn| load_versions(conn, item.as_deref()))
        .await?;
    let list: Vec<Benchmark> = versions
        .into_iter()
        .filter(|v| drafts || v.benchmark.published)
        .map(|v| v.benchmark)
        .collect();
    encode(&list, format)
}

pub fn encode(list: &[Benchmark], format: formats::Format) -> AppResult<Vec<u8>> {
    Ok(match format {
        formats::Format::Toml => formats::write_toml(list).into_bytes(),
        formats::Format::Csv => formats::write_csv(list),
        formats::Format::Xlsx => formats::write_xlsx(list).map_err(AppError::internal)?,
    })
}

/// `POST /discretion/benchmarks:import` — admin; all rows or none.
pub async fn import_upload(
    state: &AppState,
    caller: &Caller,
    format: formats::Format,
    file_name: String,
    body: bytes::Bytes,
    dry_run: bool,
) -> AppResult<ImportReport> {
    scope::require_rule_data_admin(caller)?;
    let parsed = formats::read(format, &file_name, &body).map_err(|i| issues_error(&i))?;
    let now = state.clock.now_naive();
    let actor = AuditEvent::by(caller, "benchmark.import", "benchmarks");
    let report = state
        .db
        .write(move |conn| {
            let report = import_parsed(conn, parsed, dry_run, &actor, now)?;
            if report.issues.is_empty() {
                Ok(report)
            } else {
                Err(issues_error(&report.issues))
            }
        })
        .await?;
    state.discretion.invalidate();
    Ok(report)
}

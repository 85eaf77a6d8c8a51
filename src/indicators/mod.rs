//! `GET /indicators` — the outline's indicators for a department subtree
//! and period, computed from the data on read.

pub mod api;
pub mod rules;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{scope, Caller};
use crate::cases::events::{CaseEvent, DecisionStep, ReportStep};
use crate::clock::china_date;
use crate::db::schema::{
    benchmark_versions, case_deadlines, case_steps, cases, departments, enforcement_items,
};
use crate::error::{AppError, AppResult};
use crate::kernel::Fen;
use crate::state::AppState;
use rules::Rate;

/// The indicators of a subtree and period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Indicators {
    /// The subtree's root department path.
    pub department_path: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// 裁量基准细化率 (target 100 %).
    pub benchmark_refinement: Rate,
    /// 案卷评查合格率 (target ≥ 95 %).
    pub evaluation_pass_rate: Rate,
    /// 法制审核覆盖率 of the decisions that required it (target 100 %).
    pub legal_review_coverage: Rate,
    /// 按期办结率 (target 100 %).
    pub decided_on_time: Rate,
    /// 送达及时率 (target 100 %).
    pub served_on_time: Rate,
    /// Cases filed in the period, by status.
    pub cases_by_status: BTreeMap<String, i64>,
    /// Cases filed in the period, by enforcement domain.
    pub cases_by_domain: BTreeMap<String, i64>,
    /// Fines decided in the period, in fen (the agency's total only).
    pub fines_decided_fen: Fen,
    /// Fines and late fees paid in the period, in fen.
    pub fines_collected_fen: Fen,
}

/// `GET /indicators` query.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IndicatorQuery {
    /// A department in the caller's subtree (default: the caller's subtree).
    pub department_id: Option<String>,
    /// Default: 1 January of this year.
    pub from: Option<NaiveDate>,
    /// Default: today (inclusive).
    pub to: Option<NaiveDate>,
}

fn bounds(from: NaiveDate, to: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    let start = from.and_hms_opt(0, 0, 0).unwrap() - chrono::Duration::hours(8);
    let end =
        to.succ_opt().unwrap_or(to).and_hms_opt(0, 0, 0).unwrap() - chrono::Duration::hours(8);
    (start, end)
}

pub async fn indicators(
    state: &AppState,
    caller: &Caller,
    q: IndicatorQuery,
) -> AppResult<Indicators> {
    caller.require_any(scope::INDICATOR_ROLES)?;
    let today = china_date(state.clock.now());
    let from = q
        .from
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap());
    let to = q.to.unwrap_or(today);
    if to < from {
        return Err(AppError::validation(vec![crate::error::FieldError::new(
            "to",
            "out_of_range",
            "to is not before from",
        )]));
    }
    let caller = caller.clone();
    state
        .db
        .run(move |conn| {
            let path = crate::evaluation::subtree(conn, &caller, q.department_id.as_deref())?;
            let like = crate::db::like_prefix(&path);
            let (start, end) = bounds(from, to);

            // 裁量基准细化率: items held in the subtree with a published benchmark in force.
            let domains: Vec<String> = departments::table
                .filter(departments::path.like(&like).escape(crate::db::LIKE_ESCAPE))
                .select(departments::domains)
                .load(conn)?;
            let domains: Vec<String> = domains
                .iter()
                .flat_map(|d| serde_json::from_str::<Vec<String>>(d).unwrap_or_default())
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let held: Vec<String> = crate::items::all(conn)?
                .into_iter()
                .filter(|i| crate::items::held_by(i, &domains))
                .map(|i| i.code)
                .collect();
            let published: HashSet<String> = benchmark_versions::table
                .filter(benchmark_versions::published.eq(true))
                .filter(benchmark_versions::effective_from.le(today))
                .select((
                    benchmark_versions::item_code,
                    benchmark_versions::effective_until,
                ))
                .load::<(String, Option<NaiveDate>)>(conn)?
                .into_iter()
                .filter(|(_, until)| until.is_none_or(|u| u >= today))
                .map(|(c, _)| c)
                .collect();
            let refined = held.iter().filter(|c| published.contains(*c)).count() as i64;
            let benchmark_refinement =
                Rate::new(refined, held.len() as i64, 1.0, rules::REFINEMENT);

            // 案卷评查合格率.
            let stats = crate::evaluation::Stats::of(&crate::evaluation::grades_in(
                conn,
                &path,
                Some(from),
                Some(to),
            )?);
            let evaluation_pass_rate = Rate::new(
                stats.excellent + stats.pass,
                stats.evaluated,
                0.95,
                rules::PASS_RATE,
            );

            // Steps of the period in the subtree.
            let steps: Vec<(String, String, String, NaiveDateTime)> = case_steps::table
                .inner_join(cases::table.inner_join(departments::table))
                .filter(departments::path.like(&like).escape(crate::db::LIKE_ESCAPE))
                .filter(case_steps::kind.eq_any(["decision", "service", "payment"]))
                .filter(case_steps::at.ge(start))
                .filter(case_steps::at.lt(end))
                .select((
                    case_steps::case_id,
                    case_steps::kind,
                    case_steps::body,
                    case_steps::at,
                ))
                .load(conn)?;
            let mut decisions: Vec<(String, DecisionStep, NaiveDate)> = vec![];
            let mut services: Vec<(String, NaiveDate)> = vec![];
            let mut collected = Fen::ZERO;
            for (case_id, kind, body, at) in &steps {
                match CaseEvent::from_row(kind, body) {
                    Ok(Some(CaseEvent::Decision(d))) => {
                        decisions.push((case_id.clone(), d, china_date(at.and_utc())))
                    }
                    Ok(Some(CaseEvent::Service(s))) => {
                        services.push((case_id.clone(), china_date(s.request.served_at)))
                    }
                    Ok(Some(CaseEvent::Payment(p))) => collected += p.amount_fen,
                    _ => {}
                }
            }
            let fines_decided_fen = decisions.iter().map(|d| d.1.fine_fen).sum();

            // 法制审核覆盖率: decisions whose report required review, and those reviewed.
            let report_ids: Vec<String> = decisions
                .iter()
                .filter_map(|d| d.1.report_id.clone())
                .collect();
            let reports: HashMap<String, ReportStep> = case_steps::table
                .filter(case_steps::id.eq_any(&report_ids))
                .select((case_steps::id, case_steps::kind, case_steps::body))
                .load::<(String, String, String)>(conn)?
                .into_iter()
                .filter_map(|(id, k, b)| match CaseEvent::from_row(&k, &b) {
                    Ok(Some(CaseEvent::Report(r))) => Some((id, r)),
                    _ => None,
                })
                .collect();
            let required: Vec<&(String, DecisionStep, NaiveDate)> = decisions
                .iter()
                .filter(|d| {
                    d.1.legal_review_id.is_some()
                        || d.1
                            .report_id
                            .as_ref()
                            .and_then(|r| reports.get(r))
                            .is_some_and(|r| !r.assessment.legal_review_reasons.is_empty())
                })
                .collect();
            let reviewed = required
                .iter()
                .filter(|d| d.1.legal_review_id.is_some())
                .count();
            let legal_review_coverage = Rate::new(
                reviewed as i64,
                required.len() as i64,
                1.0,
                rules::REVIEW_COVERAGE,
            );

            // 按期办结率: decided on or before the decision deadline.
            let case_ids: Vec<String> = decisions.iter().map(|d| d.0.clone()).collect();
            let due: HashMap<String, NaiveDate> = case_deadlines::table
                .filter(case_deadlines::case_id.eq_any(&case_ids))
                .filter(case_deadlines::kind.eq("decision"))
                .select((case_deadlines::case_id, case_deadlines::due_on))
                .load::<(String, NaiveDate)>(conn)?
                .into_iter()
                .collect();
            let on_time = decisions
                .iter()
                .filter(|d| due.get(&d.0).is_none_or(|due| d.2 <= *due))
                .count();
            let decided_on_time =
                Rate::new(on_time as i64, decisions.len() as i64, 1.0, rules::ON_TIME);

            // 送达及时率: served by the day the decision set.
            let served_ids: Vec<String> = services.iter().map(|s| s.0.clone()).collect();
            let service_due: HashMap<String, NaiveDate> = case_steps::table
                .filter(case_steps::case_id.eq_any(&served_ids))
                .filter(case_steps::kind.eq("decision"))
                .select((case_steps::case_id, case_steps::kind, case_steps::body))
                .load::<(String, String, String)>(conn)?
                .into_iter()
                .filter_map(|(id, k, b)| match CaseEvent::from_row(&k, &b) {
                    Ok(Some(CaseEvent::Decision(d))) => Some((id, d.service_due)),
                    _ => None,
                })
                .collect();
            let served_in_time = services
                .iter()
                .filter(|s| service_due.get(&s.0).is_none_or(|d| s.1 <= *d))
                .count();
            let served_on_time = Rate::new(
                served_in_time as i64,
                services.len() as i64,
                1.0,
                rules::SERVICE,
            );

            // Cases filed in the period.
            let filed: Vec<(crate::cases::rules::CaseStatus, String)> = cases::table
                .inner_join(departments::table)
                .inner_join(enforcement_items::table)
                .filter(departments::path.like(&like).escape(crate::db::LIKE_ESCAPE))
                .filter(cases::filed_at.ge(start))
                .filter(cases::filed_at.lt(end))
                .select((cases::status, enforcement_items::domain))
                .load(conn)?;
            let mut cases_by_status = BTreeMap::new();
            let mut cases_by_domain = BTreeMap::new();
            for (s, d) in filed {
                *cases_by_status.entry(crate::db::enum_str(&s)).or_insert(0) += 1;
                *cases_by_domain.entry(d).or_insert(0) += 1;
            }
            Ok(Indicators {
                department_path: path,
                from,
                to,
                benchmark_refinement,
                evaluation_pass_rate,
                legal_review_coverage,
                decided_on_time,
                served_on_time,
                cases_by_status,
                cases_by_domain,
                fines_decided_fen,
                fines_collected_fen: collected,
            })
        })
        .await
}

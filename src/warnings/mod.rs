//! 执法风险预警 — risk warnings. So far: the deadline warnings of one case
//! (`GET /cases/{id}/warnings`); the region-wide list and indicators come
//! with the evaluation work.

pub mod api;
pub mod rules;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::auth::Caller;
use crate::cases::{readable_case, Access};
use crate::clock::china_date;
use crate::db::schema::case_deadlines;
use crate::error::AppResult;
use crate::state::AppState;
use rules::{OpenDeadline, Warning};

/// The warnings of one case today, with the lead time of the rule profile
/// of the case's department.
pub async fn for_case(state: &AppState, caller: &Caller, case_id: &str) -> AppResult<Vec<Warning>> {
    let scope = readable_case(state, caller, case_id, Access::ReadWarnings).await?;
    let id = scope.case_id.clone();
    let rows: Vec<(String, NaiveDate, String)> = state
        .db
        .run(move |conn| {
            Ok(case_deadlines::table
                .filter(case_deadlines::case_id.eq(&id))
                .filter(case_deadlines::status.eq(crate::cases::DeadlineStatus::Open))
                .select((
                    case_deadlines::kind,
                    case_deadlines::due_on,
                    case_deadlines::basis,
                ))
                .load(conn)?)
        })
        .await?;
    let cal = state.calendar.get(&state.db).await?;
    let snap = state.discretion.get(&state.db).await?;
    let today = china_date(state.clock.now());
    let profile = crate::profiles::in_force(&snap.profiles, &scope.department_path, today);
    let open: Vec<OpenDeadline> = rows
        .into_iter()
        .map(|(kind, due_on, basis)| OpenDeadline {
            kind,
            due_on,
            basis,
        })
        .collect();
    Ok(rules::deadline_warnings(
        &open,
        today,
        &cal,
        profile.deadline_warning_working_days,
    ))
}

// ------------------------------------------------------------ across cases

use std::collections::HashMap;

use crate::auth::scope;
use crate::cases::rules::{CaseStatus, IdType};
use crate::db::schema::{case_officers, cases, departments, users};
use crate::error::{AppError, FieldError};
use rules::{RiskKind, RiskWarning, Severity};

/// `GET /warnings` filters.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WarningFilter {
    /// One kind: deadline_near, deadline_passed, certificate_expiring,
    /// certificate_expired, discretion_outlier, enterprise_inspections,
    /// officer_not_qualified, veto_defect.
    pub kind: Option<String>,
    /// A department in the caller's subtree (and what lies under it).
    pub department_id: Option<String>,
    /// low, medium or high: this severity and above.
    pub severity: Option<String>,
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

const NOT_OPEN: [CaseStatus; 4] = [
    CaseStatus::Closed,
    CaseStatus::Archived,
    CaseStatus::Terminated,
    CaseStatus::Transferred,
];

/// The risk warnings of the caller's department subtree (a supervisor's
/// region), computed from the data on read; ordered by id and paged.
pub async fn across_cases(
    state: &AppState,
    caller: &Caller,
    f: WarningFilter,
) -> AppResult<crate::http::Page<RiskWarning>> {
    caller.require_any(scope::WARNING_ROLES)?;
    let limit = crate::http::page_limit(f.limit)? as usize;
    let kind: Option<RiskKind> = match &f.kind {
        None => None,
        Some(k) => Some(crate::db::enum_parse(k).ok_or_else(|| {
            AppError::validation(vec![FieldError::new(
                "kind",
                "invalid",
                "unknown warning kind",
            )])
        })?),
    };
    let severity: Option<Severity> = match &f.severity {
        None => None,
        Some(k) => Some(crate::db::enum_parse(k).ok_or_else(|| {
            AppError::validation(vec![FieldError::new(
                "severity",
                "invalid",
                "low, medium or high",
            )])
        })?),
    };
    let cal = state.calendar.get(&state.db).await?;
    let snap = state.discretion.get(&state.db).await?;
    let key = state.settings.record_key.clone();
    let now = state.clock.now();
    let today = china_date(now);
    let caller = caller.clone();
    let wants = move |k: RiskKind| kind.is_none_or(|x| x == k);
    let mut all = state
        .db
        .run(move |conn| {
            let path = crate::evaluation::subtree(conn, &caller, f.department_id.as_deref())?;
            let profile_of = |p: &str| crate::profiles::in_force(&snap.profiles, p, today);
            let mut out: Vec<RiskWarning> = vec![];
            // Open cases of the subtree.
            let open: Vec<(String, String, String, String)> = cases::table
                .inner_join(departments::table)
                .filter(
                    departments::path
                        .like(crate::db::like_prefix(&path))
                        .escape(crate::db::LIKE_ESCAPE),
                )
                .filter(cases::status.ne_all(NOT_OPEN))
                .select((
                    cases::id,
                    cases::case_no,
                    cases::department_id,
                    departments::path,
                ))
                .load(conn)?;
            let by_id: HashMap<&str, &(String, String, String, String)> =
                open.iter().map(|c| (c.0.as_str(), c)).collect();
            if wants(RiskKind::DeadlineNear) || wants(RiskKind::DeadlinePassed) {
                let rows: Vec<(String, String, NaiveDate, String)> = case_deadlines::table
                    .inner_join(cases::table.inner_join(departments::table))
                    .filter(
                        departments::path
                            .like(crate::db::like_prefix(&path))
                            .escape(crate::db::LIKE_ESCAPE),
                    )
                    .filter(cases::status.ne_all(NOT_OPEN))
                    .filter(case_deadlines::status.eq(crate::cases::DeadlineStatus::Open))
                    .select((
                        case_deadlines::case_id,
                        case_deadlines::kind,
                        case_deadlines::due_on,
                        case_deadlines::basis,
                    ))
                    .load(conn)?;
                for (case_id, dkind, due_on, basis) in rows {
                    let Some(c) = by_id.get(case_id.as_str()) else {
                        continue;
                    };
                    let lead = profile_of(&c.3).deadline_warning_working_days;
                    let open = [OpenDeadline {
                        kind: dkind,
                        due_on,
                        basis,
                    }];
                    for w in rules::deadline_warnings(&open, today, &cal, lead) {
                        let (k, sev) = match w.kind {
                            rules::WarningKind::DeadlineNear => {
                                (RiskKind::DeadlineNear, Severity::Medium)
                            }
                            rules::WarningKind::DeadlinePassed => {
                                (RiskKind::DeadlinePassed, Severity::High)
                            }
                            rules::WarningKind::PublicationOverdue => {
                                (RiskKind::PublicationOverdue, Severity::High)
                            }
                        };
                        out.push(RiskWarning {
                            id: format!("{}:{}:{}", crate::db::enum_str(&k), c.0, w.deadline),
                            kind: k,
                            severity: sev,
                            department_id: c.2.clone(),
                            case_id: Some(c.0.clone()),
                            case_no: Some(c.1.clone()),
                            user_id: None,
                            uscc: None,
                            due_on: Some(w.due_on),
                            message: w.message,
                            basis: w.basis,
                        });
                    }
                }
            }
            if wants(RiskKind::CertificateExpiring) || wants(RiskKind::CertificateExpired) {
                let people: Vec<(String, String)> = users::table
                    .inner_join(departments::table)
                    .filter(
                        departments::path
                            .like(crate::db::like_prefix(&path))
                            .escape(crate::db::LIKE_ESCAPE),
                    )
                    .filter(users::disabled.eq(false))
                    .select((users::id, users::roles))
                    .load(conn)?;
                let officers: Vec<String> = people
                    .into_iter()
                    .filter(|(_, roles)| {
                        crate::auth::roles_from_json(roles).contains(&crate::auth::Role::Officer)
                    })
                    .map(|(id, _)| id)
                    .collect();
                let facts = crate::org::officer_facts(conn, &officers)?;
                let holding: Vec<String> = case_officers::table
                    .inner_join(cases::table)
                    .filter(case_officers::user_id.eq_any(&officers))
                    .filter(case_officers::role.eq(crate::cases::OfficerRole::Officer))
                    .filter(cases::status.ne_all(NOT_OPEN))
                    .select(case_officers::user_id)
                    .load(conn)?;
                for o in &facts {
                    let w = rules::certificate_warnings(
                        &rules::OfficerCertificates {
                            user_id: &o.user_id,
                            display_name: &o.display_name,
                            department_id: &o.department_id,
                            certificates: &o.certificates,
                            open_cases: holding.iter().filter(|u| **u == o.user_id).count(),
                        },
                        today,
                    );
                    out.extend(w);
                }
            }
            if wants(RiskKind::DiscretionOutlier) {
                let groups = crate::discretion::case_points(
                    conn,
                    scope::CaseListScope::Region(path.clone()),
                    None,
                )?;
                for (item, points) in groups {
                    let report = crate::discretion::rules::consistency(&points, 50);
                    for o in report.outliers {
                        let dept = by_id
                            .get(o.case_id.as_str())
                            .map(|c| c.2.clone())
                            .unwrap_or_default();
                        out.push(RiskWarning {
                            id: format!("discretion_outlier:{}", o.case_id),
                            kind: RiskKind::DiscretionOutlier,
                            severity: Severity::Medium,
                            department_id: dept,
                            case_id: Some(o.case_id.clone()),
                            case_no: Some(o.case_no.clone()),
                            user_id: None,
                            uscc: None,
                            due_on: None,
                            message: format!("执法事项 {item}：{}", o.reason),
                            basis: "国办发〔2022〕27号：同案同罚，防止畸轻畸重".into(),
                        });
                    }
                }
            }
            if wants(RiskKind::EnterpriseInspections) {
                let profile = profile_of(&path);
                let since = (today
                    - chrono::Duration::days(i64::from(profile.enterprise_inspection_period_days)))
                .and_hms_opt(0, 0, 0)
                .unwrap();
                let rows: Vec<(String, String, String)> = cases::table
                    .inner_join(departments::table)
                    .filter(
                        departments::path
                            .like(crate::db::like_prefix(&path))
                            .escape(crate::db::LIKE_ESCAPE),
                    )
                    .filter(cases::party_id_type.eq(IdType::Uscc))
                    .filter(cases::filed_at.ge(since))
                    .select((
                        cases::party_id_number,
                        cases::party_name,
                        cases::department_id,
                    ))
                    .load(conn)?;
                let mut counts: std::collections::BTreeMap<String, (String, String, usize)> =
                    Default::default();
                for (uscc, name, dept) in rows {
                    counts.entry(uscc).or_insert((name, dept, 0)).2 += 1;
                }
                let counts: Vec<_> = counts
                    .into_iter()
                    .map(|(u, (n, d, c))| (u, n, d, c))
                    .collect();
                out.extend(rules::enterprise_warnings(
                    &counts,
                    profile.enterprise_inspection_limit,
                    profile.enterprise_inspection_period_days,
                ));
            }
            if wants(RiskKind::OfficerNotQualified) || wants(RiskKind::VetoDefect) {
                let rubrics = crate::evaluation::store::all(conn)?;
                for c in &open {
                    let loaded = crate::evaluation::load_case(conn, key.as_bytes(), &c.0)?;
                    let Some(rubric) =
                        crate::evaluation::store::in_force(&rubrics, loaded.procedure, None, today)
                    else {
                        continue;
                    };
                    let scored = crate::evaluation::rules::pre_score(
                        &rubric.rubric,
                        &loaded.facts(&cal, today),
                    );
                    for item in scored.items.iter().filter(|i| !i.findings.is_empty()) {
                        let k = if item.code == "subject.officers" {
                            RiskKind::OfficerNotQualified
                        } else if item.veto.is_some() {
                            RiskKind::VetoDefect
                        } else {
                            continue;
                        };
                        if !wants(k) {
                            continue;
                        }
                        out.push(RiskWarning {
                            id: format!("{}:{}:{}", crate::db::enum_str(&k), c.0, item.code),
                            kind: k,
                            severity: Severity::High,
                            department_id: c.2.clone(),
                            case_id: Some(c.0.clone()),
                            case_no: Some(c.1.clone()),
                            user_id: None,
                            uscc: None,
                            due_on: None,
                            message: format!(
                                "{}（一票否决第{}项）：{}",
                                item.name,
                                item.veto.unwrap_or_default(),
                                item.findings
                                    .iter()
                                    .map(|x| x.rule.as_str())
                                    .collect::<Vec<_>>()
                                    .join("；")
                            ),
                            basis: item.basis.clone(),
                        });
                    }
                }
            }
            Ok(out)
        })
        .await?;
    all.retain(|w| kind.is_none_or(|k| k == w.kind));
    if let Some(s) = severity {
        all.retain(|w| w.severity >= s);
    }
    all.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(c) = &f.cursor {
        all.retain(|w| &w.id > c);
    }
    let next_cursor = (all.len() > limit).then(|| all[limit - 1].id.clone());
    all.truncate(limit);
    Ok(crate::http::Page {
        items: all,
        next_cursor,
    })
}

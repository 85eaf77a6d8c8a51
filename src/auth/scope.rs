//! The one place that decides who may see or change what. Handlers ask
//! these functions (through `cases::guard` for cases); none re-implements a
//! department check.

use super::{Caller, Role};

/// Roles that work on case files at all; anyone else gets 403 on case endpoints.
pub const CASE_ROLES: &[Role] = &[
    Role::Officer,
    Role::Auxiliary,
    Role::Head,
    Role::LegalReviewer,
    Role::Supervisor,
];

/// Roles that may file a case (立案).
pub const FILING_ROLES: &[Role] = &[Role::Officer, Role::Head];

/// Roles that may read a case's access log.
pub const ACCESS_LOG_ROLES: &[Role] = &[Role::Head, Role::Supervisor];

/// Roles that read benchmark versions and export them (drafts: admin and
/// legal reviewer only, decided where they are listed).
pub const BENCHMARK_READ_ROLES: &[Role] = &[
    Role::Officer,
    Role::Auxiliary,
    Role::Head,
    Role::LegalReviewer,
    Role::Supervisor,
    Role::Admin,
];

/// Roles that see how an item's cases were fined (同案同罚).
pub const CONSISTENCY_ROLES: &[Role] = &[Role::Head, Role::LegalReviewer, Role::Supervisor];

/// Rule data of the whole region — discretion benchmarks (a lower level
/// applies the higher level's benchmark) and the holiday calendar — is
/// changed by an admin, audited.
pub fn require_rule_data_admin(caller: &Caller) -> crate::error::AppResult<()> {
    caller.require_any(&[Role::Admin])
}

/// Unpublished benchmark versions (drafts) are seen by those who write and
/// check them: admins and legal reviewers.
pub fn may_see_benchmark_drafts(caller: &Caller) -> bool {
    caller.has_any(&[Role::Admin, Role::LegalReviewer])
}

/// Only a head (负责人) decides, approves and ends a case: the decision
/// (APL Art 57), extensions (Art 60), suspension, termination, closure and
/// archive, and records the collective discussion of the heads.
pub const HEAD_ROLES: &[Role] = &[Role::Head];

/// Roles that take a step of the investigation and the notice (officers and
/// heads of the case's department; scope decided by `may_change_case`).
pub const INVESTIGATING_ROLES: &[Role] = &[Role::Officer, Role::Head];

/// Roles that change a case's file (evidence, records): officers and heads
/// of its department, and auxiliaries attached to it (`may_change_case`).
pub const CHANGE_ROLES: &[Role] = &[Role::Officer, Role::Head, Role::Auxiliary];

/// Roles that read the legality-review queue.
pub const REVIEW_QUEUE_ROLES: &[Role] = &[Role::LegalReviewer, Role::Head];

/// May the caller give a legality-review opinion on this case? A legal
/// reviewer of the case's department or of a department above it (a
/// government's legal office serves the departments under it). Whether
/// they are an investigator of the case or qualified is a rule of the law
/// (`workflow::rules`), answered with 422.
pub fn may_review_case(caller: &Caller, case: &CaseScope) -> bool {
    caller.has(Role::LegalReviewer) && case.department_path.starts_with(&caller.department_path)
}

/// May the caller decide this case? A head (APL Art 57); on the spot
/// (simplified procedure, Art 51–52) also the case's own officers. The
/// caller already passed `may_change_case`.
pub fn may_decide(caller: &Caller, simplified: bool, investigator: bool) -> bool {
    caller.has(Role::Head) || (simplified && investigator)
}

/// May the caller answer (accept or return) a transfer? Officers and heads
/// of the receiving department.
pub fn may_answer_transfer(caller: &Caller, to_department_id: &str) -> bool {
    caller.department_id == to_department_id && caller.has_any(&[Role::Officer, Role::Head])
}

/// Roles that register and work clues (线索) before filing.
pub const CLUE_ROLES: &[Role] = &[Role::Officer, Role::Head];

/// May the caller see a department's work before a case exists (clues,
/// inspections)? Its staff; a supervisor of the region.
pub fn may_see_department_work(
    caller: &Caller,
    department_id: &str,
    department_path: &str,
) -> bool {
    (caller.department_id == department_id && caller.has_any(CASE_ROLES))
        || (caller.has(Role::Supervisor) && department_path.starts_with(&caller.region_path))
}

/// May the caller do that work (register clues, inspect)? The
/// department's officers and heads.
pub fn may_do_department_work(caller: &Caller, department_id: &str) -> bool {
    caller.department_id == department_id && caller.has_any(CLUE_ROLES)
}

/// May the caller prepare a decision's publication (谁办案、谁录入、谁负责,
/// SAMR Order 45 Art 16)? An officer of the case, or a head of its
/// department.
pub fn may_prepare_publication(
    caller: &Caller,
    department_id: &str,
    case_officers: &[String],
) -> bool {
    caller.department_id == department_id
        && (caller.has(Role::Head)
            || (caller.has(Role::Officer) && case_officers.contains(&caller.user_id)))
}

/// May the caller read a complaint's reporter, or reward them? A head of
/// the handling department — no one else, not a supervisor.
pub fn may_read_reporter(caller: &Caller, department_id: &str) -> bool {
    caller.department_id == department_id && caller.has(Role::Head)
}

/// May the caller publish or withdraw a guiding case of a department at
/// `department_path`? A supervisor whose region holds it (行政执法案例指导).
pub fn may_publish_guiding_case(caller: &Caller, department_path: &str) -> bool {
    caller.has(Role::Supervisor) && department_path.starts_with(&caller.region_path)
}

/// May the caller see an approval asked in this department? Its staff.
pub fn may_see_approval(caller: &Caller, department_id: &str) -> bool {
    caller.department_id == department_id
}

/// May the caller decide an approval asked in this department? Its heads
/// (APL: 行政机关负责人).
pub fn may_decide_approval(caller: &Caller, department_id: &str) -> bool {
    caller.department_id == department_id && caller.has(Role::Head)
}

/// Roles that organise and carry out case-file evaluations (案卷评查).
pub const EVALUATION_ROLES: &[Role] = &[Role::Supervisor];

/// May the caller organise evaluations over this department's subtree
/// (create batches, read them)? A supervisor whose region holds it.
pub fn may_organise_evaluation(caller: &Caller, department_path: &str) -> bool {
    caller.has(Role::Supervisor) && department_path.starts_with(&caller.region_path)
}

/// May the caller score a file of this department? A supervisor of the
/// region who does not belong to the evaluated department (评查回避).
pub fn may_evaluate(caller: &Caller, department_id: &str, department_path: &str) -> bool {
    may_organise_evaluation(caller, department_path) && caller.department_id != department_id
}

/// May the caller see an evaluation of this department's file? Its
/// organisers, and the evaluated department's heads (who may answer it).
pub fn may_see_evaluation(caller: &Caller, department_id: &str, department_path: &str) -> bool {
    may_organise_evaluation(caller, department_path) || may_reply_evaluation(caller, department_id)
}

/// May the caller answer (整改 reply) an evaluation? A head of the evaluated department.
pub fn may_reply_evaluation(caller: &Caller, department_id: &str) -> bool {
    caller.has(Role::Head) && caller.department_id == department_id
}

/// Roles that read risk warnings across cases.
pub const WARNING_ROLES: &[Role] = &[
    Role::Officer,
    Role::Head,
    Role::LegalReviewer,
    Role::Supervisor,
];

/// Roles that read indicators (and evaluation statistics).
pub const INDICATOR_ROLES: &[Role] = &[Role::Head, Role::Supervisor];

/// The subtree a caller's cross-case views (warnings, indicators,
/// statistics) cover: a supervisor's region, else their own department
/// and what lies under it.
pub fn supervision_subtree(caller: &Caller) -> &str {
    if caller.has(Role::Supervisor) {
        &caller.region_path
    } else {
        &caller.department_path
    }
}

/// Where a case sits, as far as access is concerned.
#[derive(Debug, Clone)]
pub struct CaseScope {
    pub case_id: String,
    pub department_id: String,
    pub department_path: String,
    /// Users attached to the case (officers and auxiliaries).
    pub attached: Vec<String>,
    /// Officers withdrawn from the case (回避, APL Art 43): no access at all.
    pub recused: Vec<String>,
}

impl CaseScope {
    /// The scope of a case from the people on it, each `(user id,
    /// withdrawn)`: a withdrawn (recused) user is barred, any other attached.
    pub fn new(
        case_id: String,
        department_id: String,
        department_path: String,
        people: impl IntoIterator<Item = (String, bool)>,
    ) -> CaseScope {
        let (recused, attached): (Vec<_>, Vec<_>) =
            people.into_iter().partition(|(_, withdrawn)| *withdrawn);
        CaseScope {
            case_id,
            department_id,
            department_path,
            attached: attached.into_iter().map(|p| p.0).collect(),
            recused: recused.into_iter().map(|p| p.0).collect(),
        }
    }
}

/// May the caller see this case file? Staff of the case's department see
/// it (an auxiliary only when attached to it); a supervisor sees every case
/// in the region of their department (the government it belongs to and
/// everything under it).
pub fn may_see_case(caller: &Caller, case: &CaseScope) -> bool {
    if case.recused.contains(&caller.user_id) {
        return false;
    }
    if caller.has(Role::Supervisor) && case.department_path.starts_with(&caller.region_path) {
        return true;
    }
    if caller.department_id != case.department_id {
        return false;
    }
    if caller.has_any(&[Role::Officer, Role::Head, Role::LegalReviewer]) {
        return true;
    }
    caller.has(Role::Auxiliary) && case.attached.contains(&caller.user_id)
}

/// May the caller change this case? Officers and heads of its department;
/// an auxiliary attached to it (data entry). Supervisors only read.
pub fn may_change_case(caller: &Caller, case: &CaseScope) -> bool {
    if caller.department_id != case.department_id || case.recused.contains(&caller.user_id) {
        return false;
    }
    caller.has_any(&[Role::Officer, Role::Head])
        || (caller.has(Role::Auxiliary) && case.attached.contains(&caller.user_id))
}

/// May an admin manage a department (and its users and certificates)? Only
/// inside the region of the admin's own department.
pub fn may_administer(caller: &Caller, department_path: &str) -> bool {
    caller.has(Role::Admin) && department_path.starts_with(&caller.region_path)
}

/// Roles that read the void register of numbers (an auditor's first
/// question about a gap in an official register).
pub const VOID_REGISTER_ROLES: &[Role] = &[Role::Head, Role::Supervisor];

/// The subtree (a department path prefix) whose voided numbers the caller
/// reads: a supervisor's region; a head's own department and those under it.
pub fn void_register_scope(caller: &Caller) -> crate::error::AppResult<String> {
    caller.require_any(VOID_REGISTER_ROLES)?;
    Ok(if caller.has(Role::Supervisor) {
        caller.region_path.clone()
    } else {
        caller.department_path.clone()
    })
}

/// Which departments' cases a list shows: a supervisor's region, else the
/// caller's own department.
pub enum CaseListScope {
    Region(String),
    Department(String),
}

pub fn case_list_scope(caller: &Caller) -> CaseListScope {
    if caller.has(Role::Supervisor) {
        CaseListScope::Region(caller.region_path.clone())
    } else {
        CaseListScope::Department(caller.department_id.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(roles: &[Role], dept: &str, path: &str, region: &str) -> Caller {
        Caller {
            user_id: "u1".into(),
            username: "u".into(),
            display_name: "U".into(),
            roles: roles.to_vec(),
            department_id: dept.into(),
            department_path: path.into(),
            region_path: region.into(),
            request_id: String::new(),
            ip: None,
            session_id: String::new(),
        }
    }

    fn case(dept: &str, path: &str, attached: &[&str]) -> CaseScope {
        CaseScope {
            case_id: "c".into(),
            department_id: dept.into(),
            department_path: path.into(),
            attached: attached.iter().map(|s| s.to_string()).collect(),
            recused: vec![],
        }
    }

    #[test]
    fn officers_see_their_department_only() {
        let c = caller(
            &[Role::Officer],
            "wh-scj",
            "/yn/km/wh/wh-scj/",
            "/yn/km/wh/",
        );
        assert!(may_see_case(&c, &case("wh-scj", "/yn/km/wh/wh-scj/", &[])));
        assert!(!may_see_case(&c, &case("pl-scj", "/yn/km/pl/pl-scj/", &[])));
        assert!(may_change_case(
            &c,
            &case("wh-scj", "/yn/km/wh/wh-scj/", &[])
        ));
    }

    #[test]
    fn auxiliaries_see_only_cases_they_are_attached_to() {
        let c = caller(
            &[Role::Auxiliary],
            "wh-scj",
            "/yn/km/wh/wh-scj/",
            "/yn/km/wh/",
        );
        assert!(!may_see_case(&c, &case("wh-scj", "/yn/km/wh/wh-scj/", &[])));
        assert!(may_see_case(
            &c,
            &case("wh-scj", "/yn/km/wh/wh-scj/", &["u1"])
        ));
    }

    #[test]
    fn supervisors_see_their_region_and_change_nothing() {
        let c = caller(&[Role::Supervisor], "km-sfj", "/yn/km/km-sfj/", "/yn/km/");
        assert!(may_see_case(&c, &case("wh-scj", "/yn/km/wh/wh-scj/", &[])));
        assert!(!may_see_case(&c, &case("qj-scj", "/yn/qj/qj-scj/", &[])));
        assert!(!may_change_case(
            &c,
            &case("wh-scj", "/yn/km/wh/wh-scj/", &[])
        ));
    }

    #[test]
    fn reviewers_review_their_department_and_below() {
        let r = caller(
            &[Role::LegalReviewer],
            "wh-scj",
            "/yn/km/wh/wh-scj/",
            "/yn/km/wh/",
        );
        assert!(may_review_case(
            &r,
            &case("wh-scj", "/yn/km/wh/wh-scj/", &[])
        ));
        assert!(!may_review_case(
            &r,
            &case("pl-scj", "/yn/km/pl/pl-scj/", &[])
        ));
        let o = caller(
            &[Role::Officer],
            "wh-scj",
            "/yn/km/wh/wh-scj/",
            "/yn/km/wh/",
        );
        assert!(!may_review_case(
            &o,
            &case("wh-scj", "/yn/km/wh/wh-scj/", &[])
        ));
    }

    #[test]
    fn admins_administer_their_region() {
        let c = caller(&[Role::Admin], "km-sfj", "/yn/km/km-sfj/", "/yn/km/");
        assert!(may_administer(&c, "/yn/km/wh/wh-scj/"));
        assert!(!may_administer(&c, "/yn/qj/"));
        assert!(!may_administer(
            &caller(&[Role::Head], "km-sfj", "/yn/km/km-sfj/", "/yn/km/"),
            "/yn/km/"
        ));
    }
}

//! The law of case intake (立案), pure: no database, no clock. Each guard
//! names the article it enforces.

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::china_date;
use crate::error::{AppError, AppResult, Code};
use crate::kernel::Fen;
use crate::org::rules::{officer_qualified, OfficerFacts};

/// Where a case came from (案件来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Inspection,
    Complaint,
    Report,
    Referral,
    Assignment,
    Media,
    Monitoring,
    Transfer,
}

/// 普通程序 / 简易程序.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    General,
    Simplified,
}

/// Case states. Intake creates `filed`; the workflow moves it on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Filed,
    Investigating,
    ReportSubmitted,
    Notified,
    HearingRequested,
    HearingHeld,
    LegalReview,
    CollectiveDiscussion,
    Decided,
    Served,
    Executing,
    Closed,
    Archived,
    Suspended,
    Terminated,
    Transferred,
}

pub use crate::db::{enum_parse, enum_str};
pub use crate::kernel::party::{
    id_card_problem, party_identity_error, phone_ok, uscc_problem, IdType, Party, PartyKind,
};

/// A case that is closed, archived, terminated or transferred takes no
/// further changes: its file is final.
pub fn check_open(status: CaseStatus) -> Result<(), crate::error::AppError> {
    use CaseStatus::*;
    if matches!(status, Closed | Archived | Terminated | Transferred) {
        return Err(crate::error::AppError::new(
            crate::error::Code::CaseClosed,
            format!(
                "the case is {}: its file takes no further changes",
                enum_str(&status)
            ),
        ));
    }
    Ok(())
}

/// Evidence is gathered, preserved and seized, and periods excluded, while
/// the case is investigated: once it is decided its decision period is over
/// (APL Art 55–57). Suspension and closed files are refused elsewhere
/// (`check_open`, `perform`).
pub fn check_before_decision(status: CaseStatus) -> AppResult<()> {
    if matches!(
        status,
        CaseStatus::Decided | CaseStatus::Served | CaseStatus::Executing
    ) {
        return Err(AppError::new(Code::TransitionNotAllowed,
            "the case is decided: evidence, measures and excluded periods belong before the decision (《中华人民共和国行政处罚法》第五十五条至第五十七条)",
        ));
    }
    Ok(())
}

/// A date a client supplies: not in the future, not before `earliest`.
pub fn check_supplied_time(
    field: &str,
    t: chrono::DateTime<chrono::Utc>,
    earliest: Option<(NaiveDateTime, &str)>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    if t > now {
        return Err(AppError::rule_on_field(
            Code::DateInFuture,
            field,
            format!("{field} lies in the future"),
        ));
    }
    if let Some((e, what)) = earliest {
        if t.naive_utc() < e {
            return Err(AppError::rule_on_field(
                Code::DatesOutOfOrder,
                field,
                format!("{field} must not be before {what}"),
            ));
        }
    }
    Ok(())
}

/// Refuses a write made against a version of the case the client no
/// longer has (`If-Match`, API conventions): 412.
pub fn check_version(expected: Option<i32>, actual: i32) -> Result<(), AppError> {
    match expected {
        Some(v) if v != actual => Err(AppError::new(
            Code::PreconditionFailed,
            format!("the case is at version {actual}, not {v}: reload it and try again"),
        )),
        _ => Ok(()),
    }
}

/// The limitation of APL Art 36 ¶1 as it applies to one violation: the
/// last day on which it can still be discovered and penalised, how many
/// years that is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limitation {
    pub until: NaiveDate,
    pub years: u32,
    /// Which period applied and why, in the article's words.
    pub why: &'static str,
}

/// APL Art 36 ¶1: "违法行为在二年内未被发现的，不再给予行政处罚；涉及公民生命
/// 健康安全、金融安全且有危害后果的，上述期限延长至五年" — two years from
/// the act, or from its end when it continued; five years only when the
/// item concerns citizens' life and health or financial security
/// (`serious_safety`) **and** harm resulted (`harm_resulted`). Either
/// alone keeps two years.
pub fn limitation_until(
    occurred_or_ended: NaiveDate,
    serious_safety: bool,
    harm_resulted: bool,
) -> Limitation {
    let (years, why) = match (serious_safety, harm_resulted) {
        (true, true) => (
            5,
            "事项涉及公民生命健康安全、金融安全且有危害后果，期限延长至五年",
        ),
        (true, false) => (
            2,
            "事项涉及公民生命健康安全、金融安全，但未载明有危害后果，适用二年",
        ),
        (false, true) => (
            2,
            "事项不涉及公民生命健康安全、金融安全，虽有危害后果，仍适用二年",
        ),
        (false, false) => (2, "一般违法行为，适用二年"),
    };
    Limitation {
        until: occurred_or_ended
            .checked_add_months(Months::new(12 * years))
            .unwrap_or(NaiveDate::MAX),
        years,
        why,
    }
}

/// APL Art 51: the simplified procedure covers a warning, or a fine of at
/// most 200 yuan for a citizen (公民) and 3,000 yuan for a legal person or
/// other organisation. An individual business (个体工商户) is a natural person
/// under the Civil Code (Art 54), so it gets the citizen's limit — the
/// stricter reading, which never lets an on-the-spot fine exceed the law.
pub fn simplified_fine_limit_fen(kind: PartyKind) -> Fen {
    match kind {
        PartyKind::Person | PartyKind::IndividualBusiness => Fen(20_000),
        PartyKind::Organization => Fen(300_000),
    }
}

/// The 90-day decision period of APL Art 60: calendar days (Art 85 makes
/// only the 2/3/5/7-day periods working days) from the day after filing; a
/// last day that is a rest day moves to the next working day. Returns the
/// day and the basis to store with it.
pub fn decision_due(filed_on: NaiveDate, cal: &crate::calendar::Calendar) -> (NaiveDate, String) {
    let due = cal.calendar_days_after(filed_on, 90, &[]);
    let mut basis = "行政处罚法第六十条：自立案之日起九十日内作出行政处罚决定".to_string();
    if due.date != filed_on + chrono::Duration::days(90) {
        basis.push_str("；期间届满的最后一日是法定休假日的，以休假日后的第一日为届满日");
    }
    for w in &due.warnings {
        basis.push('；');
        basis.push_str(w);
    }
    (due.date, basis)
}

/// Everything intake needs to decide, loaded beforehand.
pub struct IntakeFacts<'a> {
    pub now: DateTime<Utc>,
    pub department_id: &'a str,
    pub department_path: &'a str,
    pub department_domains: &'a [String],
    /// None: no such item.
    pub item: Option<&'a crate::items::ItemData>,
    pub procedure: Procedure,
    pub party: &'a Party,
    pub occurred_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub discovered_at: DateTime<Utc>,
    pub officer_ids: &'a [String],
    /// Facts of the users named in `officer_ids` that exist.
    pub officers: &'a [OfficerFacts],
    pub intended_fine_fen: Option<i64>,
    /// Whether harm resulted (危害后果, Art 36 ¶1).
    pub harm_resulted: bool,
}

/// What intake decided: the certificate each officer acts under, and the
/// limitation date.
#[derive(Debug, PartialEq)]
pub struct IntakeDecision {
    pub officer_certificates: Vec<(String, String)>,
    pub limitation_until: NaiveDate,
    /// Which period of Art 36 ¶1 applied, and why.
    pub limitation_basis: &'static str,
}

/// 立案 — may this case be filed? The first rule that refuses answers, with
/// its own code and the article in `detail`.
pub fn check_intake(f: &IntakeFacts) -> Result<IntakeDecision, AppError> {
    // Art 17, 38: the item exists and is the department's power.
    let item = f.item.ok_or_else(|| {
        AppError::rule_on_field(
            Code::EnforcementItemUnknown,
            "enforcement_item_code",
            "no such enforcement item; a penalty needs a legal basis (行政处罚法第三十八条)",
        )
    })?;
    if !crate::items::held_by(item, f.department_domains) {
        return Err(AppError::rule_on_field(
            Code::ItemNotHeldByDepartment,
            "enforcement_item_code",
            format!(
                "执法事项 {} 不在本机关的权责清单内（行政处罚法第十七条）",
                item.code
            ),
        ));
    }

    // Dates: occurred ≤ (ended ≤) discovered ≤ now.
    if f.discovered_at > f.now {
        return Err(AppError::rule_on_field(
            Code::DateInFuture,
            "discovered_at",
            "discovered_at lies in the future",
        ));
    }
    if f.occurred_at > f.discovered_at {
        return Err(AppError::rule_on_field(
            Code::DatesOutOfOrder,
            "occurred_at",
            "occurred_at must not be after discovered_at",
        ));
    }
    if let Some(end) = f.ended_at {
        if end < f.occurred_at || end > f.discovered_at {
            return Err(AppError::rule_on_field(
                Code::DatesOutOfOrder,
                "ended_at",
                "ended_at must lie between occurred_at and discovered_at",
            ));
        }
    }

    // Art 36: judged on the day of discovery.
    let from = china_date(f.ended_at.unwrap_or(f.occurred_at));
    let limitation = limitation_until(from, item.serious_safety, f.harm_resulted);
    let until = limitation.until;
    let discovered_on = china_date(f.discovered_at);
    if discovered_on > until {
        let years = if limitation.years == 5 { "五" } else { "二" };
        return Err(AppError::rule_on_field(
            Code::LimitationPeriodExpired,
            "occurred_at",
            format!(
                "违法行为在{years}年内未被发现（{from} 至 {discovered_on}，期限至 {until}），不再给予行政处罚（行政处罚法第三十六条第一款；{}）",
                limitation.why
            ),
        ));
    }

    // Party (its fields' shape is checked with the body: `Party`'s derive).
    if let Some(e) = party_identity_error(f.party) {
        return Err(e);
    }

    // Art 51: the simplified procedure only within its limits.
    if f.procedure == Procedure::Simplified {
        let fits_type = item.penalty_types.iter().any(|t| {
            matches!(
                t,
                crate::items::PenaltyType::Warning | crate::items::PenaltyType::Fine
            )
        });
        let limit = simplified_fine_limit_fen(f.party.kind);
        if !fits_type {
            return Err(AppError::rule_on_field(
                Code::SimplifiedProcedureLimitExceeded,
                "procedure",
                "简易程序只适用于警告或者罚款（行政处罚法第五十一条）",
            ));
        }
        if let Some(fine) = f.intended_fine_fen {
            if fine < 0 || Fen(fine) > limit {
                return Err(AppError::rule_on_field(
                    Code::SimplifiedProcedureLimitExceeded,
                    "intended_fine_fen",
                    format!(
                        "当场处罚的罚款不得超过 {} 元（行政处罚法第五十一条）",
                        limit.get() / 100
                    ),
                ));
            }
        }
    }

    let today = china_date(f.now);
    let certs = two_qualified_officers(
        f.officer_ids,
        f.officers,
        f.department_id,
        f.department_path,
        &item.domain,
        today,
        "officer_ids",
    )?;
    Ok(IntakeDecision {
        officer_certificates: certs,
        limitation_until: until,
        limitation_basis: limitation.why,
    })
}

/// APL Art 42: at least two distinct certified officers of the case's
/// department, each qualified for the item's field and area on `today`.
/// Returns each officer with the certificate they act under. One function
/// for intake, on-site records, inquiries and every later step with officers.
pub fn two_qualified_officers(
    officer_ids: &[String],
    officers: &[OfficerFacts],
    department_id: &str,
    department_path: &str,
    domain: &str,
    today: NaiveDate,
    field: &str,
) -> Result<Vec<(String, String)>, AppError> {
    let mut distinct: Vec<&String> = vec![];
    for id in officer_ids {
        if !distinct.contains(&id) {
            distinct.push(id);
        }
    }
    if distinct.len() < 2 {
        return Err(AppError::rule_on_field(
            Code::TooFewOfficers,
            field,
            "执法人员不得少于两人（行政处罚法第四十二条）",
        ));
    }
    let mut certs = vec![];
    for (i, id) in distinct.iter().enumerate() {
        let field = format!("{field}[{i}]");
        let o = officers.iter().find(|o| &&o.user_id == id).ok_or_else(|| {
            AppError::rule_on_field(Code::OfficerUnknown, &field, format!("no user {id}"))
        })?;
        match officer_qualified(o, department_id, department_path, domain, today) {
            Ok(number) => certs.push((o.user_id.clone(), number)),
            Err(u) => return Err(AppError::rule_on_field(u.code, &field, u.detail)),
        }
    }
    Ok(certs)
}

/// The paths the Administrative Penalty Law allows between case states
/// (general procedure, Art 54–65; simplified procedure, Art 51–53). Which
/// branch a case takes also depends on facts (a notice served, a review
/// approved); those guards are separate functions called with the facts.
/// Suspension is left for the state the case resumes to (checked by the
/// caller against the stored previous state).
pub fn allowed_next(procedure: Procedure, from: CaseStatus) -> &'static [CaseStatus] {
    use CaseStatus::*;
    if procedure == Procedure::Simplified {
        // 当场处罚: decided on the spot, served, paid (Art 51–53, 67–69).
        return match from {
            Filed => &[Decided, Terminated],
            Decided => &[Served],
            Served => &[Executing, Closed],
            Executing => &[Closed],
            Closed | Terminated => &[Archived],
            _ => &[],
        };
    }
    match from {
        Filed => &[Investigating, Suspended, Terminated, Transferred],
        Investigating => &[ReportSubmitted, Suspended, Terminated, Transferred],
        // Art 57: the head decides on the report — notify an intended
        // penalty (Art 44), decide no penalty, investigate further, or
        // transfer (criminal or jurisdiction).
        ReportSubmitted => &[
            Notified,
            LegalReview,
            CollectiveDiscussion,
            Decided,
            Investigating,
            Suspended,
            Terminated,
            Transferred,
        ],
        // Art 44–45, 62–64: statement period, hearing request, or a new notice.
        Notified => &[
            HearingRequested,
            LegalReview,
            CollectiveDiscussion,
            Decided,
            Notified,
            Investigating,
            Suspended,
            Terminated,
            Transferred,
        ],
        // Art 45 ¶1: the party's case may re-open the investigation; the
        // hearing request carries over to the new notice.
        HearingRequested => &[HearingHeld, Investigating, Suspended, Terminated],
        // Art 65: decide on the hearing record.
        HearingHeld => &[
            LegalReview,
            CollectiveDiscussion,
            Decided,
            Notified,
            Investigating,
            Suspended,
            Terminated,
        ],
        // Art 58: review approves, returns or rejects.
        LegalReview => &[
            CollectiveDiscussion,
            Decided,
            Investigating,
            Notified,
            LegalReview,
            Suspended,
            Terminated,
        ],
        // Art 57 ¶2.
        CollectiveDiscussion => &[Decided, Investigating, Notified, Terminated, Transferred],
        // Art 61: served within 7 working days.
        Decided => &[Served],
        // Art 66–67: performed, or enforced.
        Served => &[Executing, Closed],
        Executing => &[Closed],
        Closed | Terminated | Transferred => &[Archived],
        Suspended => &[
            Filed,
            Investigating,
            ReportSubmitted,
            Notified,
            HearingRequested,
            HearingHeld,
            LegalReview,
            CollectiveDiscussion,
            Terminated,
        ],
        Archived => &[],
    }
}

/// Whether the law speaks to a step that moves the case from `from` to
/// `to`, so that a refusal is the step's legal guard with its article and
/// not the state machine's 409. A decision (general procedure) is
/// meaningful once the investigation has been reported (`reported`): while
/// a requested hearing is pending (Art 63–65), after a legality review was
/// returned and the case went back to investigation (Art 58 ¶1: 未经法制审核
/// 或者审核未通过的，不得作出决定), before the notice (Art 44, 62) — the
/// decision's guards say which rule refuses. A decision on a case never
/// investigated to a report, and anything else outside `allowed_next`,
/// makes no sense at all there (409 `transition_not_allowed`).
pub fn legally_meaningful(
    procedure: Procedure,
    from: CaseStatus,
    to: CaseStatus,
    reported: bool,
) -> bool {
    use CaseStatus::*;
    match (procedure, to) {
        (Procedure::General, Decided) => match from {
            ReportSubmitted | Notified | HearingRequested | HearingHeld | LegalReview
            | CollectiveDiscussion => true,
            Investigating => reported,
            _ => false,
        },
        _ => false,
    }
}

/// Refuses a transition the law does not allow, naming both states.
pub fn check_transition(
    procedure: Procedure,
    from: CaseStatus,
    to: CaseStatus,
) -> Result<(), AppError> {
    if allowed_next(procedure, from).contains(&to) {
        return Ok(());
    }
    let why = match (from, to) {
        (CaseStatus::Archived, _) => "an archived case file is final".to_string(),
        (_, CaseStatus::Decided) => "a decision comes only after the investigation report and, for a penalty, the notice of the intended penalty and the party's rights (行政处罚法第四十四条、第五十七条、第六十二条)".to_string(),
        (_, CaseStatus::Served) => "only a decision is served (行政处罚法第六十一条)".to_string(),
        (_, CaseStatus::Closed) => "a case closes once its decision is served and performed or lawfully ended".to_string(),
        _ => "the Administrative Penalty Law allows no such step".to_string(),
    };
    Err(AppError::new(
        Code::TransitionNotAllowed,
        format!("{} → {}: {why}", enum_str(&from), enum_str(&to)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_card_check_digit() {
        // GB 11643 example number.
        assert_eq!(id_card_problem("11010519491231002X"), None);
        assert_eq!(id_card_problem("11010519491231002x"), None);
        assert!(id_card_problem("110105194912310021").is_some());
        assert!(id_card_problem("11010519491331002X").is_some(), "month 13");
        assert!(id_card_problem("1101051949123100").is_some());
        assert_eq!(
            id_card_problem("530102199003071234"),
            Some("the check digit of the citizen ID number is wrong (GB 11643)")
        );
    }

    #[test]
    fn uscc_check_character() {
        assert_eq!(
            uscc_problem("91530100MA6K4HJ84U"),
            uscc_problem("91530100MA6K4HJ84U")
        );
        // A well-known published code (Alibaba (China) Co., Ltd.).
        assert_eq!(uscc_problem("91330100716105852F"), None);
        assert!(uscc_problem("91330100716105852E").is_some());
        assert!(uscc_problem("9133010071610585").is_some());
        assert!(uscc_problem("91330100716105852I").is_some());
    }

    #[test]
    fn phones() {
        assert!(phone_ok("13800138000"));
        assert!(phone_ok("0871-65123456"));
        assert!(phone_ok("+86 13800138000"));
        assert!(!phone_ok("12345"));
        assert!(!phone_ok("23800138000"));
    }

    #[test]
    fn decision_is_judged_by_its_guards_before_it_is_decided() {
        use CaseStatus::*;
        let g = Procedure::General;
        for from in [ReportSubmitted, Notified, HearingRequested, LegalReview] {
            assert!(legally_meaningful(g, from, Decided, true));
        }
        // Back in investigation after a report (a review returned): the law's.
        assert!(legally_meaningful(g, Investigating, Decided, true));
        // Never reported, decided, or final: the path's.
        assert!(!legally_meaningful(g, Investigating, Decided, false));
        for from in [
            Filed, Decided, Served, Executing, Closed, Archived, Suspended,
        ] {
            assert!(!legally_meaningful(g, from, Decided, true));
        }
        assert!(!legally_meaningful(g, Investigating, Served, true));
        assert!(!legally_meaningful(
            Procedure::Simplified,
            Decided,
            Decided,
            true
        ));
    }

    #[test]
    fn article_36_two_years_unless_safety_and_harm() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let two = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        let five = NaiveDate::from_ymd_opt(2029, 2, 28).unwrap();
        // Either condition alone keeps two years.
        assert_eq!(limitation_until(d, false, false).until, two);
        assert_eq!(limitation_until(d, false, true).until, two);
        let safety_no_harm = limitation_until(d, true, false);
        assert_eq!((safety_no_harm.until, safety_no_harm.years), (two, 2));
        assert!(safety_no_harm.why.contains("未载明有危害后果"));
        // Both: five years.
        let both = limitation_until(d, true, true);
        assert_eq!((both.until, both.years), (five, 5));
        assert!(both.why.contains("且有危害后果"));
    }

    #[test]
    fn article_51_limits() {
        assert_eq!(simplified_fine_limit_fen(PartyKind::Person), Fen(20_000));
        assert_eq!(
            simplified_fine_limit_fen(PartyKind::IndividualBusiness),
            Fen(20_000)
        );
        assert_eq!(
            simplified_fine_limit_fen(PartyKind::Organization),
            Fen(300_000)
        );
    }

    #[test]
    fn the_paths_of_the_law() {
        use CaseStatus::*;
        let ok = |f, t| check_transition(Procedure::General, f, t).is_ok();
        // The general path, step by step.
        let path = [
            Filed,
            Investigating,
            ReportSubmitted,
            Notified,
            HearingRequested,
            HearingHeld,
            LegalReview,
            CollectiveDiscussion,
            Decided,
            Served,
            Executing,
            Closed,
            Archived,
        ];
        for w in path.windows(2) {
            assert!(ok(w[0], w[1]), "{:?} → {:?}", w[0], w[1]);
        }
        // Order violations.
        assert!(!ok(Filed, Decided), "decision before investigation");
        assert!(!ok(Investigating, Decided), "decision before the report");
        assert!(
            !ok(HearingRequested, Decided),
            "decision before the requested hearing"
        );
        assert!(!ok(Notified, Served), "service before decision");
        assert!(!ok(Decided, Closed), "closure before service");
        assert!(!ok(Served, Archived), "archive before closure");
        // Archived is final; nothing returns to filed except a resumed suspension.
        for to in path {
            assert!(!ok(Archived, to));
        }
        let e = check_transition(Procedure::General, Investigating, Decided).unwrap_err();
        assert_eq!(e.code, Code::TransitionNotAllowed);
        assert!(e.detail.contains("第四十四条"));
        // Simplified: decided on the spot.
        let simple = |f, t| check_transition(Procedure::Simplified, f, t).is_ok();
        assert!(simple(Filed, Decided) && simple(Decided, Served) && simple(Served, Closed));
        assert!(!simple(Filed, Notified));
        // Every state but archived has a way on.
        for f in [
            Filed,
            Investigating,
            ReportSubmitted,
            Notified,
            HearingRequested,
            HearingHeld,
            LegalReview,
            CollectiveDiscussion,
            Decided,
            Served,
            Executing,
            Closed,
            Suspended,
            Terminated,
            Transferred,
        ] {
            assert!(!allowed_next(Procedure::General, f).is_empty(), "{f:?}");
        }
    }

    #[test]
    fn decision_due_is_ninety_calendar_days_later_moved_off_rest_days() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/holidays");
        let cal =
            crate::calendar::Calendar::new(&crate::calendar::read_dir(&dir).unwrap()).unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (due, basis) = decision_due(day("2026-01-01"), &cal);
        assert_eq!(due, day("2026-04-01"));
        assert!(basis.contains("第六十条") && !basis.contains("休假日"));
        // 2026-07-03 + 90 = 2026-10-01, 国庆节: the first working day after it is 10-08.
        let (due, basis) = decision_due(day("2026-07-03"), &cal);
        assert_eq!(due, day("2026-10-08"));
        assert!(basis.contains("休假日后的第一日"));
        // Into 2027, which has no table yet: weekends only, and said.
        let (_, basis) = decision_due(day("2026-11-26"), &cal);
        assert!(basis.contains("2027年节假日安排未导入"));
    }
}

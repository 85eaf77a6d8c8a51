//! The law of the case workflow, pure: no database, no clock. The case file
//! is what its events tell (`cases::file::CaseFile`); each function answers
//! one question about it and names the article it enforces.

use chrono::{NaiveDate, NaiveDateTime};

use crate::calendar::{Calendar, Excluded};
use crate::cases::events::*;
use crate::cases::file::CaseFile;
use crate::cases::rules::Procedure;
use crate::clock::china_date;
use crate::error::{AppError, AppResult, Code};
use crate::execution::rules::Owed;
use crate::kernel::Fen;
use crate::kernel::{PartyKind, PenaltyType};
use crate::profiles::rules::{Profile, ProposedPenalty};

const APL: &str = "《中华人民共和国行政处罚法》";

fn day_of(t: NaiveDateTime) -> NaiveDate {
    china_date(t.and_utc())
}

/// The penalties as the hearing and review thresholds see them.
pub fn as_proposed(penalties: &[PenaltyItem]) -> ProposedPenalty {
    ProposedPenalty {
        fine_fen: fine_of(penalties),
        confiscation_fen: penalties
            .iter()
            .filter(|p| {
                matches!(
                    p.kind,
                    PenaltyType::ConfiscateIllegalGains | PenaltyType::ConfiscateIllegalProperty
                )
            })
            .filter_map(|p| p.amount_fen)
            .sum(),
        other: penalties
            .iter()
            .map(|p| p.kind)
            .filter(|k| *k != PenaltyType::Fine)
            .collect(),
    }
}

/// Art 4, 38: only the penalties the item's legal basis provides.
pub fn check_penalty_types(
    item: &crate::items::ItemData,
    penalties: &[PenaltyItem],
) -> AppResult<()> {
    for (i, p) in penalties.iter().enumerate() {
        if !item.penalty_types.contains(&p.kind) {
            return Err(AppError::rule_on_field(
                Code::PenaltyTypeNotProvided,
                &format!("penalties[{i}].type"),
                format!(
                    "执法事项 {} 的处罚依据未规定此种处罚（{}）（{APL}第四条、第三十八条）",
                    item.code,
                    crate::db::enum_str(&p.kind)
                ),
            ));
        }
    }
    Ok(())
}

impl DiscussionStep {
    /// Every attendee confirmed the record with their own account.
    pub fn confirmed(&self) -> bool {
        self.request
            .attendee_ids
            .iter()
            .all(|a| self.confirmations.iter().any(|c| &c.user_id == a))
    }
}

impl RemedyStep {
    /// Art 73 ¶3: no surcharge while it is pending.
    pub fn pending_days(&self, today: NaiveDate) -> Excluded {
        Excluded {
            from: china_date(self.request.filed_at),
            to: self
                .outcome
                .as_ref()
                .map(|o| china_date(o.decided_at))
                .unwrap_or(today),
        }
    }

    /// The decision no longer stands (revoked or confirmed unlawful).
    pub fn annulled(&self) -> bool {
        self.outcome.as_ref().is_some_and(|o| {
            matches!(
                o.result,
                RemedyResult::Revoked | RemedyResult::ConfirmedUnlawful
            )
        })
    }
}

/// An excluded period starts after filing, ends by today, is not inverted,
/// overlaps no other and is at most `max_days` long.
pub fn check_exclusion(
    req: &ExclusionRequest,
    filed_on: NaiveDate,
    today: NaiveDate,
    existing: &[ExclusionRequest],
    max_days: u32,
) -> AppResult<()> {
    if req.to < req.from {
        return Err(AppError::rule_on_field(
            Code::DatesOutOfOrder,
            "to",
            "the period ends before it starts",
        ));
    }
    if req.from < filed_on {
        return Err(AppError::rule_on_field(
            Code::DatesOutOfOrder,
            "from",
            format!("an excluded period starts after filing ({filed_on})"),
        ));
    }
    if req.to > today {
        return Err(AppError::rule_on_field(
            Code::DateInFuture,
            "to",
            "an excluded period is recorded once it has ended (its last day is not after today)",
        ));
    }
    let days = (req.to - req.from).num_days() + 1;
    if days > i64::from(max_days) {
        return Err(AppError::rule_on_field(
            Code::ExclusionTooLong,
            "to",
            format!("an excluded period is at most {max_days} days (rule profile)"),
        ));
    }
    if let Some(o) = existing
        .iter()
        .find(|e| e.from <= req.to && req.from <= e.to)
    {
        return Err(AppError::rule_on_field(
            Code::ExclusionOverlap,
            "from",
            format!("overlaps the excluded period {} – {}", o.from, o.to),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------ dates

// ------------------------------------------------------------ notice

/// Art 45 ¶2: the party's defence never makes the penalty heavier. A new
/// notice with a fine above one notified before needs a stated reason (new
/// facts or evidence), and the periods run again.
pub fn check_notice_amount(
    file: &CaseFile,
    fine_fen: Fen,
    increase_reason: Option<&str>,
) -> AppResult<()> {
    if let Some(lowest) = file.lowest_notified_fine() {
        if fine_fen > lowest && increase_reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(AppError::rule_on_field(
                Code::HeavierPenaltyNeedsReason,
                "increase_reason",
                format!(
                    "拟处罚款高于此前告知的数额，须说明新的事实和理由；不得因当事人陈述、申辩而给予更重的处罚（{APL}第四十五条第二款）"
                ),
            ));
        }
    }
    Ok(())
}

/// The statement and hearing-request periods of a notice served on `served_on`.
pub fn notice_periods(
    served_on: NaiveDate,
    hearing_right: bool,
    profile: &Profile,
    cal: &Calendar,
) -> (NaiveDate, Option<NaiveDate>) {
    let statement = cal
        .working_days_after(served_on, profile.statement_period_working_days, &[])
        .date;
    // Art 64 (1): a hearing is requested within 5 (working, Art 85) days.
    let hearing = hearing_right.then(|| cal.working_days_after(served_on, 5, &[]).date);
    (statement, hearing)
}

// ------------------------------------------------------------ hearing

/// Art 63, 64 (1): only a party with a hearing right requests a hearing,
/// within 5 working days of the notice.
pub fn check_hearing_request(file: &CaseFile, requested_on: NaiveDate) -> AppResult<()> {
    let notice = file.current_notice().ok_or_else(|| {
        AppError::rule(
            Code::NoticeRequired,
            format!("尚未告知拟作出的行政处罚（{APL}第四十四条）"),
        )
    })?;
    if !notice.body.hearing_right {
        return Err(AppError::rule(
            Code::NoHearingRight,
            format!("拟作出的处罚不属于当事人有权要求听证的情形（{APL}第六十三条）"),
        ));
    }
    if let Some(due) = notice.body.hearing_request_due {
        if requested_on > due {
            return Err(AppError::rule_on_field(
                Code::HearingRequestLate,
                "requested_at",
                format!(
                    "当事人应当在行政机关告知后五日内提出听证要求，期限已于{due}届满（{APL}第六十四条第一项、第八十五条）"
                ),
            ));
        }
    }
    Ok(())
}

/// The hearing request that still waits for its hearing (a request carries
/// over to a new notice).
pub fn pending_hearing_request(file: &CaseFile) -> Option<&Stored<HearingRequestRequest>> {
    let last = file.hearing_requests.last()?;
    let held = file.hearings.iter().any(|h| h.at >= last.at);
    (!held).then_some(last)
}

/// Art 64 (2), (4): the party is notified at least 7 working days before
/// the hearing, which a non-investigator presides.
pub fn check_hearing(
    h: &HearingRequest,
    investigators: &[String],
    cal: &Calendar,
) -> AppResult<()> {
    let notified = china_date(h.notified_at);
    let held = china_date(h.held_at);
    let earliest = cal.working_days_after(notified, 7, &[]).date;
    if held <= earliest {
        return Err(AppError::rule_on_field(
            Code::HearingNoticeTooShort,
            "held_at",
            format!(
                "行政机关应当在举行听证的七日前通知当事人听证的时间、地点；{notified}通知的听证最早于{earliest}之后举行（{APL}第六十四条第二项、第八十五条）",
            ),
        ));
    }
    if investigators.contains(&h.presiding_officer_id) {
        return Err(AppError::rule_on_field(
            Code::PresidingOfficerIsInvestigator,
            "presiding_officer_id",
            format!("听证由行政机关指定的非本案调查人员主持（{APL}第六十四条第四项）"),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------ review

// ------------------------------------------------------------ decision

/// The 90-day decision period (Art 60) as the file stands: calendar days
/// from filing, without suspended days and the hearing (from request to
/// hearing), plus approved extensions; a last day that is a rest day moves
/// on. Returns the day and its basis.
pub fn decision_due(
    filed_on: NaiveDate,
    file: &CaseFile,
    today: NaiveDate,
    cal: &Calendar,
) -> (NaiveDate, String) {
    let mut excluded = vec![];
    for (i, s) in file.suspensions.iter().enumerate() {
        let resumed = file
            .resumptions
            .iter()
            .find(|r| r.at >= s.at && file.suspensions.get(i + 1).is_none_or(|n| r.at <= n.at))
            .map(|r| day_of(r.at));
        excluded.push(Excluded {
            from: s.body.from,
            to: resumed.unwrap_or(today.max(s.body.from)),
        });
    }
    for r in &file.hearing_requests {
        let held = file
            .hearings
            .iter()
            .find(|h| h.at >= r.at)
            .map(|h| china_date(h.body.held_at));
        excluded.push(Excluded {
            from: china_date(r.body.requested_at),
            to: held.unwrap_or(today),
        });
    }
    for e in &file.exclusions {
        excluded.push(Excluded {
            from: e.body.from,
            to: e.body.to,
        });
    }
    let extension: u32 = file.extensions.iter().map(|e| e.body.days).sum();
    let due = cal.calendar_days_after(filed_on, 90 + extension, &excluded);
    let mut basis = format!("{APL}第六十条：自立案之日起九十日内作出行政处罚决定");
    if extension > 0 {
        basis.push_str(&format!("；经负责人批准延长{extension}日"));
    }
    if !excluded.is_empty() {
        basis.push_str("；中止、听证、检测检验鉴定等期间不计入");
    }
    for w in due.warnings {
        basis.push('；');
        basis.push_str(&w);
    }
    (due.date, basis)
}

/// Art 60 and the SAMR procedure rules (🟡 S27): the first extension is at
/// most the profile's days; a further one follows a collective discussion
/// held after the previous extension; all of them together stay within the
/// profile's cap.
pub fn check_extension(
    file: &CaseFile,
    req: &ExtensionRequest,
    profile: &Profile,
) -> AppResult<()> {
    match file.extensions.last() {
        None if req.days > profile.first_extension_max_days => {
            return Err(AppError::rule_on_field(
                Code::ExtensionTooLong,
                "days",
                format!(
                    "首次延长不超过{}日（本部门规则配置；行政处罚法第六十条）",
                    profile.first_extension_max_days
                ),
            ));
        }
        Some(prev)
            if !file
                .discussions
                .iter()
                .any(|d| d.at >= prev.at && d.body.confirmed()) =>
        {
            return Err(AppError::rule(
                Code::ExtensionNeedsCollectiveDiscussion,
                "再次延长期限须经行政机关负责人集体讨论决定（行政处罚法第六十条）",
            ));
        }
        _ => {}
    }
    let total: u32 = file.extensions.iter().map(|e| e.body.days).sum::<u32>() + req.days;
    if total > profile.extension_cap_days {
        return Err(AppError::rule_on_field(
            Code::ExtensionTooLong,
            "days",
            format!(
                "办案期限累计延长不超过{}日（本部门规则配置）",
                profile.extension_cap_days
            ),
        ));
    }
    Ok(())
}

/// Everything the decision guard needs, loaded beforehand.
pub struct DecisionFacts<'a> {
    pub procedure: Procedure,
    pub party_kind: PartyKind,
    pub file: &'a CaseFile,
    pub profile: &'a Profile,
    pub today: NaiveDate,
    pub decision_due: NaiveDate,
    pub request: &'a DecisionRequest,
    /// The judgement of the fine against the latest discretion lookup, when
    /// a fine is decided: Ok(verdict) or the refusal.
    pub fine_verdict: Option<AppResult<crate::discretion::rules::Verdict>>,
}

/// What the decision rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionBasis {
    pub report_id: Option<String>,
    pub legal_review_id: Option<String>,
    pub verdict: Option<crate::discretion::rules::Verdict>,
}

/// 作出决定 — may this decision be made now? The guards in the order the
/// law puts them; the first that refuses answers with its own code.
pub fn check_decision(f: DecisionFacts) -> AppResult<DecisionBasis> {
    let req = f.request;
    decision_outcome_allowed(req)?;
    penalties_named(req)?;
    no_penalty_imposes_none(req)?;
    let verdict = fine_judged(f.fine_verdict)?;

    if f.procedure == Procedure::Simplified {
        simplified_form_numbered(req)?;
        simplified_party_informed(req)?;
        simplified_within_limits(req, f.party_kind)?;
        return Ok(DecisionBasis {
            report_id: None,
            legal_review_id: None,
            verdict,
        });
    }

    let report = f.file.latest_report()?;
    if req.outcome == ProposedOutcome::Penalty {
        let notice = notified_before_decision(f.file)?;
        // A requested hearing bars the decision whatever the periods say
        // (Art 63, 65): it answers first.
        requested_hearing_held(f.file)?;
        statement_period_over(f.file, notice, f.today)?;
        hearing_request_period_over(f.file, notice, f.today)?;
        hearing_held_with_transcript(f.file)?;
        every_penalty_notified(f.file, &req.penalties)?;
        not_heavier_than_notified(f.file, &req.penalties)?;
    }
    let proposal = as_proposed(&req.penalties);
    let legal_review_id =
        legality_review_approved(f.profile, f.party_kind, &proposal, verdict, f.file, report)?;
    collective_discussion_confirmed(f.profile, f.party_kind, &proposal, f.file, report)?;
    within_decision_period(f.today, f.decision_due)?;
    Ok(DecisionBasis {
        report_id: Some(report.id.clone()),
        legal_review_id,
        verdict,
    })
}

/// Art 27, 57 ¶1: a decision imposes a penalty or none; a suspected crime
/// is transferred, facts not established end without a decision.
pub(crate) fn decision_outcome_allowed(req: &DecisionRequest) -> AppResult<()> {
    if !matches!(
        req.outcome,
        ProposedOutcome::Penalty | ProposedOutcome::NoPenalty
    ) {
        return Err(AppError::rule_on_field(
            Code::InvalidValue,
            "outcome",
            "a decision imposes a penalty or none; a suspected crime is transferred (行政处罚法第二十七条)",
        ));
    }
    Ok(())
}

/// Art 59 ¶1 (3): a penalty decision names its penalties.
pub(crate) fn penalties_named(req: &DecisionRequest) -> AppResult<()> {
    if req.outcome == ProposedOutcome::Penalty && req.penalties.is_empty() {
        return Err(AppError::rule_on_field(
            Code::InvalidValue,
            "penalties",
            "a penalty decision names its penalties (行政处罚法第五十九条第一款第三项)",
        ));
    }
    Ok(())
}

/// Art 57 ¶1 (2): a decision not to penalise imposes nothing.
pub(crate) fn no_penalty_imposes_none(req: &DecisionRequest) -> AppResult<()> {
    if req.outcome == ProposedOutcome::NoPenalty && !req.penalties.is_empty() {
        return Err(AppError::rule_on_field(
            Code::InvalidValue,
            "penalties",
            "a no-penalty decision imposes none",
        ));
    }
    Ok(())
}

/// Art 34, 76 (and 30–33, 38): the fine as judged against the discretion
/// benchmark; a refusal of the fine refuses the decision with its own code.
pub(crate) fn fine_judged(
    fine_verdict: Option<AppResult<crate::discretion::rules::Verdict>>,
) -> AppResult<Option<crate::discretion::rules::Verdict>> {
    fine_verdict.transpose()
}

/// Art 52: on the spot, a pre-numbered decision form.
pub(crate) fn simplified_form_numbered(req: &DecisionRequest) -> AppResult<()> {
    if req
        .form_number
        .as_deref()
        .is_none_or(|s| s.trim().is_empty())
    {
        return Err(AppError::rule_on_field(
            Code::InvalidValue,
            "form_number",
            "当场处罚使用预定格式、编有号码的行政处罚决定书（行政处罚法第五十二条）",
        ));
    }
    Ok(())
}

/// Art 44, 52: on the spot, the party is first told the facts, reasons,
/// basis and rights.
pub(crate) fn simplified_party_informed(req: &DecisionRequest) -> AppResult<()> {
    if !req.party_informed {
        return Err(AppError::rule_on_field(
            Code::NoticeRequired,
            "party_informed",
            format!("当场作出处罚决定前，应当告知当事人拟作出处罚的事实、理由、依据及其依法享有的权利（{APL}第四十四条、第五十二条）"),
        ));
    }
    Ok(())
}

/// Art 51: on the spot, only a warning or a fine up to 200 yuan (a person)
/// or 3,000 yuan (an organisation).
pub(crate) fn simplified_within_limits(req: &DecisionRequest, party: PartyKind) -> AppResult<()> {
    let limit = crate::cases::rules::simplified_fine_limit_fen(party);
    let other = req
        .penalties
        .iter()
        .any(|p| !matches!(p.kind, PenaltyType::Warning | PenaltyType::Fine));
    if fine_of(&req.penalties) > limit || other {
        return Err(AppError::rule_on_field(
            Code::SimplifiedProcedureLimitExceeded,
            "penalties",
            format!(
                "当场处罚限于警告或者不超过 {} 元的罚款（{APL}第五十一条）",
                limit.get() / 100
            ),
        ));
    }
    Ok(())
}

/// Art 44, 62: the party was notified of the intended penalty and the
/// rights; returns the notice whose periods run.
pub(crate) fn notified_before_decision(file: &CaseFile) -> AppResult<&Stored<NoticeStep>> {
    file.current_notice().ok_or_else(|| {
        AppError::rule(
            Code::NoticeRequired,
            format!("作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、理由、依据和陈述、申辩、要求听证等权利；未告知的，不得作出行政处罚决定（{APL}第四十四条、第六十二条）"),
        )
    })
}

/// Art 62: the party expressly gave up statement and defence after `notice`.
fn waived_since(file: &CaseFile, notice: &Stored<NoticeStep>) -> bool {
    file.statements
        .iter()
        .any(|s| s.at >= notice.at && s.body.waived)
}

/// Art 64: the party was heard after `notice`.
fn heard_since(file: &CaseFile, notice: &Stored<NoticeStep>) -> bool {
    file.hearings.iter().any(|h| h.at >= notice.at)
}

/// Art 45, 62: the statement period ran out, unless the party waived it or
/// was heard.
pub(crate) fn statement_period_over(
    file: &CaseFile,
    notice: &Stored<NoticeStep>,
    today: NaiveDate,
) -> AppResult<()> {
    if !waived_since(file, notice)
        && !heard_since(file, notice)
        && today <= notice.body.statement_due
    {
        return Err(AppError::rule(
            Code::DeadlineNotReached,
            format!(
                "陈述、申辩期限至{}届满，当事人未明确放弃的，期满前不得作出决定（{APL}第四十五条、第六十二条）",
                notice.body.statement_due
            ),
        ));
    }
    Ok(())
}

/// Art 64 (1): the 5 working days to request a hearing ran out, unless a
/// hearing was requested or held, or the party waived.
pub(crate) fn hearing_request_period_over(
    file: &CaseFile,
    notice: &Stored<NoticeStep>,
    today: NaiveDate,
) -> AppResult<()> {
    if let Some(due) = notice.body.hearing_request_due {
        if !heard_since(file, notice)
            && file.hearing_requests.is_empty()
            && !waived_since(file, notice)
            && today <= due
        {
            return Err(AppError::rule(
                Code::DeadlineNotReached,
                format!("要求听证的期限至{due}届满（{APL}第六十四条第一项）"),
            ));
        }
    }
    Ok(())
}

/// Art 63, 65: a requested hearing is held before the decision.
pub(crate) fn requested_hearing_held(file: &CaseFile) -> AppResult<()> {
    if pending_hearing_request(file).is_some() {
        return Err(AppError::rule(
            Code::HearingPending,
            format!("当事人要求听证的，应当组织听证，听证结束后依据听证笔录作出决定（{APL}第六十三条、第六十五条）"),
        ));
    }
    Ok(())
}

/// Art 64 (8), 65: the latest hearing has its transcript, on which the
/// decision rests.
pub(crate) fn hearing_held_with_transcript(file: &CaseFile) -> AppResult<()> {
    if let Some(h) = file.hearings.last() {
        if !file.transcripts.iter().any(|t| t.at >= h.at) {
            return Err(AppError::rule(
                Code::TranscriptMissing,
                format!("听证应当制作笔录，行政机关应当根据听证笔录作出决定（{APL}第六十四条第八项、第六十五条）"),
            ));
        }
    }
    Ok(())
}

/// Art 44, 62: every kind of penalty decided was notified.
pub(crate) fn every_penalty_notified(file: &CaseFile, penalties: &[PenaltyItem]) -> AppResult<()> {
    for (i, p) in penalties.iter().enumerate() {
        if !file
            .notices
            .iter()
            .any(|n| n.body.penalties.iter().any(|q| q.kind == p.kind))
        {
            return Err(AppError::rule_on_field(
                Code::NoticeRequired,
                &format!("penalties[{i}].type"),
                format!("拟作出的此种处罚未告知当事人（{APL}第四十四条、第六十二条）"),
            ));
        }
    }
    Ok(())
}

/// Art 45 ¶2: the fine is never heavier than the lowest amount notified.
pub(crate) fn not_heavier_than_notified(
    file: &CaseFile,
    penalties: &[PenaltyItem],
) -> AppResult<()> {
    let fine = fine_of(penalties);
    if let Some(lowest) = file.lowest_notified_fine() {
        if fine > lowest {
            return Err(AppError::rule_on_field(
                Code::HeavierThanNotified,
                "penalties",
                format!(
                    "决定的罚款（{}）高于告知的数额（{}）；行政机关不得因当事人陈述、申辩而给予更重的处罚（{APL}第四十五条第二款）",
                    crate::discretion::model::yuan_text(fine),
                    crate::discretion::model::yuan_text(lowest)
                ),
            ));
        }
    }
    Ok(())
}

/// Art 58: a major decision needs the legality review approved for the
/// current report; a review made voluntarily binds too (Art 58 ¶1). Returns
/// the approving review.
pub(crate) fn legality_review_approved(
    profile: &Profile,
    party: PartyKind,
    proposal: &ProposedPenalty,
    verdict: Option<crate::discretion::rules::Verdict>,
    file: &CaseFile,
    report: &Stored<ReportStep>,
) -> AppResult<Option<String>> {
    let hearing_right =
        !crate::profiles::rules::hearing_reasons(profile, party, proposal).is_empty();
    let review_reasons = crate::profiles::rules::legal_review_reasons(
        profile,
        &crate::profiles::rules::ReviewFacts {
            party: Some(party),
            penalty: proposal.clone(),
            hearing_right: hearing_right && !file.hearings.is_empty(),
            benchmark_deviation: verdict == Some(crate::discretion::rules::Verdict::Deviation)
                || report.body.assessment.verdict.as_deref() == Some("deviation"),
            major_public_interest: report.body.request.major_public_interest,
            complex: report.body.request.complex,
        },
    );
    let latest_review = file.reviews.last();
    if !review_reasons.is_empty() || !report.body.assessment.legal_review_reasons.is_empty() {
        match latest_review {
            Some(r) if r.status == ReviewStatus::Approved && r.report_id == report.id => {
                Ok(Some(r.id.clone()))
            }
            _ => {
                let mut reasons = review_reasons;
                reasons.extend(report.body.assessment.legal_review_reasons.iter().cloned());
                reasons.dedup();
                Err(AppError::rule(
                    Code::LegalReviewRequired,
                    format!(
                        "本案须经法制审核且审核通过当前处理意见后方可作出决定（{APL}第五十八条）：{}",
                        reasons.join("")
                    ),
                ))
            }
        }
    } else if let Some(r) = latest_review.filter(|r| r.report_id == report.id) {
        // Reviewed voluntarily: the latest opinion still binds.
        if r.status != ReviewStatus::Approved {
            return Err(AppError::rule(
                Code::LegalReviewRequired,
                format!("法制审核未通过当前处理意见，不得作出决定（{APL}第五十八条第一款）"),
            ));
        }
        Ok(Some(r.id.clone()))
    } else {
        Ok(None)
    }
}

/// Art 57 ¶2: a complex or major case is discussed by the heads, after the
/// current report, and every attendee confirmed the record.
pub(crate) fn collective_discussion_confirmed(
    profile: &Profile,
    party: PartyKind,
    proposal: &ProposedPenalty,
    file: &CaseFile,
    report: &Stored<ReportStep>,
) -> AppResult<()> {
    let mut discussion = crate::profiles::rules::collective_discussion_reasons(
        profile,
        party,
        proposal,
        report.body.request.complex,
        report.body.request.major_violation,
    );
    discussion.extend(
        report
            .body
            .assessment
            .collective_discussion_reasons
            .iter()
            .cloned(),
    );
    discussion.dedup();
    if !discussion.is_empty()
        && !file
            .discussions
            .iter()
            .any(|d| d.at >= report.at && d.body.confirmed())
    {
        return Err(AppError::rule(
            Code::CollectiveDiscussionRequired,
            format!(
                "本案应当由行政机关负责人集体讨论决定，且讨论记录经全体参加人确认（{APL}第五十七条第二款）：{}",
                discussion.join("")
            ),
        ));
    }
    Ok(())
}

/// Art 60: within 90 days of filing, or the approved extension.
pub(crate) fn within_decision_period(today: NaiveDate, decision_due: NaiveDate) -> AppResult<()> {
    if today > decision_due {
        return Err(AppError::rule(
            Code::DecisionPeriodExpired,
            format!(
                "作出决定的期限已于{decision_due}届满；延长期限须在届满前经负责人批准（{APL}第六十条）"
            ),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------ service

// ------------------------------------------------------------ execution

/// Closure: only a decision performed or lawfully ended.
pub fn check_closure(file: &CaseFile, owed: Option<&Owed>) -> AppResult<()> {
    let Some(_) = file.service() else {
        return Err(AppError::rule(
            Code::DecisionNotPerformed,
            "the decision has not been served",
        ));
    };
    // The court accepted enforcement: the case leaves the agency's hands.
    if file.court.iter().any(|c| c.body.accepted) {
        return Ok(());
    }
    if let Some(o) = owed {
        if o.outstanding_fen > Fen::ZERO {
            return Err(AppError::rule(
                Code::DecisionNotPerformed,
                format!(
                    "罚款及加处罚款尚欠{}，决定未履行完毕，不得结案（{APL}第六十七条、第七十二条）",
                    crate::discretion::model::yuan_text(o.outstanding_fen)
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::file::ReviewFacts;
    use crate::execution::rules::*;
    use crate::review::rules::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn owed_stops_the_surcharge_when_the_fine_is_paid() {
        // 5,000 yuan due 03-16, paid 03-18: 2 days × 150 yuan.
        let o = owed(
            Fen(500_000),
            day("2026-03-16"),
            &[(day("2026-03-18"), Fen(500_000))],
            day("2026-04-30"),
            &[],
        );
        assert_eq!(
            (o.late_days, o.late_fee_fen, o.outstanding_fen),
            (2, Fen(30_000), Fen(30_000))
        );
        let o = owed(
            Fen(500_000),
            day("2026-03-16"),
            &[
                (day("2026-03-18"), Fen(500_000)),
                (day("2026-03-20"), Fen(30_000)),
            ],
            day("2026-04-30"),
            &[],
        );
        assert_eq!(o.outstanding_fen, Fen(0));
        // Paid on time: nothing more.
        let o = owed(
            Fen(500_000),
            day("2026-03-16"),
            &[(day("2026-03-16"), Fen(500_000))],
            day("2026-12-31"),
            &[],
        );
        assert_eq!((o.late_fee_fen, o.outstanding_fen), (Fen(0), Fen(0)));
    }

    #[test]
    fn a_heavier_notice_needs_a_reason() {
        let mut file = CaseFile::default();
        assert!(check_notice_amount(&file, Fen(100), None).is_ok());
        file.notices.push(Stored {
            id: "n".into(),
            at: day("2026-03-01").and_hms_opt(0, 0, 0).unwrap(),
            actor_id: "u".into(),
            body: NoticeStep {
                request: NoticeRequest {
                    served_at: chrono::Utc::now(),
                    method: ServiceMethod::Direct,
                    increase_reason: None,
                    electronic_consent: false,
                },
                report_id: "r".into(),
                penalties: vec![],
                fine_fen: Fen(100),
                hearing_right: false,
                hearing_reasons: vec![],
                statement_due: day("2026-03-06"),
                document_id: None,
                document_number: None,
                hearing_request_due: None,
            },
        });
        assert!(check_notice_amount(&file, Fen(100), None).is_ok());
        assert_eq!(
            check_notice_amount(&file, Fen(101), Some("  "))
                .unwrap_err()
                .code,
            Code::HeavierPenaltyNeedsReason
        );
        assert!(check_notice_amount(&file, Fen(101), Some("新发现违法所得")).is_ok());
    }

    fn shape_errors_of(o: &OpinionRequest) -> Vec<crate::error::FieldError> {
        use validator::Validate;
        o.validate()
            .err()
            .map(|e| crate::error::shape_errors(&e))
            .unwrap_or_default()
    }

    #[test]
    fn review_checklist() {
        let mut o = OpinionRequest {
            outcome: ReviewOutcome::Approve,
            checklist: CHECKLIST
                .iter()
                .map(|(k, _)| {
                    (
                        k.to_string(),
                        ChecklistEntry {
                            passed: true,
                            note: None,
                        },
                    )
                })
                .collect(),
            opinion: None,
        };
        assert!(shape_errors_of(&o).is_empty());
        assert!(check_approval(&o).is_ok());
        o.checklist.get_mut("discretion").unwrap().passed = false;
        assert_eq!(shape_errors_of(&o)[0].field, "checklist.discretion.note");
        o.checklist.get_mut("discretion").unwrap().note = Some("超出阶次".into());
        assert_eq!(
            check_approval(&o).unwrap_err().code,
            Code::ChecklistIncomplete
        );
        o.outcome = ReviewOutcome::Return;
        assert_eq!(shape_errors_of(&o)[0].field, "opinion");
        o.checklist.remove("other");
        assert!(shape_errors_of(&o)
            .iter()
            .any(|e| e.field == "checklist.other"));
    }

    #[test]
    fn reviewers() {
        let inv = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            check_reviewer("a", &inv, true, 3).unwrap_err().code,
            Code::ReviewerIsInvestigator
        );
        assert_eq!(
            check_reviewer("c", &inv, false, 0).unwrap_err().code,
            Code::ReviewerNotQualified
        );
        assert!(check_reviewer("c", &inv, false, 1).is_ok());
        assert!(check_reviewer("c", &inv, true, 0).is_ok());
    }

    #[test]
    fn service_methods_and_their_conditions() {
        let req = |m, w: usize, consent| ServiceRequest {
            document_id: "d".into(),
            method: m,
            served_at: chrono::Utc::now(),
            recipient: "赵某".into(),
            witnesses: vec!["x".into(); w],
            photo_evidence_id: None,
            electronic_consent: consent,
        };
        assert!(check_service(&req(ServiceMethod::Direct, 0, false)).is_ok());
        assert!(check_service(&req(ServiceMethod::LeftAtResidence, 1, false)).is_err());
        assert!(check_service(&req(ServiceMethod::LeftAtResidence, 2, false)).is_ok());
        assert!(check_service(&req(ServiceMethod::Electronic, 0, false)).is_err());
        assert!(check_service(&req(ServiceMethod::Electronic, 0, true)).is_ok());
        assert_eq!(
            effective_service(ServiceMethod::PublicNotice, day("2026-03-01")),
            day("2026-03-31")
        );
    }

    #[test]
    fn suspension_and_extension_move_the_decision_day() {
        let cal = Calendar::default();
        let mut file = CaseFile::default();
        let filed = day("2026-01-05");
        let (base, _) = decision_due(filed, &file, day("2026-01-10"), &cal);
        assert_eq!(base, day("2026-04-06"));
        // Suspended 10 days (01-10 … 01-19), resumed on 01-19.
        file.suspensions.push(Stored {
            id: "s".into(),
            at: day("2026-01-10").and_hms_opt(2, 0, 0).unwrap(),
            actor_id: "h".into(),
            body: SuspensionStep {
                reason: "检测".into(),
                resumes_to: crate::cases::rules::CaseStatus::Investigating,
                from: day("2026-01-10"),
            },
        });
        let (running, _) = decision_due(filed, &file, day("2026-01-14"), &cal);
        assert!(running > base, "a suspension in progress stops the clock");
        file.resumptions.push(Stored {
            id: "r".into(),
            at: day("2026-01-19").and_hms_opt(2, 0, 0).unwrap(),
            actor_id: "h".into(),
            body: ReasonRequest {
                reason: "检测完毕".into(),
            },
        });
        let (after, basis) = decision_due(filed, &file, day("2026-03-01"), &cal);
        // 90 counted days skip the 10 suspended ones: 04-05 + 10.
        assert_eq!(after, day("2026-04-15"));
        assert!(basis.contains("中止"));
        file.extensions.push(Stored {
            id: "e".into(),
            at: day("2026-03-01").and_hms_opt(2, 0, 0).unwrap(),
            actor_id: "h".into(),
            body: ExtensionRequest {
                days: 30,
                reason: "案情复杂".into(),
            },
        });
        let (ext, basis) = decision_due(filed, &file, day("2026-03-01"), &cal);
        assert_eq!(ext, day("2026-05-15"));
        assert!(basis.contains("延长30日"));
    }

    // ------------------------------------------------------------ decision guards

    use crate::discretion::rules::Verdict;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn utc(s: &str) -> chrono::DateTime<chrono::Utc> {
        at(s).and_utc()
    }

    fn stored<T>(id: &str, when: &str, body: T) -> Stored<T> {
        Stored {
            id: id.into(),
            at: at(when),
            actor_id: "u".into(),
            body,
        }
    }

    fn pen(kind: PenaltyType, amount_fen: Option<i64>) -> PenaltyItem {
        PenaltyItem {
            kind,
            amount_fen: amount_fen.map(Fen),
            description: None,
        }
    }

    fn fine(fen: i64) -> PenaltyItem {
        pen(PenaltyType::Fine, Some(fen))
    }

    fn warning() -> PenaltyItem {
        pen(PenaltyType::Warning, None)
    }

    fn report(id: &str, when: &str, penalties: Vec<PenaltyItem>) -> Stored<ReportStep> {
        stored(
            id,
            when,
            ReportStep {
                request: ReportRequest {
                    findings: "经查，当事人销售过期食品。".into(),
                    outcome: ProposedOutcome::Penalty,
                    penalties,
                    tier: None,
                    deviation_reason: None,
                    complex: false,
                    major_violation: false,
                    major_public_interest: false,
                },
                assessment: Assessment::default(),
            },
        )
    }

    /// A notice served at `when`, its statement period to `statement_due`.
    fn notice(
        id: &str,
        when: &str,
        penalties: Vec<PenaltyItem>,
        statement_due: &str,
        hearing_request_due: Option<&str>,
    ) -> Stored<NoticeStep> {
        let fine_fen = fine_of(&penalties);
        stored(
            id,
            when,
            NoticeStep {
                request: NoticeRequest {
                    served_at: utc(when),
                    method: ServiceMethod::Direct,
                    increase_reason: None,
                    electronic_consent: false,
                },
                report_id: "r1".into(),
                penalties,
                fine_fen,
                hearing_right: hearing_request_due.is_some(),
                hearing_reasons: vec![],
                statement_due: day(statement_due),
                document_id: None,
                document_number: None,
                hearing_request_due: hearing_request_due.map(day),
            },
        )
    }

    fn statement(id: &str, when: &str, waived: bool) -> Stored<StatementRequest> {
        stored(
            id,
            when,
            StatementRequest {
                received_at: utc(when),
                waived,
                content: (!waived).then(|| "我方已整改".into()),
                adopted: None,
                review_note: None,
            },
        )
    }

    fn hearing_request(id: &str, when: &str) -> Stored<HearingRequestRequest> {
        stored(
            id,
            when,
            HearingRequestRequest {
                requested_at: utc(when),
                note: None,
            },
        )
    }

    fn hearing_body(notified: &str, held: &str, presiding: &str) -> HearingRequest {
        HearingRequest {
            notified_at: utc(notified),
            held_at: utc(held),
            place: "第一听证室".into(),
            presiding_officer_id: presiding.into(),
            public: true,
            party_attended: true,
            agents: vec![],
        }
    }

    fn hearing(id: &str, when: &str) -> Stored<HearingRequest> {
        stored(id, when, hearing_body("2026-03-02 02:00", when, "p"))
    }

    fn transcript(id: &str, when: &str) -> Stored<TranscriptRequest> {
        stored(
            id,
            when,
            TranscriptRequest {
                text: "听证笔录".into(),
                party_signed: true,
                refusal_note: None,
            },
        )
    }

    fn review(id: &str, report_id: &str, status: ReviewStatus, when: &str) -> ReviewFacts {
        ReviewFacts {
            id: id.into(),
            status,
            report_id: report_id.into(),
            submitted_at: at(when),
        }
    }

    /// A discussion held at `when` by `attendees`, confirmed by `confirmed`.
    fn discussion(
        id: &str,
        when: &str,
        attendees: &[&str],
        confirmed: &[&str],
    ) -> Stored<DiscussionStep> {
        stored(
            id,
            when,
            DiscussionStep {
                request: DiscussionRequest {
                    held_at: utc(when),
                    attendee_ids: attendees.iter().map(|a| a.to_string()).collect(),
                    conclusion: "同意处罚".into(),
                    dissent: vec![],
                },
                report_id: Some("r1".into()),
                confirmations: confirmed
                    .iter()
                    .map(|c| Confirmation {
                        user_id: c.to_string(),
                        at: "2026-03-23T02:00:00Z".into(),
                        note: None,
                    })
                    .collect(),
            },
        )
    }

    fn decision_request(outcome: ProposedOutcome, penalties: Vec<PenaltyItem>) -> DecisionRequest {
        DecisionRequest {
            outcome,
            penalties,
            deviation_reason: None,
            form_number: None,
            party_informed: false,
            reason: None,
        }
    }

    /// What `check_decision` is asked, owned by the test.
    struct Case {
        procedure: Procedure,
        party: PartyKind,
        file: CaseFile,
        profile: Profile,
        today: NaiveDate,
        due: NaiveDate,
        req: DecisionRequest,
        verdict: Option<Verdict>,
    }

    impl Case {
        fn decide(&self) -> AppResult<DecisionBasis> {
            self.decide_with(self.verdict.map(Ok))
        }

        fn decide_with(
            &self,
            fine_verdict: Option<AppResult<Verdict>>,
        ) -> AppResult<DecisionBasis> {
            check_decision(DecisionFacts {
                procedure: self.procedure,
                party_kind: self.party,
                file: &self.file,
                profile: &self.profile,
                today: self.today,
                decision_due: self.due,
                request: &self.req,
                fine_verdict,
            })
        }

        /// The refusal: its code, the field of its first error, its detail.
        fn refusal(&self) -> (Code, Option<String>, String) {
            let e = self.decide().expect_err("the decision is refused");
            (e.code, e.errors.first().map(|x| x.field.clone()), e.detail)
        }

        fn code(&self) -> Code {
            self.refusal().0
        }
    }

    /// A complete general-procedure file of a natural person fined `fen`:
    /// report r1 (03-10), notice n1 (03-11, statement period to 03-18), no
    /// hearing right; decided on 03-25, the period running to 06-01.
    fn general(fen: i64) -> Case {
        let file = CaseFile {
            reports: vec![report("r1", "2026-03-10 08:00", vec![fine(fen)])],
            notices: vec![notice(
                "n1",
                "2026-03-11 08:00",
                vec![fine(fen)],
                "2026-03-18",
                None,
            )],
            ..CaseFile::default()
        };
        Case {
            procedure: Procedure::General,
            party: PartyKind::Person,
            file,
            profile: Profile::default(),
            today: day("2026-03-25"),
            due: day("2026-06-01"),
            req: decision_request(ProposedOutcome::Penalty, vec![fine(fen)]),
            verdict: Some(Verdict::WithinTier),
        }
    }

    /// A complete major file: a 20,000-yuan fine (hearing right, legality
    /// review) for a major violation (collective discussion), the hearing
    /// requested, held and transcribed, the review approved, the
    /// discussion confirmed by all.
    fn major() -> Case {
        let fen = 2_000_000;
        let mut c = general(fen);
        c.file.reports[0].body.request.major_violation = true;
        c.file.notices = vec![notice(
            "n1",
            "2026-03-11 08:00",
            vec![fine(fen)],
            "2026-03-18",
            Some("2026-03-18"),
        )];
        c.file.hearing_requests = vec![hearing_request("hr1", "2026-03-12 08:00")];
        c.file.hearings = vec![hearing("h1", "2026-03-20 02:00")];
        c.file.transcripts = vec![transcript("t1", "2026-03-20 06:00")];
        c.file.reviews = vec![review(
            "lr1",
            "r1",
            ReviewStatus::Approved,
            "2026-03-21 02:00",
        )];
        c.file.discussions = vec![discussion(
            "d1",
            "2026-03-23 02:00",
            &["h1", "h2"],
            &["h1", "h2"],
        )];
        c
    }

    /// On the spot: a warning on a pre-numbered form, the party informed.
    fn on_the_spot(penalties: Vec<PenaltyItem>) -> Case {
        let mut req = decision_request(ProposedOutcome::Penalty, penalties);
        req.form_number = Some("No.0000123".into());
        req.party_informed = true;
        Case {
            procedure: Procedure::Simplified,
            party: PartyKind::Person,
            file: CaseFile::default(),
            profile: Profile::default(),
            today: day("2026-03-02"),
            due: day("2026-03-02"),
            req,
            verdict: None,
        }
    }

    #[test]
    fn a_complete_file_passes_with_its_basis() {
        let c = general(500_000);
        assert_eq!(
            c.decide().unwrap(),
            DecisionBasis {
                report_id: Some("r1".into()),
                legal_review_id: None,
                verdict: Some(Verdict::WithinTier),
            }
        );
        let c = major();
        assert_eq!(
            c.decide().unwrap(),
            DecisionBasis {
                report_id: Some("r1".into()),
                legal_review_id: Some("lr1".into()),
                verdict: Some(Verdict::WithinTier),
            }
        );
        // The basis is the latest report.
        let mut c = general(500_000);
        c.file
            .reports
            .insert(0, report("r0", "2026-03-05 08:00", vec![fine(900_000)]));
        assert_eq!(c.decide().unwrap().report_id.as_deref(), Some("r1"));
    }

    #[test]
    fn guards_answer_in_the_laws_order() {
        // No notice and the period over: the notice (Art 44) answers, not Art 60.
        let mut c = general(500_000);
        c.file.notices.clear();
        c.today = day("2026-06-02");
        assert_eq!(c.code(), Code::NoticeRequired);
        // A pending hearing and a heavier fine: the hearing (Art 63–65) first.
        let mut c = major();
        c.file.hearings.clear();
        c.file.transcripts.clear();
        c.req.penalties = vec![fine(3_000_000)];
        assert_eq!(c.code(), Code::HearingPending);
        // Review, discussion and period all wanting: the review (Art 58) first.
        let mut c = major();
        c.file.reviews.clear();
        c.file.discussions.clear();
        c.today = day("2026-06-02");
        assert_eq!(c.code(), Code::LegalReviewRequired);
        // Then the discussion (Art 57 ¶2) before the period (Art 60).
        c.file.reviews = major().file.reviews;
        assert_eq!(c.code(), Code::CollectiveDiscussionRequired);
        c.file.discussions = major().file.discussions;
        assert_eq!(c.code(), Code::DecisionPeriodExpired);
        // The outcome (Art 27) before everything, even on the spot.
        let mut c = on_the_spot(vec![]);
        c.req.outcome = ProposedOutcome::TransferCriminal;
        assert_eq!(c.refusal().1.as_deref(), Some("outcome"));
        // A refused fine before the form of the simplified procedure.
        let mut c = on_the_spot(vec![fine(10_000)]);
        c.req.form_number = None;
        let e = c
            .decide_with(Some(Err(AppError::rule(Code::FineOutsideLaw, "x"))))
            .unwrap_err();
        assert_eq!(e.code, Code::FineOutsideLaw);
        // The statement period (Art 45, 62) before the decided penalties are
        // checked against the notices (Art 44).
        let mut c = general(500_000);
        c.req.penalties = vec![fine(500_000), warning()];
        c.today = day("2026-03-18");
        assert_eq!(c.code(), Code::DeadlineNotReached);
    }

    #[test]
    fn art_27_decision_imposes_a_penalty_or_none() {
        for outcome in [
            ProposedOutcome::TransferCriminal,
            ProposedOutcome::NotEstablished,
        ] {
            let mut c = general(500_000);
            c.req.outcome = outcome;
            let (code, field, detail) = c.refusal();
            assert_eq!(code, Code::InvalidValue);
            assert_eq!(field.as_deref(), Some("outcome"));
            assert!(detail.contains("第二十七条"), "{detail}");
        }
    }

    #[test]
    fn art_59_1_3_penalty_decision_names_its_penalties() {
        let mut c = general(500_000);
        c.req.penalties.clear();
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::InvalidValue);
        assert_eq!(field.as_deref(), Some("penalties"));
        assert!(detail.contains("第五十九条第一款第三项"), "{detail}");
    }

    #[test]
    fn art_57_1_2_no_penalty_decision_imposes_none() {
        let mut c = general(500_000);
        c.req.outcome = ProposedOutcome::NoPenalty;
        let (code, field, _) = c.refusal();
        assert_eq!(code, Code::InvalidValue);
        assert_eq!(field.as_deref(), Some("penalties"));
        // Without penalties it needs no notice (Art 44 binds penalties only).
        c.req.penalties.clear();
        c.file.notices.clear();
        c.verdict = None;
        assert_eq!(
            c.decide().unwrap(),
            DecisionBasis {
                report_id: Some("r1".into()),
                legal_review_id: None,
                verdict: None,
            }
        );
    }

    #[test]
    fn art_34_76_a_refused_fine_refuses_the_decision() {
        let c = general(500_000);
        let refusal = AppError::rule_on_field(
            Code::FineOutsideLaw,
            "proposed_fine_fen",
            "超出法定幅度（行政处罚法第七十六条）",
        );
        let e = c.decide_with(Some(Err(refusal))).unwrap_err();
        assert_eq!(e.code, Code::FineOutsideLaw);
        assert_eq!(e.errors[0].field, "proposed_fine_fen");
        assert_eq!(e.detail, "超出法定幅度（行政处罚法第七十六条）");
        // No judgement (no fine judged): no verdict in the basis.
        assert_eq!(c.decide_with(None).unwrap().verdict, None);
    }

    #[test]
    fn art_52_simplified_needs_a_numbered_form() {
        for form in [None, Some("  ".to_string())] {
            let mut c = on_the_spot(vec![warning()]);
            c.req.form_number = form;
            let (code, field, detail) = c.refusal();
            assert_eq!(code, Code::InvalidValue);
            assert_eq!(field.as_deref(), Some("form_number"));
            assert!(detail.contains("第五十二条"), "{detail}");
        }
    }

    #[test]
    fn art_44_52_simplified_party_must_be_informed() {
        let mut c = on_the_spot(vec![warning()]);
        c.req.party_informed = false;
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::NoticeRequired);
        assert_eq!(field.as_deref(), Some("party_informed"));
        assert!(detail.contains("第四十四条、第五十二条"), "{detail}");
    }

    #[test]
    fn art_51_simplified_limits() {
        // A person: a warning or at most 200 yuan; the file needs no report.
        let c = on_the_spot(vec![warning()]);
        assert_eq!(
            c.decide().unwrap(),
            DecisionBasis {
                report_id: None,
                legal_review_id: None,
                verdict: None,
            }
        );
        let mut c = on_the_spot(vec![warning(), fine(20_000)]);
        c.verdict = Some(Verdict::WithinTier);
        assert_eq!(c.decide().unwrap().verdict, Some(Verdict::WithinTier));
        let c = on_the_spot(vec![fine(20_001)]);
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::SimplifiedProcedureLimitExceeded);
        assert_eq!(field.as_deref(), Some("penalties"));
        assert!(
            detail.contains("200 元") && detail.contains("第五十一条"),
            "{detail}"
        );
        // An organisation: at most 3,000 yuan.
        let mut c = on_the_spot(vec![fine(300_000)]);
        c.party = PartyKind::Organization;
        assert!(c.decide().is_ok());
        c.req.penalties = vec![fine(300_001)];
        assert!(c.refusal().2.contains("3000 元"));
        // Nothing but warnings and fines.
        let c = on_the_spot(vec![pen(PenaltyType::ConfiscateIllegalGains, Some(100))]);
        assert_eq!(c.code(), Code::SimplifiedProcedureLimitExceeded);
    }

    #[test]
    fn art_57_decision_needs_the_investigation_report() {
        let mut c = general(500_000);
        c.file.reports.clear();
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::ReportRequired);
        assert_eq!(field, None);
        assert!(detail.contains("第五十七条"), "{detail}");
    }

    #[test]
    fn art_44_decision_refused_without_notice() {
        let mut c = general(500_000);
        c.file.notices.clear();
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::NoticeRequired);
        assert_eq!(field, None);
        assert!(detail.contains("第四十四条、第六十二条"), "{detail}");
    }

    #[test]
    fn art_62_statement_period_must_run_out_unless_waived() {
        // On the last day of the period: refused; the day after: decided.
        let mut c = general(500_000);
        c.today = day("2026-03-18");
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::DeadlineNotReached);
        assert_eq!(field, None);
        assert!(
            detail.contains("2026-03-18") && detail.contains("第四十五条、第六十二条"),
            "{detail}"
        );
        c.today = day("2026-03-19");
        assert!(c.decide().is_ok());
        // A statement that is not a waiver does not end the period.
        let mut c = general(500_000);
        c.today = day("2026-03-15");
        c.file.statements = vec![statement("s1", "2026-03-12 08:00", false)];
        assert_eq!(c.code(), Code::DeadlineNotReached);
        // A waiver after the notice ends it; one before the notice does not.
        c.file.statements = vec![statement("s1", "2026-03-12 08:00", true)];
        assert!(c.decide().is_ok());
        c.file.statements = vec![statement("s0", "2026-03-10 09:00", true)];
        assert_eq!(c.code(), Code::DeadlineNotReached);
        // The party heard after the notice: the period needs not run out.
        c.file.hearings = vec![hearing("h1", "2026-03-14 02:00")];
        c.file.transcripts = vec![transcript("t1", "2026-03-14 06:00")];
        assert!(c.decide().is_ok());
    }

    #[test]
    fn art_64_1_hearing_request_period_must_run_out() {
        let mut c = general(500_000);
        c.file.notices = vec![notice(
            "n1",
            "2026-03-11 08:00",
            vec![fine(500_000)],
            "2026-03-18",
            Some("2026-03-20"),
        )];
        c.today = day("2026-03-20");
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::DeadlineNotReached);
        assert_eq!(field, None);
        assert!(
            detail.contains("2026-03-20") && detail.contains("第六十四条第一项"),
            "{detail}"
        );
        c.today = day("2026-03-21");
        assert!(c.decide().is_ok());
        // A waiver ends it too.
        c.today = day("2026-03-19");
        c.file.statements = vec![statement("s1", "2026-03-12 08:00", true)];
        assert!(c.decide().is_ok());
        // A request made: the period is no longer the question, the hearing is.
        c.file.statements.clear();
        c.today = day("2026-03-19");
        c.file.hearing_requests = vec![hearing_request("hr1", "2026-03-13 08:00")];
        assert_eq!(c.code(), Code::HearingPending);
    }

    #[test]
    fn art_63_65_pending_hearing_blocks_decision() {
        let mut c = major();
        c.file.hearings.clear();
        c.file.transcripts.clear();
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::HearingPending);
        assert_eq!(field, None);
        assert!(detail.contains("第六十三条、第六十五条"), "{detail}");
        // A hearing held before the (latest) request does not answer it.
        c.file.hearings = vec![hearing("h0", "2026-03-11 09:00")];
        c.file.transcripts = vec![transcript("t0", "2026-03-11 10:00")];
        assert_eq!(c.code(), Code::HearingPending);
    }

    #[test]
    fn art_64_8_65_decision_rests_on_the_hearing_transcript() {
        let mut c = major();
        c.file.transcripts.clear();
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::TranscriptMissing);
        assert_eq!(field, None);
        assert!(detail.contains("第六十四条第八项、第六十五条"), "{detail}");
        // A transcript older than the latest hearing is not its transcript.
        c.file.transcripts = vec![transcript("t0", "2026-03-19 06:00")];
        assert_eq!(c.code(), Code::TranscriptMissing);
    }

    #[test]
    fn art_44_every_decided_penalty_was_notified() {
        let mut c = general(500_000);
        c.req.penalties = vec![fine(500_000), warning()];
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::NoticeRequired);
        assert_eq!(field.as_deref(), Some("penalties[1].type"));
        assert!(detail.contains("第四十四条、第六十二条"), "{detail}");
        // Notified in any notice of the file: enough.
        c.file.notices.insert(
            0,
            notice(
                "n0",
                "2026-03-10 09:00",
                vec![fine(500_000), warning()],
                "2026-03-17",
                None,
            ),
        );
        assert!(c.decide().is_ok());
    }

    #[test]
    fn art_45_2_decision_not_heavier_than_notified() {
        let mut c = general(500_000);
        c.req.penalties = vec![fine(600_000)];
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::HeavierThanNotified);
        assert_eq!(field.as_deref(), Some("penalties"));
        assert!(
            detail.contains("6000元")
                && detail.contains("5000元")
                && detail.contains("第四十五条第二款"),
            "{detail}"
        );
        // The lowest amount ever notified binds, not the latest.
        let mut c = general(500_000);
        c.file.notices.insert(
            0,
            notice(
                "n0",
                "2026-03-10 09:00",
                vec![fine(400_000)],
                "2026-03-17",
                None,
            ),
        );
        assert_eq!(c.code(), Code::HeavierThanNotified);
        c.req.penalties = vec![fine(400_000)];
        assert!(c.decide().is_ok());
    }

    #[test]
    fn art_58_review_required_for_major_fine() {
        // 10,000 yuan for a person: the department's major-decision amount.
        let mut c = general(1_000_000);
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::LegalReviewRequired);
        assert_eq!(field, None);
        assert!(
            detail.contains("第五十八条") && detail.contains("重大执法决定标准"),
            "{detail}"
        );
        // Approved, but for an earlier report: not this proposal.
        c.file.reviews = vec![review(
            "lr0",
            "r0",
            ReviewStatus::Approved,
            "2026-03-09 02:00",
        )];
        assert_eq!(c.code(), Code::LegalReviewRequired);
        // Pending for this report: not yet.
        c.file.reviews = vec![review(
            "lr1",
            "r1",
            ReviewStatus::Pending,
            "2026-03-21 02:00",
        )];
        assert_eq!(c.code(), Code::LegalReviewRequired);
        // The latest opinion counts: approved, then returned.
        c.file.reviews = vec![
            review("lr1", "r1", ReviewStatus::Approved, "2026-03-21 02:00"),
            review("lr2", "r1", ReviewStatus::Returned, "2026-03-22 02:00"),
        ];
        assert_eq!(c.code(), Code::LegalReviewRequired);
        c.file.reviews.reverse();
        assert_eq!(c.decide().unwrap().legal_review_id.as_deref(), Some("lr1"));
    }

    #[test]
    fn art_58_review_required_for_deviation_and_by_the_report() {
        // A fine outside its benchmark tier.
        let mut c = general(500_000);
        c.verdict = Some(Verdict::Deviation);
        assert_eq!(c.code(), Code::LegalReviewRequired);
        let mut c = general(500_000);
        c.file.reports[0].body.assessment.verdict = Some("deviation".into());
        assert_eq!(c.code(), Code::LegalReviewRequired);
        // The report's own reasons (public interest; the assessment's list).
        let mut c = general(500_000);
        c.file.reports[0].body.request.major_public_interest = true;
        assert!(c.refusal().2.contains("重大公共利益"));
        let mut c = general(500_000);
        c.file.reports[0].body.assessment.legal_review_reasons = vec!["评估认定须审核。".into()];
        assert!(c.refusal().2.ends_with("评估认定须审核。"));
        c.file.reviews = vec![review(
            "lr1",
            "r1",
            ReviewStatus::Approved,
            "2026-03-21 02:00",
        )];
        assert_eq!(c.decide().unwrap().legal_review_id.as_deref(), Some("lr1"));
    }

    #[test]
    fn art_58_1_a_voluntary_review_still_binds() {
        let mut c = general(500_000);
        c.file.reviews = vec![review(
            "lr1",
            "r1",
            ReviewStatus::Returned,
            "2026-03-21 02:00",
        )];
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::LegalReviewRequired);
        assert_eq!(field, None);
        assert!(detail.contains("第五十八条第一款"), "{detail}");
        // A review of an earlier report does not bind the current one.
        c.file.reviews[0].report_id = "r0".into();
        assert_eq!(c.decide().unwrap().legal_review_id, None);
        // An approved voluntary review is the decision's basis.
        c.file.reviews = vec![review(
            "lr1",
            "r1",
            ReviewStatus::Approved,
            "2026-03-21 02:00",
        )];
        assert_eq!(c.decide().unwrap().legal_review_id.as_deref(), Some("lr1"));
    }

    #[test]
    fn art_57_2_discussion_must_be_confirmed_by_all() {
        let mut c = major();
        c.file.discussions = vec![discussion("d1", "2026-03-23 02:00", &["h1", "h2"], &["h1"])];
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::CollectiveDiscussionRequired);
        assert_eq!(field, None);
        assert!(
            detail.contains("第五十七条第二款") && detail.contains("重大违法行为"),
            "{detail}"
        );
        // Confirmed by all, but held before the current report.
        c.file.discussions = vec![discussion(
            "d0",
            "2026-03-09 02:00",
            &["h1", "h2"],
            &["h1", "h2"],
        )];
        assert_eq!(c.code(), Code::CollectiveDiscussionRequired);
        // Any later confirmed discussion will do.
        c.file.discussions.push(discussion(
            "d1",
            "2026-03-23 02:00",
            &["h1", "h2"],
            &["h2", "h1"],
        ));
        assert!(c.decide().is_ok());
    }

    #[test]
    fn art_57_2_discussion_required_for_large_fine_and_by_the_report() {
        // 50,000 yuan for a person: the department's discussion amount.
        let mut c = general(5_000_000);
        c.file.reviews = vec![review(
            "lr1",
            "r1",
            ReviewStatus::Approved,
            "2026-03-21 02:00",
        )];
        assert!(c.refusal().2.contains("集体讨论标准"));
        let mut c = general(500_000);
        c.file.reports[0]
            .body
            .assessment
            .collective_discussion_reasons = vec!["评估认定须集体讨论。".into()];
        assert!(c.refusal().2.ends_with("评估认定须集体讨论。"));
        let mut c = general(500_000);
        c.file.reports[0].body.request.complex = true;
        // Complex: review (Art 58 ¶1 (3)) first, then the discussion.
        assert_eq!(c.code(), Code::LegalReviewRequired);
        c.file.reviews = vec![review(
            "lr1",
            "r1",
            ReviewStatus::Approved,
            "2026-03-21 02:00",
        )];
        assert_eq!(c.code(), Code::CollectiveDiscussionRequired);
    }

    #[test]
    fn art_60_decision_refused_after_period() {
        let mut c = general(500_000);
        c.today = day("2026-06-01");
        assert!(c.decide().is_ok());
        c.today = day("2026-06-02");
        let (code, field, detail) = c.refusal();
        assert_eq!(code, Code::DecisionPeriodExpired);
        assert_eq!(field, None);
        assert!(
            detail.contains("2026-06-01") && detail.contains("第六十条"),
            "{detail}"
        );
    }

    // ------------------------------------------------------------ hearing

    #[test]
    fn art_64_2_hearing_notified_seven_working_days_before() {
        let cal = Calendar::default();
        // Notified Monday 03-02: the 7th working day after is 03-11.
        let h = hearing_body("2026-03-02 02:00", "2026-03-11 02:00", "p");
        let e = check_hearing(&h, &["a".into()], &cal).unwrap_err();
        assert_eq!(e.code, Code::HearingNoticeTooShort);
        assert_eq!(e.errors[0].field, "held_at");
        assert!(
            e.detail.contains("2026-03-11") && e.detail.contains("第六十四条第二项"),
            "{}",
            e.detail
        );
        let h = hearing_body("2026-03-02 02:00", "2026-03-12 02:00", "p");
        assert!(check_hearing(&h, &["a".into()], &cal).is_ok());
        // China dates: 16:30 UTC on 03-01 is 03-02 in Beijing.
        let h = hearing_body("2026-03-01 16:30", "2026-03-11 02:00", "p");
        assert_eq!(
            check_hearing(&h, &[], &cal).unwrap_err().code,
            Code::HearingNoticeTooShort
        );
    }

    #[test]
    fn art_64_4_hearing_presided_by_a_non_investigator() {
        let cal = Calendar::default();
        let h = hearing_body("2026-03-02 02:00", "2026-03-12 02:00", "a");
        let e = check_hearing(&h, &["a".into(), "b".into()], &cal).unwrap_err();
        assert_eq!(e.code, Code::PresidingOfficerIsInvestigator);
        assert_eq!(e.errors[0].field, "presiding_officer_id");
        assert!(e.detail.contains("第六十四条第四项"), "{}", e.detail);
        // The notice period is checked first.
        let h = hearing_body("2026-03-02 02:00", "2026-03-05 02:00", "a");
        assert_eq!(
            check_hearing(&h, &["a".into()], &cal).unwrap_err().code,
            Code::HearingNoticeTooShort
        );
    }

    // ------------------------------------------------------------ closure

    fn served(mut file: CaseFile) -> CaseFile {
        file.services.push(stored(
            "sv1",
            "2026-03-26 02:00",
            ServiceStep {
                request: ServiceRequest {
                    document_id: "dc1".into(),
                    method: ServiceMethod::Direct,
                    served_at: utc("2026-03-26 02:00"),
                    recipient: "赵某".into(),
                    witnesses: vec![],
                    photo_evidence_id: None,
                    electronic_consent: false,
                },
                effective_on: day("2026-03-26"),
                payment_due: Some(day("2026-04-10")),
            },
        ));
        file
    }

    #[test]
    fn art_61_closure_refused_before_service() {
        let e = check_closure(&CaseFile::default(), None).unwrap_err();
        assert_eq!(e.code, Code::DecisionNotPerformed);
        assert!(e.errors.is_empty());
    }

    #[test]
    fn art_67_72_closure_refused_while_fine_or_surcharge_outstanding() {
        let file = served(CaseFile::default());
        let unpaid = owed(Fen(500_000), day("2026-04-10"), &[], day("2026-04-12"), &[]);
        let e = check_closure(&file, Some(&unpaid)).unwrap_err();
        assert_eq!(e.code, Code::DecisionNotPerformed);
        assert!(e.errors.is_empty());
        // 5,000 yuan and 2 days × 150 yuan.
        assert!(
            e.detail.contains("5300元") && e.detail.contains("第六十七条、第七十二条"),
            "{}",
            e.detail
        );
        // The fine paid late, the surcharge not.
        let late = owed(
            Fen(500_000),
            day("2026-04-10"),
            &[(day("2026-04-12"), Fen(500_000))],
            day("2026-04-20"),
            &[],
        );
        assert!(check_closure(&file, Some(&late))
            .unwrap_err()
            .detail
            .contains("300元"));
        let paid = owed(
            Fen(500_000),
            day("2026-04-10"),
            &[(day("2026-04-12"), Fen(530_000))],
            day("2026-04-20"),
            &[],
        );
        assert!(check_closure(&file, Some(&paid)).is_ok());
        // Nothing owed (no fine): served is performed.
        assert!(check_closure(&file, None).is_ok());
    }

    #[test]
    fn compulsion_law_art_53_closure_once_the_court_accepts_enforcement() {
        let mut file = served(CaseFile::default());
        let unpaid = owed(Fen(500_000), day("2026-04-10"), &[], day("2026-12-01"), &[]);
        let court = |accepted| {
            stored(
                "ce1",
                "2026-11-01 02:00",
                CourtEnforcementRequest {
                    applied_at: utc("2026-11-01 02:00"),
                    court: "某区人民法院".into(),
                    accepted,
                },
            )
        };
        file.court.push(court(false));
        assert_eq!(
            check_closure(&file, Some(&unpaid)).unwrap_err().code,
            Code::DecisionNotPerformed
        );
        file.court.push(court(true));
        assert!(check_closure(&file, Some(&unpaid)).is_ok());
        // Unless the decision was never served.
        file.services.clear();
        assert_eq!(
            check_closure(&file, Some(&unpaid)).unwrap_err().code,
            Code::DecisionNotPerformed
        );
    }

    // ------------------------------------------------------------ payment plans

    fn plan(
        kind: PlanKind,
        deferred_until: Option<&str>,
        instalments: &[(&str, i64)],
    ) -> PaymentPlanRequest {
        PaymentPlanRequest {
            kind,
            reason: "经营困难，无力一次缴清".into(),
            applied_at: utc("2026-04-01 02:00"),
            deferred_until: deferred_until.map(day),
            instalments: instalments
                .iter()
                .map(|(d, a)| Instalment {
                    due_on: day(d),
                    amount_fen: Fen(*a),
                })
                .collect(),
        }
    }

    /// 5,000 yuan due 04-10, 1,000 paid; asked on 04-05.
    fn owing() -> (Owed, NaiveDate) {
        (
            owed(
                Fen(500_000),
                day("2026-04-10"),
                &[(day("2026-04-02"), Fen(100_000))],
                day("2026-04-05"),
                &[],
            ),
            day("2026-04-05"),
        )
    }

    fn plan_field(r: AppResult<NaiveDate>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.code, Code::ValidationFailed);
        e.errors[0].field.clone()
    }

    #[test]
    fn art_66_2_payment_plan_needs_an_unpaid_fine_and_a_reason() {
        let (o, today) = owing();
        let paid = owed(
            Fen(500_000),
            day("2026-04-10"),
            &[(day("2026-04-02"), Fen(500_000))],
            today,
            &[],
        );
        let req = plan(PlanKind::Deferral, Some("2026-05-10"), &[]);
        assert_eq!(
            check_payment_plan(&req, &paid, today).unwrap_err().code,
            Code::NoFineToPay
        );
        let mut req = req;
        req.reason = " ".into();
        assert_eq!(plan_shape_field(&req), "reason");
        assert!(
            check_payment_plan(&req, &o, today).is_ok(),
            "shape is the body's"
        );
    }

    /// The field the plan's shape check names (`PaymentPlanRequest`'s derive).
    fn plan_shape_field(req: &PaymentPlanRequest) -> String {
        use validator::Validate;
        let e = crate::error::check_shape(req).unwrap_err();
        assert_eq!(e.code, Code::ValidationFailed);
        assert_eq!(e.errors[0].code, "invalid");
        assert!(req.validate().is_err());
        e.errors[0].field.clone()
    }

    #[test]
    fn art_66_2_deferral_to_a_later_day() {
        let (o, today) = owing();
        assert_eq!(
            check_payment_plan(
                &plan(PlanKind::Deferral, Some("2026-05-10"), &[]),
                &o,
                today
            )
            .unwrap(),
            day("2026-05-10")
        );
        // Not after the current last day to pay, or missing.
        for d in [Some("2026-04-10"), None] {
            assert_eq!(
                plan_field(check_payment_plan(
                    &plan(PlanKind::Deferral, d, &[]),
                    &o,
                    today
                )),
                "deferred_until"
            );
        }
        // Not after today (the last day to pay is long past).
        let late = owed(Fen(500_000), day("2026-04-10"), &[], day("2026-06-01"), &[]);
        assert_eq!(
            plan_field(check_payment_plan(
                &plan(PlanKind::Deferral, Some("2026-05-10"), &[]),
                &late,
                day("2026-06-01")
            )),
            "deferred_until"
        );
        // A deferral has no instalments.
        assert_eq!(
            plan_shape_field(&plan(
                PlanKind::Deferral,
                Some("2026-05-10"),
                &[("2026-05-10", 400_000)]
            )),
            "instalments"
        );
    }

    #[test]
    fn art_66_2_instalments_add_up_to_the_unpaid_fine() {
        let (o, today) = owing();
        let ok = [("2026-05-10", 200_000), ("2026-06-10", 200_000)];
        assert_eq!(
            check_payment_plan(&plan(PlanKind::Instalments, None, &ok), &o, today).unwrap(),
            day("2026-06-10")
        );
        let refused = |deferred: Option<&str>, inst: &[(&str, i64)], today: NaiveDate| {
            plan_field(check_payment_plan(
                &plan(PlanKind::Instalments, deferred, inst),
                &o,
                today,
            ))
        };
        let shape = |deferred: Option<&str>, inst: &[(&str, i64)]| {
            plan_shape_field(&plan(PlanKind::Instalments, deferred, inst))
        };
        assert_eq!(shape(Some("2026-05-10"), &ok), "deferred_until");
        assert_eq!(shape(None, &[("2026-05-10", 400_000)]), "instalments");
        assert_eq!(
            shape(None, &[("2026-06-10", 200_000), ("2026-06-10", 200_000)]),
            "instalments[1].due_on"
        );
        assert_eq!(
            shape(None, &[("2026-05-10", 400_000), ("2026-06-10", 0)]),
            "instalments[1].amount_fen"
        );
        assert!(crate::error::check_shape(&plan(PlanKind::Instalments, None, &ok)).is_ok());
        let e = check_payment_plan(
            &plan(
                PlanKind::Instalments,
                None,
                &[("2026-05-10", 200_000), ("2026-06-10", 250_000)],
            ),
            &o,
            today,
        )
        .unwrap_err();
        assert_eq!(e.errors[0].field, "instalments");
        assert!(e.errors[0].message.contains("400000 fen"));
        // The last instalment after today.
        assert_eq!(refused(None, &ok, day("2026-06-10")), "instalments");
    }
}

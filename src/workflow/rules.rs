//! The law of the case workflow, pure: no database, no clock. The case file
//! is rebuilt from its steps (`CaseFile`); each function answers one
//! question about it and names the article it enforces.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::{Calendar, Excluded};
use crate::cases::rules::{PartyKind, Procedure};
use crate::clock::china_date;
use crate::discretion::model::Tier;
use crate::error::{AppError, AppResult, Code, FieldError};
use crate::items::PenaltyType;
use crate::profiles::rules::{Profile, ProposedPenalty};

const APL: &str = "《中华人民共和国行政处罚法》";

fn day_of(t: NaiveDateTime) -> NaiveDate {
    china_date(t.and_utc())
}

// ------------------------------------------------------------ the steps

/// What the investigation proposes (调查终结, APL Art 57).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposedOutcome {
    Penalty,
    /// Minor, corrected, no harm; first violation; no fault (Art 33).
    NoPenalty,
    /// Suspected crime: transfer to the judicial organs (Art 27, 57 ¶1 (4)).
    TransferCriminal,
    /// Facts not established (Art 40, 57 ¶1 (3)).
    NotEstablished,
}

/// One penalty of a proposal or decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PenaltyItem {
    #[serde(rename = "type")]
    pub kind: PenaltyType,
    /// Fines and confiscations: the amount in fen.
    #[serde(default)]
    pub amount_fen: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
}

/// The fine of a list of penalties (at most one fine per decision).
pub fn fine_of(penalties: &[PenaltyItem]) -> i64 {
    penalties
        .iter()
        .filter(|p| p.kind == PenaltyType::Fine)
        .filter_map(|p| p.amount_fen)
        .sum()
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

/// Field checks of penalties: amounts where they belong, one fine.
pub fn penalty_errors(field: &str, penalties: &[PenaltyItem]) -> Vec<FieldError> {
    let mut out = vec![];
    let mut fines = 0;
    for (i, p) in penalties.iter().enumerate() {
        let f = format!("{field}[{i}].amount_fen");
        let needs_amount = matches!(
            p.kind,
            PenaltyType::Fine
                | PenaltyType::ConfiscateIllegalGains
                | PenaltyType::ConfiscateIllegalProperty
        );
        match (needs_amount, p.amount_fen) {
            (true, None) => out.push(FieldError::new(
                &f,
                "required",
                "a fine or confiscation states its amount in fen",
            )),
            (true, Some(a)) if a <= 0 => out.push(FieldError::new(
                &f,
                "out_of_range",
                "the amount is positive",
            )),
            (false, Some(_)) => out.push(FieldError::new(
                &f,
                "not_allowed",
                "only fines and confiscations carry an amount",
            )),
            _ => {}
        }
        if p.kind == PenaltyType::Fine {
            fines += 1;
        }
    }
    if fines > 1 {
        out.push(FieldError::new(
            field,
            "duplicate_fine",
            "one fine per case (一事不再罚, 行政处罚法第二十九条)",
        ));
    }
    out
}

/// `POST /cases/{id}/investigation-report`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// 调查终结报告: the facts found and the evidence that proves them.
    pub findings: String,
    pub outcome: ProposedOutcome,
    #[serde(default)]
    pub penalties: Vec<PenaltyItem>,
    /// The discretion tier the proposal applies (from the attached lookup).
    #[serde(default)]
    pub tier: Option<Tier>,
    /// Why the proposed fine leaves the tier (then legality review is required).
    #[serde(default)]
    pub deviation_reason: Option<String>,
    /// 情节复杂 (Art 57 ¶2, 58 ¶1 (3)).
    #[serde(default)]
    pub complex: bool,
    /// 重大违法行为 (Art 57 ¶2).
    #[serde(default)]
    pub major_violation: bool,
    /// 涉及重大公共利益 (Art 58 ¶1 (1)).
    #[serde(default)]
    pub major_public_interest: bool,
}

/// What the service found of a report when it was submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Assessment {
    pub discretion_attachment_id: Option<String>,
    /// `within_tier`, `deviation` or `waived`.
    pub verdict: Option<String>,
    pub hearing_reasons: Vec<String>,
    pub legal_review_reasons: Vec<String>,
    pub collective_discussion_reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportStep {
    #[serde(flatten)]
    pub request: ReportRequest,
    pub assessment: Assessment,
}

/// How a document reaches the party (送达, APL Art 61; Civil Procedure Law
/// Art 88–95).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMethod {
    /// 直接送达
    Direct,
    /// 留置送达: with witnesses or a photo/video record.
    LeftAtResidence,
    /// 邮寄送达
    Post,
    /// 电子送达: only with the party's consent (Art 61 ¶2).
    Electronic,
    /// 公告送达: deemed served 30 days after publication (CPL Art 95).
    PublicNotice,
}

/// `POST /cases/{id}/notice` — 行政处罚告知书 (Art 44).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    /// When the notice reached the party: the periods run from here.
    pub served_at: chrono::DateTime<chrono::Utc>,
    pub method: ServiceMethod,
    /// A new notice with a higher amount than one notified before must say
    /// why (new facts, not the party's defence — Art 45 ¶2).
    #[serde(default)]
    pub increase_reason: Option<String>,
    /// The party consented to electronic service (Art 61 ¶2).
    #[serde(default)]
    pub electronic_consent: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NoticeStep {
    #[serde(flatten)]
    pub request: NoticeRequest,
    pub report_id: String,
    pub penalties: Vec<PenaltyItem>,
    pub fine_fen: i64,
    pub hearing_right: bool,
    pub hearing_reasons: Vec<String>,
    pub statement_due: NaiveDate,
    pub hearing_request_due: Option<NaiveDate>,
}

/// `POST /cases/{id}/statements` — 陈述申辩, or its waiver.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementRequest {
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// The party expressly gives up statement and defence (Art 62).
    #[serde(default)]
    pub waived: bool,
    #[serde(default)]
    pub content: Option<String>,
    /// 复核: whether the facts, reasons and evidence raised were adopted (Art 45 ¶1).
    #[serde(default)]
    pub adopted: Option<bool>,
    #[serde(default)]
    pub review_note: Option<String>,
}

/// `POST /cases/{id}/hearing-request`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HearingRequestRequest {
    pub requested_at: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /cases/{id}/hearing` — the hearing held (听证, Art 64).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HearingRequest {
    /// When the hearing notice reached the party (≥ 7 working days before).
    pub notified_at: chrono::DateTime<chrono::Utc>,
    pub held_at: chrono::DateTime<chrono::Utc>,
    pub place: String,
    /// 主持人: appointed by the organ, not an investigator of the case.
    pub presiding_officer_id: String,
    #[serde(default)]
    pub public: bool,
    /// Absent without reason or walked out: the hearing ends as waived (Art 64 (6)).
    pub party_attended: bool,
    #[serde(default)]
    pub agents: Vec<String>,
}

/// `POST /cases/{id}/hearing/notice` — 听证通知书 (Art 64 (2)).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HearingNoticeRequest {
    /// When the hearing notice reached the party.
    pub served_at: chrono::DateTime<chrono::Utc>,
    /// When the hearing will be held: after 7 working days.
    pub hearing_at: chrono::DateTime<chrono::Utc>,
    pub place: String,
    pub presiding_officer_id: String,
    /// Public unless state secrets, trade secrets or privacy (Art 64 (3)).
    #[serde(default = "yes")]
    pub public: bool,
}

fn yes() -> bool {
    true
}

/// `POST /cases/{id}/hearing/transcript` — 听证笔录 (Art 64 (8), 65).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranscriptRequest {
    pub text: String,
    pub party_signed: bool,
    /// The presiding officer's note when the party refused to sign.
    #[serde(default)]
    pub refusal_note: Option<String>,
}

/// `POST /cases/{id}/collective-discussion` — 负责人集体讨论 (Art 57 ¶2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscussionRequest {
    pub held_at: chrono::DateTime<chrono::Utc>,
    /// Heads of the department who took part (the recorder among them).
    pub attendee_ids: Vec<String>,
    pub conclusion: String,
    #[serde(default)]
    pub dissent: Vec<Dissent>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dissent {
    pub user_id: String,
    pub opinion: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Confirmation {
    pub user_id: String,
    pub at: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiscussionStep {
    #[serde(flatten)]
    pub request: DiscussionRequest,
    pub report_id: Option<String>,
    pub confirmations: Vec<Confirmation>,
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

/// `POST /cases/{id}/decision`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `penalty` or `no_penalty`.
    pub outcome: ProposedOutcome,
    #[serde(default)]
    pub penalties: Vec<PenaltyItem>,
    #[serde(default)]
    pub deviation_reason: Option<String>,
    /// Simplified procedure: the number printed on the pre-numbered form (Art 52).
    #[serde(default)]
    pub form_number: Option<String>,
    /// Simplified procedure: the party was told the facts, reasons, basis
    /// and rights on the spot (Art 44, 52).
    #[serde(default)]
    pub party_informed: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionStep {
    #[serde(flatten)]
    pub request: DecisionRequest,
    /// 文号.
    pub number: String,
    pub fine_fen: i64,
    pub report_id: Option<String>,
    pub legal_review_id: Option<String>,
    pub verdict: Option<String>,
    pub service_due: NaiveDate,
}

/// `POST /cases/{id}/service`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequest {
    /// The decision served (its id, as returned by `POST /decision`).
    pub document_id: String,
    pub method: ServiceMethod,
    pub served_at: chrono::DateTime<chrono::Utc>,
    pub recipient: String,
    /// 留置送达: witnesses present.
    #[serde(default)]
    pub witnesses: Vec<String>,
    /// 留置送达: evidence id of the photo or video of the leaving.
    #[serde(default)]
    pub photo_evidence_id: Option<String>,
    #[serde(default)]
    pub electronic_consent: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceStep {
    #[serde(flatten)]
    pub request: ServiceRequest,
    /// The day service takes effect (public notice: 30 days on).
    pub effective_on: NaiveDate,
    pub payment_due: Option<NaiveDate>,
}

/// `POST /cases/{id}/payments`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    pub amount_fen: i64,
    pub paid_at: chrono::DateTime<chrono::Utc>,
    /// Bank or electronic payment reference (罚缴分离, Art 67); for money
    /// collected on the spot, the finance department's receipt (Art 70).
    #[serde(default)]
    pub receipt_number: Option<String>,
    /// 当场收缴 (Art 68–69): the officers took the money themselves.
    #[serde(default)]
    pub on_the_spot: Option<OnTheSpotGround>,
}

/// Why the officers could collect the fine on the spot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnTheSpotGround {
    /// Art 68 (1): a fine of at most 100 yuan decided on the spot.
    SmallFine,
    /// Art 68 (2): decided on the spot, and hard to enforce afterwards.
    HardToEnforce,
    /// Art 69: remote, water-borne or poorly connected area, at the party's request.
    RemoteArea,
}

/// Art 68–70: on-the-spot collection only on its grounds, with the finance
/// department's receipt.
pub fn check_on_the_spot(
    ground: OnTheSpotGround,
    procedure: Procedure,
    fine_fen: i64,
    receipt: Option<&str>,
) -> AppResult<()> {
    let ok = match ground {
        OnTheSpotGround::SmallFine => procedure == Procedure::Simplified && fine_fen <= 10_000,
        OnTheSpotGround::HardToEnforce => procedure == Procedure::Simplified,
        OnTheSpotGround::RemoteArea => true,
    };
    if !ok {
        return Err(AppError::rule_on_field(
            Code::OnTheSpotNotAllowed,
            "on_the_spot",
            format!("当场收缴罚款限于当场作出的一百元以下罚款、事后难以执行的罚款，或者边远、水上、交通不便地区（{APL}第六十八条、第六十九条）"),
        ));
    }
    if receipt.is_none_or(|r| r.trim().is_empty()) {
        return Err(AppError::rule_on_field(
            Code::OnTheSpotNotAllowed,
            "receipt_number",
            format!("当场收缴罚款的，必须向当事人出具财政部门统一制发的专用票据（{APL}第七十条）"),
        ));
    }
    Ok(())
}

/// `POST /cases/{id}/hand-in` — the money collected on the spot reached the agency.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandInRequest {
    pub handed_in_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// 延期缴纳
    Deferral,
    /// 分期缴纳
    Instalments,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Instalment {
    pub due_on: NaiveDate,
    pub amount_fen: i64,
}

/// `POST /cases/{id}/payment-plan` — a head approves the party's
/// application to defer or pay in instalments (APL Art 66 ¶2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentPlanRequest {
    pub kind: PlanKind,
    /// The party's economic difficulty, as applied for.
    pub reason: String,
    pub applied_at: chrono::DateTime<chrono::Utc>,
    /// Deferral: the new last day to pay.
    #[serde(default)]
    pub deferred_until: Option<NaiveDate>,
    /// Instalments: at least two, in date order, together the unpaid fine.
    #[serde(default)]
    pub instalments: Vec<Instalment>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaymentPlanStep {
    #[serde(flatten)]
    pub request: PaymentPlanRequest,
    /// No surcharge accrues on these days (the approved plan).
    pub paused_from: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Art 66 ¶2: what a plan may say. Returns its last day.
pub fn check_payment_plan(
    req: &PaymentPlanRequest,
    owed: &Owed,
    today: NaiveDate,
) -> AppResult<NaiveDate> {
    let unpaid_fine = (owed.fine_fen - owed.paid_fen).max(0);
    if unpaid_fine == 0 {
        return Err(AppError::rule(Code::NoFineToPay, "the fine is paid"));
    }
    let field =
        |f: &str, m: String| Err(AppError::validation(vec![FieldError::new(f, "invalid", m)]));
    if req.reason.trim().is_empty() {
        return field(
            "reason",
            "the party's economic difficulty (行政处罚法第六十六条第二款)".into(),
        );
    }
    let end = match req.kind {
        PlanKind::Deferral => {
            if !req.instalments.is_empty() {
                return field("instalments", "a deferral has no instalments".into());
            }
            match req.deferred_until {
                Some(d) if d > owed.due_on && d > today => d,
                _ => {
                    return field(
                        "deferred_until",
                        format!(
                            "a day after the current last day to pay ({}) and after today",
                            owed.due_on
                        ),
                    )
                }
            }
        }
        PlanKind::Instalments => {
            if req.deferred_until.is_some() {
                return field("deferred_until", "instalments state their own days".into());
            }
            if req.instalments.len() < 2 {
                return field("instalments", "at least two instalments".into());
            }
            for (i, w) in req.instalments.windows(2).enumerate() {
                if w[1].due_on <= w[0].due_on {
                    return field(
                        &format!("instalments[{}].due_on", i + 1),
                        "instalments in date order".into(),
                    );
                }
            }
            for (i, x) in req.instalments.iter().enumerate() {
                if x.amount_fen <= 0 {
                    return field(&format!("instalments[{i}].amount_fen"), "positive".into());
                }
            }
            let sum: i64 = req.instalments.iter().map(|x| x.amount_fen).sum();
            if sum != unpaid_fine {
                return field(
                    "instalments",
                    format!("the instalments add up to the unpaid fine, {unpaid_fine} fen"),
                );
            }
            let last = req.instalments.last().map(|x| x.due_on).unwrap_or(today);
            if last <= today {
                return field("instalments", "the last instalment lies after today".into());
            }
            last
        }
    };
    Ok(end)
}

/// `POST /cases/{id}/enforcement-demand` — 催告 (Administrative Compulsion
/// Law Art 35, 54).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandRequest {
    /// When the demand reached the party: its period runs from here.
    pub served_at: chrono::DateTime<chrono::Utc>,
    pub method: ServiceMethod,
}

/// Compulsion Law Art 54, 69: the court may be asked once the demand has
/// been served for 10 working days (its periods of 10 days or less are
/// working days).
pub fn demand_period_end(served_on: NaiveDate, cal: &Calendar) -> NaiveDate {
    cal.working_days_after(served_on, 10, &[]).date
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemedyKind {
    /// 行政复议 (60 days, Reconsideration Law Art 20).
    Reconsideration,
    /// 行政诉讼 (6 months, Administrative Litigation Law Art 46).
    Litigation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemedyResult {
    /// 维持 / 驳回
    Upheld,
    /// 撤销
    Revoked,
    /// 变更
    Changed,
    /// 确认违法
    ConfirmedUnlawful,
}

/// `POST /cases/{id}/remedies` — the party sought reconsideration or sued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemedyRequest {
    pub kind: RemedyKind,
    pub filed_at: chrono::DateTime<chrono::Utc>,
    /// The reconsideration organ or the court.
    pub organ: String,
}

/// `POST /cases/{id}/remedies/{remedy_id}/result`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemedyResultRequest {
    pub result: RemedyResult,
    pub decided_at: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RemedyStep {
    #[serde(flatten)]
    pub request: RemedyRequest,
    #[serde(default)]
    pub outcome: Option<RemedyResultRequest>,
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

/// `POST /cases/{id}/officers` — 承办人变更 by a head.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    pub officer_ids: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecusalSource {
    /// The officer asks to withdraw.
    Officer,
    /// The party applies (APL Art 43 ¶1).
    Party,
}

/// `POST /cases/{id}/recusals` — a head decides (APL Art 43 ¶2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecusalRequest {
    pub officer_id: String,
    pub source: RecusalSource,
    pub reason: String,
    /// The head's decision: withdraw the officer, or not.
    pub approved: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionKind {
    /// 检测、检验、检疫
    Testing,
    /// 鉴定
    Appraisal,
    /// 公告
    PublicNotice,
    /// 专家论证
    ExpertReview,
}

/// `POST /cases/{id}/exclusions` — a period that does not count against the
/// 90 days (SAMR procedure rules; 🟡 S27).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusionRequest {
    pub kind: ExclusionKind,
    /// First and last excluded day (China dates), inclusive.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

/// Evidence is gathered, preserved and seized, and periods excluded, while
/// the case is investigated: once it is decided its decision period is over
/// (APL Art 55–57). Suspension and closed files are refused elsewhere
/// (`check_open`, `perform`).
pub fn check_before_decision(status: crate::cases::rules::CaseStatus) -> AppResult<()> {
    if matches!(
        status,
        crate::cases::rules::CaseStatus::Decided
            | crate::cases::rules::CaseStatus::Served
            | crate::cases::rules::CaseStatus::Executing
    ) {
        return Err(AppError::new(Code::TransitionNotAllowed,
            format!("the case is decided: evidence, measures and excluded periods belong before the decision ({APL}第五十五条至第五十七条)"),
        ));
    }
    Ok(())
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

/// `POST /cases/{id}/court-enforcement` — 申请人民法院强制执行.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourtEnforcementRequest {
    pub applied_at: chrono::DateTime<chrono::Utc>,
    pub court: String,
    /// The court accepted the case (立案受理): the case may then close.
    #[serde(default)]
    pub accepted: bool,
}

/// Compulsion Law Art 53: the court may be asked once the party neither
/// sought reconsideration (60 days, Reconsideration Law Art 20) nor sued
/// (6 months, Administrative Litigation Law Art 46) in time, and within 3
/// months after that; Art 54: not before the demand's 10 working days.
/// Returns the window (first and last day).
pub fn court_window(served_on: NaiveDate) -> (NaiveDate, NaiveDate) {
    let remedies_end = served_on
        .checked_add_months(chrono::Months::new(6))
        .unwrap_or(NaiveDate::MAX);
    let last = remedies_end
        .checked_add_months(chrono::Months::new(3))
        .unwrap_or(NaiveDate::MAX);
    (remedies_end + chrono::Duration::days(1), last)
}

pub fn check_court_enforcement(
    file: &CaseFile,
    applied_on: NaiveDate,
    demand_ends: Option<NaiveDate>,
) -> AppResult<()> {
    let Some(service) = file.service() else {
        return Err(AppError::rule(
            Code::DecisionNotServed,
            "the decision has not been served",
        ));
    };
    match demand_ends {
        None => {
            return Err(AppError::rule(
                Code::DeadlineNotReached,
                "申请人民法院强制执行前，应当催告当事人履行义务（《中华人民共和国行政强制法》第五十四条）",
            ))
        }
        Some(end) if applied_on <= end => {
            return Err(AppError::rule(
                Code::DeadlineNotReached,
                format!("催告书送达十日后（{end}之后）当事人仍未履行的，方可申请（《中华人民共和国行政强制法》第五十四条）"),
            ))
        }
        _ => {}
    }
    if file.remedies.iter().any(|r| r.body.outcome.is_none()) {
        return Err(AppError::rule(
            Code::DeadlineNotReached,
            "复议或者诉讼尚未终结",
        ));
    }
    let (first, last) = court_window(service.body.effective_on);
    if applied_on < first {
        return Err(AppError::rule(
            Code::DeadlineNotReached,
            format!("当事人在法定期限内不申请行政复议或者提起行政诉讼的，方可申请强制执行，最早{first}（《中华人民共和国行政强制法》第五十三条）"),
        ));
    }
    if applied_on > last {
        return Err(AppError::rule(
            Code::EnforcementPeriodExpired,
            format!("申请人民法院强制执行的期限已于{last}届满（期限届满之日起三个月内，《中华人民共和国行政强制法》第五十三条）"),
        ));
    }
    Ok(())
}

/// Suspension, termination, closure, archive: a reason and nothing else.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

/// 立案审批: what the approval slip shows beside the filing form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingApprovalRequest {
    /// The case number and brief facts, as the head's queue shows them.
    #[serde(default)]
    pub facts: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SuspensionStep {
    pub reason: String,
    /// The state the case resumes to.
    pub resumes_to: crate::cases::rules::CaseStatus,
    pub from: NaiveDate,
}

/// `POST /cases/{id}/extension` — of the 90-day decision period (Art 60).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    pub days: u32,
    pub reason: String,
}

/// One stored step.
#[derive(Debug, Clone)]
pub struct Stored<T> {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: String,
    pub body: T,
}

/// A legality review as the rules see it.
#[derive(Debug, Clone)]
pub struct ReviewFacts {
    pub id: String,
    pub status: ReviewStatus,
    pub report_id: String,
    pub submitted_at: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Pending,
    Approved,
    Returned,
    Rejected,
}

/// The case file as its steps tell it, oldest first.
#[derive(Debug, Clone, Default)]
pub struct CaseFile {
    pub reports: Vec<Stored<ReportStep>>,
    pub notices: Vec<Stored<NoticeStep>>,
    pub statements: Vec<Stored<StatementRequest>>,
    pub hearing_requests: Vec<Stored<HearingRequestRequest>>,
    pub hearings: Vec<Stored<HearingRequest>>,
    pub transcripts: Vec<Stored<TranscriptRequest>>,
    pub discussions: Vec<Stored<DiscussionStep>>,
    pub decisions: Vec<Stored<DecisionStep>>,
    pub services: Vec<Stored<ServiceStep>>,
    pub payments: Vec<Stored<PaymentRequest>>,
    pub suspensions: Vec<Stored<SuspensionStep>>,
    pub resumptions: Vec<Stored<ReasonRequest>>,
    pub extensions: Vec<Stored<ExtensionRequest>>,
    pub plans: Vec<Stored<PaymentPlanStep>>,
    pub remedies: Vec<Stored<RemedyStep>>,
    pub exclusions: Vec<Stored<ExclusionRequest>>,
    pub demands: Vec<Stored<DemandRequest>>,
    pub court: Vec<Stored<CourtEnforcementRequest>>,
    pub reviews: Vec<ReviewFacts>,
}

impl CaseFile {
    pub fn latest_report(&self) -> AppResult<&Stored<ReportStep>> {
        self.reports.last().ok_or_else(|| {
            AppError::rule(
                Code::ReportRequired,
                format!("调查终结后，先提交案件调查终结报告（{APL}第五十七条）"),
            )
        })
    }

    /// The latest notice: its periods are the ones running. A new report
    /// needs no new notice unless it is heavier or adds a penalty (Art 44,
    /// 45 ¶2 — checked by the decision).
    pub fn current_notice(&self) -> Option<&Stored<NoticeStep>> {
        self.notices.last()
    }

    /// The lowest fine ever notified (Art 45 ¶2: the decision may not be heavier).
    pub fn lowest_notified_fine(&self) -> Option<i64> {
        self.notices.iter().map(|n| n.body.fine_fen).min()
    }

    pub fn decision(&self) -> Option<&Stored<DecisionStep>> {
        self.decisions.last()
    }

    pub fn service(&self) -> Option<&Stored<ServiceStep>> {
        self.services.last()
    }

    pub fn paid_fen(&self) -> i64 {
        self.payments.iter().map(|p| p.body.amount_fen).sum()
    }
}

// ------------------------------------------------------------ dates

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

// ------------------------------------------------------------ notice

/// Art 45 ¶2: the party's defence never makes the penalty heavier. A new
/// notice with a fine above one notified before needs a stated reason (new
/// facts or evidence), and the periods run again.
pub fn check_notice_amount(
    file: &CaseFile,
    fine_fen: i64,
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

/// The 8 items of a legality review (审核内容, REFERENCE §2.3).
pub const CHECKLIST: [(&str, &str); 8] = [
    (
        "subject",
        "执法主体是否合法，是否超越法定权限，执法人员是否具备执法资格",
    ),
    ("procedure", "执法程序是否合法"),
    ("facts_evidence", "案件事实是否清楚，证据是否确凿充分"),
    ("law_application", "适用法律、法规、规章是否准确"),
    ("discretion", "裁量基准运用是否适当"),
    ("documents", "执法文书是否完备、规范"),
    ("crime_transfer", "是否涉嫌犯罪需要移送司法机关"),
    ("other", "其他影响合法性、适当性的事项"),
];

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistEntry {
    pub passed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    Approve,
    /// Back to the investigation, with the opinion.
    Return,
    Reject,
}

/// `POST /reviews/{id}/opinion`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpinionRequest {
    pub outcome: ReviewOutcome,
    #[schema(value_type = Object)]
    pub checklist: std::collections::BTreeMap<String, ChecklistEntry>,
    #[serde(default)]
    pub opinion: Option<String>,
}

/// Every item answered, none unknown; an approval passes them all; a
/// return or rejection says why.
pub fn checklist_errors(o: &OpinionRequest) -> Vec<FieldError> {
    let mut out = vec![];
    for (key, what) in CHECKLIST {
        match o.checklist.get(key) {
            None => out.push(FieldError::new(
                format!("checklist.{key}"),
                "required",
                format!("审核事项「{what}」未填写"),
            )),
            Some(e) if !e.passed && e.note.as_deref().is_none_or(|n| n.trim().is_empty()) => out
                .push(FieldError::new(
                    format!("checklist.{key}.note"),
                    "required",
                    "a failed item states the problem",
                )),
            _ => {}
        }
    }
    for key in o.checklist.keys() {
        if !CHECKLIST.iter().any(|(k, _)| k == key) {
            out.push(FieldError::new(
                format!("checklist.{key}"),
                "unknown_field",
                "not an item of the legality review",
            ));
        }
    }
    if o.outcome != ReviewOutcome::Approve
        && o.opinion.as_deref().is_none_or(|s| s.trim().is_empty())
    {
        out.push(FieldError::new(
            "opinion",
            "required",
            "a return or rejection gives the reviewer's opinion",
        ));
    }
    out
}

/// An approval needs every item passed.
pub fn check_approval(o: &OpinionRequest) -> AppResult<()> {
    if o.outcome == ReviewOutcome::Approve {
        if let Some((k, _)) = o.checklist.iter().find(|(_, e)| !e.passed) {
            return Err(AppError::rule_on_field(
                Code::ChecklistIncomplete,
                &format!("checklist.{k}"),
                "an item failed: the review returns or rejects, it does not approve",
            ));
        }
    }
    Ok(())
}

/// Art 58 ¶2 and the separation of investigation and review: the reviewer
/// is not an investigator of the case, and one who never reviewed before
/// holds the national legal professional qualification.
pub fn check_reviewer(
    reviewer_id: &str,
    investigators: &[String],
    qualified: bool,
    earlier_reviews: i64,
) -> AppResult<()> {
    if investigators.iter().any(|i| i == reviewer_id) {
        return Err(AppError::rule(
            Code::ReviewerIsInvestigator,
            "本案调查人员不得进行法制审核（审查与调查分离）",
        ));
    }
    if !qualified && earlier_reviews == 0 {
        return Err(AppError::rule(
            Code::ReviewerNotQualified,
            format!("初次从事行政处罚决定法制审核的人员，应当通过国家统一法律职业资格考试取得法律职业资格（{APL}第五十八条第二款）"),
        ));
    }
    Ok(())
}

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
        statement_period_over(f.file, notice, f.today)?;
        hearing_request_period_over(f.file, notice, f.today)?;
        requested_hearing_held(f.file)?;
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
                limit / 100
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

/// Art 61: the decision is served within 7 working days.
pub fn service_due(decided_on: NaiveDate, cal: &Calendar) -> NaiveDate {
    cal.working_days_after(decided_on, 7, &[]).date
}

// ------------------------------------------------------------ service

/// The methods the law allows, each with what it needs (Art 61; CPL Art 86–95).
pub fn check_service(req: &ServiceRequest) -> AppResult<()> {
    match req.method {
        ServiceMethod::LeftAtResidence
            if req.witnesses.len() < 2 && req.photo_evidence_id.is_none() =>
        {
            Err(AppError::rule_on_field(
                Code::ServiceMethodNotAllowed,
                "witnesses",
                "留置送达须邀请有关基层组织或者所在单位的代表到场见证，或者采用拍照、录像等方式记录送达过程（民事诉讼法第八十九条）",
            ))
        }
        ServiceMethod::Electronic if !req.electronic_consent => Err(AppError::rule_on_field(
            Code::ServiceMethodNotAllowed,
            "electronic_consent",
            format!("当事人同意并签订确认书的，方可采用传真、电子邮件等方式送达（{APL}第六十一条第二款）"),
        )),
        _ => Ok(()),
    }
}

/// The day service takes effect: public notice is deemed served 30 days
/// after publication (CPL Art 95, 2023).
pub fn effective_service(method: ServiceMethod, served_on: NaiveDate) -> NaiveDate {
    match method {
        ServiceMethod::PublicNotice => served_on + chrono::Duration::days(30),
        _ => served_on,
    }
}

/// Art 67 ¶3: the fine is paid within 15 (calendar) days of service.
pub fn payment_due(effective_on: NaiveDate, cal: &Calendar) -> NaiveDate {
    cal.calendar_days_after(effective_on, 15, &[]).date
}

// ------------------------------------------------------------ execution

/// What the party owes on a day: the fine, the surcharge (Art 72: it runs
/// on the fine until the fine itself is paid), what was paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Owed {
    pub fine_fen: i64,
    pub due_on: NaiveDate,
    pub late_days: u32,
    pub late_fee_fen: i64,
    pub capped: bool,
    pub paid_fen: i64,
    pub outstanding_fen: i64,
    /// The day the fine itself was paid in full, which stops the surcharge.
    pub fine_paid_on: Option<NaiveDate>,
    pub rounding: &'static str,
}

/// Payments go to the fine first; the surcharge counts until the day the
/// fine is paid in full (or `on`), not on `paused` days (an approved
/// deferral or instalment plan, Art 66; later: reconsideration or
/// litigation, Art 73).
pub fn owed(
    fine_fen: i64,
    due_on: NaiveDate,
    payments: &[(NaiveDate, i64)],
    on: NaiveDate,
    paused: &[Excluded],
) -> Owed {
    let mut sorted: Vec<(NaiveDate, i64)> =
        payments.iter().copied().filter(|(d, _)| *d <= on).collect();
    sorted.sort();
    let mut running = 0;
    let mut fine_paid_on = None;
    for (d, a) in &sorted {
        running += a;
        if running >= fine_fen && fine_paid_on.is_none() {
            fine_paid_on = Some(*d);
        }
    }
    let stop = fine_paid_on.unwrap_or(on).min(on);
    let fee = crate::execution::rules::late_fee(fine_fen, due_on, stop, paused);
    Owed {
        fine_fen,
        due_on,
        late_days: fee.days,
        late_fee_fen: fee.fee_fen,
        capped: fee.capped,
        paid_fen: running,
        outstanding_fen: (fine_fen + fee.fee_fen - running).max(0),
        fine_paid_on,
        rounding: "每日按罚款数额的3%加处，按分向下取整，总额不超过罚款数额（行政处罚法第七十二条第一款第一项）",
    }
}

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
        if o.outstanding_fen > 0 {
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

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn owed_stops_the_surcharge_when_the_fine_is_paid() {
        // 5,000 yuan due 03-16, paid 03-18: 2 days × 150 yuan.
        let o = owed(
            500_000,
            day("2026-03-16"),
            &[(day("2026-03-18"), 500_000)],
            day("2026-04-30"),
            &[],
        );
        assert_eq!(
            (o.late_days, o.late_fee_fen, o.outstanding_fen),
            (2, 30_000, 30_000)
        );
        let o = owed(
            500_000,
            day("2026-03-16"),
            &[(day("2026-03-18"), 500_000), (day("2026-03-20"), 30_000)],
            day("2026-04-30"),
            &[],
        );
        assert_eq!(o.outstanding_fen, 0);
        // Paid on time: nothing more.
        let o = owed(
            500_000,
            day("2026-03-16"),
            &[(day("2026-03-16"), 500_000)],
            day("2026-12-31"),
            &[],
        );
        assert_eq!((o.late_fee_fen, o.outstanding_fen), (0, 0));
    }

    #[test]
    fn a_heavier_notice_needs_a_reason() {
        let mut file = CaseFile::default();
        assert!(check_notice_amount(&file, 100, None).is_ok());
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
                fine_fen: 100,
                hearing_right: false,
                hearing_reasons: vec![],
                statement_due: day("2026-03-06"),
                hearing_request_due: None,
            },
        });
        assert!(check_notice_amount(&file, 100, None).is_ok());
        assert_eq!(
            check_notice_amount(&file, 101, Some("  "))
                .unwrap_err()
                .code,
            Code::HeavierPenaltyNeedsReason
        );
        assert!(check_notice_amount(&file, 101, Some("新发现违法所得")).is_ok());
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
        assert!(checklist_errors(&o).is_empty());
        assert!(check_approval(&o).is_ok());
        o.checklist.get_mut("discretion").unwrap().passed = false;
        assert_eq!(checklist_errors(&o)[0].field, "checklist.discretion.note");
        o.checklist.get_mut("discretion").unwrap().note = Some("超出阶次".into());
        assert_eq!(
            check_approval(&o).unwrap_err().code,
            Code::ChecklistIncomplete
        );
        o.outcome = ReviewOutcome::Return;
        assert_eq!(checklist_errors(&o)[0].field, "opinion");
        o.checklist.remove("other");
        assert!(checklist_errors(&o)
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
            amount_fen,
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
        let unpaid = owed(500_000, day("2026-04-10"), &[], day("2026-04-12"), &[]);
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
            500_000,
            day("2026-04-10"),
            &[(day("2026-04-12"), 500_000)],
            day("2026-04-20"),
            &[],
        );
        assert!(check_closure(&file, Some(&late))
            .unwrap_err()
            .detail
            .contains("300元"));
        let paid = owed(
            500_000,
            day("2026-04-10"),
            &[(day("2026-04-12"), 530_000)],
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
        let unpaid = owed(500_000, day("2026-04-10"), &[], day("2026-12-01"), &[]);
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
                    amount_fen: *a,
                })
                .collect(),
        }
    }

    /// 5,000 yuan due 04-10, 1,000 paid; asked on 04-05.
    fn owing() -> (Owed, NaiveDate) {
        (
            owed(
                500_000,
                day("2026-04-10"),
                &[(day("2026-04-02"), 100_000)],
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
            500_000,
            day("2026-04-10"),
            &[(day("2026-04-02"), 500_000)],
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
        assert_eq!(plan_field(check_payment_plan(&req, &o, today)), "reason");
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
        let late = owed(500_000, day("2026-04-10"), &[], day("2026-06-01"), &[]);
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
            plan_field(check_payment_plan(
                &plan(
                    PlanKind::Deferral,
                    Some("2026-05-10"),
                    &[("2026-05-10", 400_000)]
                ),
                &o,
                today
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
        assert_eq!(refused(Some("2026-05-10"), &ok, today), "deferred_until");
        assert_eq!(
            refused(None, &[("2026-05-10", 400_000)], today),
            "instalments"
        );
        assert_eq!(
            refused(
                None,
                &[("2026-06-10", 200_000), ("2026-06-10", 200_000)],
                today
            ),
            "instalments[1].due_on"
        );
        assert_eq!(
            refused(None, &[("2026-05-10", 400_000), ("2026-06-10", 0)], today),
            "instalments[1].amount_fen"
        );
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

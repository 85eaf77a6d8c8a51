//! A case's history, typed: every change to a case is one `CaseEvent`,
//! each variant carrying its own data (the model is abacus's audit events).
//!
//! `cases::change` commits an event in the transaction of the change: the
//! step row (`case_steps`: the variant's kind and its data as JSON — the
//! rows the service has always written), the status, the deadlines and the
//! record entry, whose action and detail are derived from the event here.
//! Reading a case's history back (`cases::history`) gives the same events,
//! so rules, evaluation and the console read data, never strings.
//!
//! The data types live in one file per chapter of the law; the
//! capabilities (`workflow`, `review`, `execution`, `property`,
//! `appraisals`, `transfers`, …) implement the steps that produce them.

pub mod appraisal;
pub mod decision;
pub mod execution;
pub mod investigation;
pub mod lifecycle;
pub mod notice;
pub mod property;
pub mod record;
pub mod review;
pub mod transfer;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use appraisal::*;
pub use decision::*;
pub use execution::*;
pub use investigation::*;
pub use lifecycle::*;
pub use notice::*;
pub use property::*;
pub use record::*;
pub use review::*;
pub use transfer::*;

/// One stored event (or step) of a case: its row id, when, by whom.
#[derive(Debug, Clone)]
pub struct Stored<T> {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: String,
    pub body: T,
}

/// Everything that can happen to a case. The serde tag is the step row's
/// `kind`; the content is its `body`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum CaseEvent {
    // ---- the investigation (APL Art 54–57)
    Report(ReportStep),
    Exclusion(ExclusionRequest),
    Reassignment(ReassignRequest),
    Recusal(RecusalRequest),
    FilingApproval(FilingApprovalRequest),
    Sampling(SamplingRequest),
    Appraisal(AppraisalRequest),
    AppraisalResult(AppraisalResultRequest),
    // ---- notice and hearing (Art 44–45, 62–65)
    Notice(NoticeStep),
    Statement(StatementRequest),
    HearingRequest(HearingRequestRequest),
    HearingNotice(HearingNoticeRequest),
    Hearing(HearingRequest),
    Transcript(TranscriptRequest),
    // ---- legality review (Art 58)
    ReviewSubmitted(ReviewSubmitted),
    ReviewOpinion(ReviewOpinion),
    // ---- decision (Art 57, 59)
    CollectiveDiscussion(DiscussionStep),
    DiscussionConfirmed(DiscussionConfirmed),
    Decision(DecisionStep),
    // ---- service and execution (Art 61, 66–73)
    Service(ServiceStep),
    Payment(PaymentRequest),
    PaymentPlan(PaymentPlanStep),
    EnforcementDemand(DemandRequest),
    Remedy(RemedyStep),
    RemedyDecided(RemedyDecided),
    CourtEnforcement(CourtEnforcementRequest),
    HandIn(HandInRequest),
    // ---- suspension, extension, termination, closure
    Suspension(SuspensionStep),
    Resumption(ReasonRequest),
    Extension(ExtensionRequest),
    Termination(ReasonRequest),
    Closure(ReasonRequest),
    Archive(Archived),
    // ---- property (Art 56; Compulsion Law)
    Preservation(MeasureTaken),
    Seizure(MeasureTaken),
    MeasureApproval(Retrospective),
    PreservationDecision(PreservationDecisionRequest),
    SeizureExtension(SeizureExtensionRequest),
    Disposal(DisposalRequest),
    Custody(CustodyRequest),
    // ---- transfers (Art 22–27)
    TransferRequest(TransferRequested),
    TransferApproval(TransferApproved),
    // ---- record only: their data lives in its own tables
    TransferAccepted(TransferAnswered),
    TransferReturned(TransferAnswered),
    EvidenceAdded(EvidenceAdded),
    OnsiteRecord(RecordMade),
    InquiryRecord(RecordMade),
    DiscretionAttached(DiscretionAttached),
    ApprovalRequested(ApprovalRequested),
    ApprovalRejected(ApprovalRejected),
    DocumentWithdrawn(DocumentWithdrawn),
}

/// The archive step carries nothing (`{}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Archived {}

impl CaseEvent {
    /// The event's name: the `kind` of its step row.
    pub fn kind(&self) -> &'static str {
        use CaseEvent::*;
        match self {
            Report(_) => "report",
            Exclusion(_) => "exclusion",
            Reassignment(_) => "reassignment",
            Recusal(_) => "recusal",
            FilingApproval(_) => "filing_approval",
            Sampling(_) => "sampling",
            Appraisal(_) => "appraisal",
            AppraisalResult(_) => "appraisal_result",
            Notice(_) => "notice",
            Statement(_) => "statement",
            HearingRequest(_) => "hearing_request",
            HearingNotice(_) => "hearing_notice",
            Hearing(_) => "hearing",
            Transcript(_) => "transcript",
            ReviewSubmitted(_) => "review_submitted",
            ReviewOpinion(_) => "review_opinion",
            CollectiveDiscussion(_) => "collective_discussion",
            DiscussionConfirmed(_) => "discussion_confirmed",
            Decision(_) => "decision",
            Service(_) => "service",
            Payment(_) => "payment",
            PaymentPlan(_) => "payment_plan",
            EnforcementDemand(_) => "enforcement_demand",
            Remedy(_) => "remedy",
            RemedyDecided(_) => "remedy_decided",
            CourtEnforcement(_) => "court_enforcement",
            HandIn(_) => "hand_in",
            Suspension(_) => "suspension",
            Resumption(_) => "resumption",
            Extension(_) => "extension",
            Termination(_) => "termination",
            Closure(_) => "closure",
            Archive(_) => "archive",
            Preservation(_) => "preservation",
            Seizure(_) => "seizure",
            MeasureApproval(_) => "measure_approval",
            PreservationDecision(_) => "preservation_decision",
            SeizureExtension(_) => "seizure_extension",
            Disposal(_) => "disposal",
            Custody(_) => "custody",
            TransferRequest(_) => "transfer_request",
            TransferApproval(_) => "transfer_approval",
            TransferAccepted(_) => "transfer_accepted",
            TransferReturned(_) => "transfer_returned",
            EvidenceAdded(_) => "evidence_added",
            OnsiteRecord(_) => "onsite_record",
            InquiryRecord(_) => "inquiry_record",
            DiscretionAttached(_) => "discretion_attached",
            ApprovalRequested(_) => "approval_requested",
            ApprovalRejected(_) => "approval_rejected",
            DocumentWithdrawn(_) => "document_withdrawn",
        }
    }

    /// Whether the event is kept as a step row of the case file. The
    /// others change rows of their own (a discussion's confirmations, a
    /// remedy's result) or live in their own tables (evidence, records,
    /// approvals); all of them are in the record.
    pub fn is_step(&self) -> bool {
        use CaseEvent::*;
        !matches!(
            self,
            DiscussionConfirmed(_)
                | RemedyDecided(_)
                | TransferAccepted(_)
                | TransferReturned(_)
                | EvidenceAdded(_)
                | OnsiteRecord(_)
                | InquiryRecord(_)
                | DiscretionAttached(_)
                | ApprovalRequested(_)
                | ApprovalRejected(_)
                | DocumentWithdrawn(_)
        )
    }

    /// The action of the event's record entry.
    pub fn action(&self) -> &'static str {
        use CaseEvent::*;
        match self {
            Report(_) => "case.report_submitted",
            Exclusion(_) => "case.period_excluded",
            Reassignment(_) => "case.officers_changed",
            Recusal(_) => "case.recusal_decided",
            FilingApproval(_) => "case.filing_approved",
            Sampling(_) => "case.sampled",
            Appraisal(_) => "case.appraisal_commissioned",
            AppraisalResult(_) => "case.appraisal_result",
            Notice(_) => "case.notified",
            Statement(s) if s.waived => "case.statement_waived",
            Statement(_) => "case.statement_received",
            HearingRequest(_) => "case.hearing_requested",
            HearingNotice(_) => "case.hearing_notified",
            Hearing(_) => "case.hearing_held",
            Transcript(_) => "case.hearing_transcript",
            ReviewSubmitted(_) => "case.legal_review_submitted",
            ReviewOpinion(_) => "case.legal_review_decided",
            CollectiveDiscussion(_) => "case.collective_discussion",
            DiscussionConfirmed(_) => "case.collective_discussion_confirmed",
            Decision(_) => "case.decided",
            Service(_) => "case.served",
            Payment(_) => "case.payment",
            PaymentPlan(_) => "case.payment_plan_approved",
            EnforcementDemand(_) => "case.enforcement_demanded",
            Remedy(_) => "case.remedy_filed",
            RemedyDecided(_) => "case.remedy_decided",
            CourtEnforcement(_) => "case.court_enforcement",
            HandIn(_) => "case.collection_handed_in",
            Suspension(_) => "case.suspended",
            Resumption(_) => "case.resumed",
            Extension(_) => "case.extended",
            Termination(_) => "case.terminated",
            Closure(_) => "case.closed",
            Archive(_) => "case.archived",
            Preservation(_) => "case.preservation",
            Seizure(_) => "case.seizure",
            MeasureApproval(_) => "case.measure_approved",
            PreservationDecision(_) => "case.preservation_decided",
            SeizureExtension(_) => "case.seizure_extended",
            Disposal(_) => "case.property_disposed",
            Custody(_) => "case.property_handed_over",
            TransferRequest(_) => "case.transfer_requested",
            TransferApproval(_) => "case.transferred",
            TransferAccepted(_) => "transfer.accepted",
            TransferReturned(_) => "transfer.returned",
            EvidenceAdded(_) => "evidence.added",
            OnsiteRecord(_) => "record.onsite",
            InquiryRecord(_) => "record.inquiry",
            DiscretionAttached(_) => "discretion.attached",
            ApprovalRequested(_) => "approval.requested",
            ApprovalRejected(_) => "approval.rejected",
            DocumentWithdrawn(_) => "document.withdrawn",
        }
    }

    /// The event's data as its step row keeps it.
    pub fn body(&self) -> Value {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut o)) => o.remove("body").unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// What the record entry says of the event (the step adds what it
    /// computed on the way: deadlines, documents, the approval).
    pub fn detail(&self) -> Value {
        use CaseEvent::*;
        match self {
            Report(s) => json!({
                "outcome": s.request.outcome,
                "penalties": s.request.penalties,
                "tier": s.request.tier,
                "verdict": s.assessment.verdict,
                "deviation_reason": s.request.deviation_reason,
                "legal_review_required": !s.assessment.legal_review_reasons.is_empty(),
                "collective_discussion_required": !s.assessment.collective_discussion_reasons.is_empty(),
                "hearing_right": !s.assessment.hearing_reasons.is_empty(),
            }),
            Exclusion(e) => {
                json!({"kind": e.kind, "from": e.from, "to": e.to, "reason": e.reason.trim()})
            }
            Reassignment(r) => json!({"reason": r.reason.trim()}),
            Recusal(r) => json!({
                "officer_id": r.officer_id, "source": r.source, "reason": r.reason.trim(), "approved": r.approved,
            }),
            FilingApproval(r) => json!({"title": "立案审批", "facts": r.facts}),
            Sampling(r) => json!({
                "sampled_at": r.sampled_at, "place": r.place.trim(), "samples": r.samples, "party_signed": r.party_signed,
            }),
            Appraisal(r) => json!({
                "kind": r.kind, "institution": r.institution.trim(), "matter": r.matter.trim(), "commissioned_on": r.commissioned_on,
            }),
            AppraisalResult(r) => json!({
                "appraisal_id": r.appraisal_id, "result_on": r.result_on, "conclusion": r.conclusion.trim(), "notified_at": r.notified_at,
            }),
            Notice(n) => json!({
                "report_id": n.report_id,
                "fine_fen": n.fine_fen,
                "served_at": n.request.served_at,
                "hearing_right": n.hearing_right,
                "statement_due": n.statement_due,
                "hearing_request_due": n.hearing_request_due,
                "increase_reason": n.request.increase_reason,
            }),
            Statement(s) => {
                json!({"waived": s.waived, "received_at": s.received_at, "adopted": s.adopted})
            }
            HearingRequest(r) => json!({"requested_at": r.requested_at}),
            HearingNotice(r) => json!({
                "served_at": r.served_at, "hearing_at": r.hearing_at, "presiding_officer_id": r.presiding_officer_id,
            }),
            Hearing(h) => json!({
                "held_at": h.held_at, "notified_at": h.notified_at,
                "presiding_officer_id": h.presiding_officer_id, "party_attended": h.party_attended,
            }),
            Transcript(t) => json!({
                "party_signed": t.party_signed,
                "sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(t.text.as_bytes())),
            }),
            ReviewSubmitted(r) => json!({
                "review_id": r.review_id, "report_id": r.report_id, "due_on": r.due_on, "reasons": r.reasons,
            }),
            ReviewOpinion(o) => json!({
                "review_id": o.review_id, "outcome": o.opinion.outcome, "opinion": o.opinion.opinion, "checklist": o.opinion.checklist,
            }),
            CollectiveDiscussion(d) => json!({
                "attendees": d.request.attendee_ids, "conclusion": d.request.conclusion, "dissent": d.request.dissent,
            }),
            DiscussionConfirmed(c) => {
                json!({"discussion_id": c.discussion_id, "confirmed": c.confirmed})
            }
            Decision(d) => json!({
                "number": d.number, "outcome": d.request.outcome, "penalties": d.request.penalties,
                "fine_fen": d.fine_fen, "legal_review_id": d.legal_review_id, "report_id": d.report_id,
                "verdict": d.verdict, "deviation_reason": d.request.deviation_reason,
            }),
            Service(s) => json!({
                "document_id": s.request.document_id, "method": s.request.method, "served_at": s.request.served_at,
                "effective_on": s.effective_on, "payment_due": s.payment_due,
            }),
            Payment(p) => json!({
                "amount_fen": p.amount_fen, "paid_at": p.paid_at, "receipt_number": p.receipt_number, "on_the_spot": p.on_the_spot,
            }),
            PaymentPlan(p) => json!({
                "kind": p.request.kind, "ends_on": p.ends_on, "instalments": p.request.instalments, "reason": p.request.reason,
            }),
            EnforcementDemand(d) => json!({"served_at": d.served_at}),
            Remedy(r) => json!({
                "kind": r.request.kind, "filed_at": r.request.filed_at, "organ": r.request.organ,
            }),
            RemedyDecided(r) => json!({
                "remedy_id": r.remedy_id, "result": r.result.result, "decided_at": r.result.decided_at,
            }),
            CourtEnforcement(c) => json!({
                "applied_at": c.applied_at, "court": c.court.trim(), "accepted": c.accepted,
            }),
            HandIn(h) => json!({"handed_in_at": h.handed_in_at}),
            Suspension(s) => json!({"reason": s.reason, "resumes_to": s.resumes_to}),
            Resumption(r) => json!({"reason": r.reason}),
            Extension(e) => json!({"days": e.days, "reason": e.reason}),
            Termination(r) | Closure(r) => json!({"reason": r.reason}),
            Archive(_) => json!({}),
            Preservation(m) | Seizure(m) => json!({
                "measure_id": m.measure_id, "kind": m.kind, "emergency": m.request.emergency, "items": m.request.items,
            }),
            MeasureApproval(r) => json!({"measure_id": r.measure_id}),
            PreservationDecision(r) => json!({
                "measure_id": r.measure_id, "outcome": r.outcome, "reason": r.reason,
            }),
            SeizureExtension(r) => {
                json!({"measure_id": r.measure_id, "days": r.days, "reason": r.reason})
            }
            Disposal(r) => json!({"disposal": r.disposal, "reason": r.reason.trim()}),
            Custody(r) => json!({
                "item_ids": r.item_ids, "custodian": r.custodian.trim(), "location": r.location.trim(),
            }),
            TransferRequest(t) => serde_json::to_value(t).unwrap_or_default(),
            TransferApproval(t) => json!({
                "transfer_id": t.transfer_id, "kind": t.kind, "to_department_id": t.to_department_id,
            }),
            TransferAccepted(t) | TransferReturned(t) => {
                serde_json::to_value(t).unwrap_or_default()
            }
            EvidenceAdded(e) => serde_json::to_value(e).unwrap_or_default(),
            OnsiteRecord(r) | InquiryRecord(r) => serde_json::to_value(r).unwrap_or_default(),
            DiscretionAttached(d) => serde_json::to_value(d).unwrap_or_default(),
            ApprovalRequested(a) => serde_json::to_value(a).unwrap_or_default(),
            ApprovalRejected(a) => serde_json::to_value(a).unwrap_or_default(),
            DocumentWithdrawn(d) => serde_json::to_value(d).unwrap_or_default(),
        }
    }

    /// An event read back from its step row (`kind`, `body`). None for a
    /// kind this version does not know.
    pub fn from_row(kind: &str, body: &str) -> Result<Option<CaseEvent>, serde_json::Error> {
        let tagged = format!("{{\"kind\":{},\"body\":{body}}}", json!(kind));
        match serde_json::from_str::<CaseEvent>(&tagged) {
            Ok(e) => Ok(Some(e)),
            Err(e) if e.is_data() && e.to_string().starts_with("unknown variant") => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_row_reads_back_as_the_event_that_wrote_it() {
        let e = CaseEvent::Statement(StatementRequest {
            received_at: "2026-03-02T08:00:00Z".parse().unwrap(),
            waived: true,
            content: None,
            adopted: None,
            review_note: None,
        });
        let body = e.body().to_string();
        let back = CaseEvent::from_row(e.kind(), &body).unwrap().unwrap();
        assert_eq!(back.kind(), "statement");
        assert_eq!(back.action(), "case.statement_waived");
        assert_eq!(back.detail()["waived"], true);
        assert!(CaseEvent::from_row("no_such_kind", "{}").unwrap().is_none());
        assert!(CaseEvent::from_row("statement", "{\"waived\": 3}").is_err());
    }

    #[test]
    fn the_archive_step_keeps_an_empty_object() {
        assert_eq!(CaseEvent::Archive(Archived {}).body(), json!({}));
    }
}

//! The case file as its events tell it (`CaseFile`): what the rules of the
//! workflow read. Built by applying the case's events in order — from its
//! step rows, or kept in memory at the case's version and moved on by the
//! event every change commits (`CaseFiles`).

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::events::*;
use crate::db::schema::case_steps;
use crate::db::DbConn;
use crate::error::{AppError, AppResult, Code};
use crate::kernel::Fen;

const APL: &str = "《中华人民共和国行政处罚法》";

/// A legality review as the rules see it.
#[derive(Debug, Clone)]
pub struct ReviewFacts {
    pub id: String,
    pub status: ReviewStatus,
    pub report_id: String,
    pub submitted_at: NaiveDateTime,
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
    pub fn lowest_notified_fine(&self) -> Option<Fen> {
        self.notices.iter().map(|n| n.body.fine_fen).min()
    }

    pub fn decision(&self) -> Option<&Stored<DecisionStep>> {
        self.decisions.last()
    }

    pub fn service(&self) -> Option<&Stored<ServiceStep>> {
        self.services.last()
    }

    pub fn paid_fen(&self) -> Fen {
        self.payments.iter().map(|p| p.body.amount_fen).sum()
    }

    /// The file after one more event.
    pub fn apply(&mut self, e: &Stored<CaseEvent>) {
        fn keep<T: Clone>(list: &mut Vec<Stored<T>>, e: &Stored<CaseEvent>, body: &T) {
            list.push(Stored {
                id: e.id.clone(),
                at: e.at,
                actor_id: e.actor_id.clone(),
                body: body.clone(),
            });
        }
        use CaseEvent::*;
        match &e.body {
            Report(b) => keep(&mut self.reports, e, b),
            Notice(b) => keep(&mut self.notices, e, b),
            Statement(b) => keep(&mut self.statements, e, b),
            HearingRequest(b) => keep(&mut self.hearing_requests, e, b),
            Hearing(b) => keep(&mut self.hearings, e, b),
            Transcript(b) => keep(&mut self.transcripts, e, b),
            CollectiveDiscussion(b) => keep(&mut self.discussions, e, b),
            DiscussionConfirmed(c) => {
                if let Some(d) = self
                    .discussions
                    .iter_mut()
                    .find(|d| d.id == c.discussion_id)
                {
                    d.body.confirmations.push(c.confirmation.clone());
                }
            }
            Decision(b) => keep(&mut self.decisions, e, b),
            Service(b) => keep(&mut self.services, e, b),
            Payment(b) => keep(&mut self.payments, e, b),
            Suspension(b) => keep(&mut self.suspensions, e, b),
            Resumption(b) => keep(&mut self.resumptions, e, b),
            Extension(b) => keep(&mut self.extensions, e, b),
            PaymentPlan(b) => keep(&mut self.plans, e, b),
            Remedy(b) => keep(&mut self.remedies, e, b),
            RemedyDecided(r) => {
                if let Some(x) = self.remedies.iter_mut().find(|x| x.id == r.remedy_id) {
                    x.body.outcome = Some(r.result.clone());
                }
            }
            Exclusion(b) => keep(&mut self.exclusions, e, b),
            EnforcementDemand(b) => keep(&mut self.demands, e, b),
            CourtEnforcement(b) => keep(&mut self.court, e, b),
            ReviewSubmitted(r) => self.reviews.push(ReviewFacts {
                id: r.review_id.clone(),
                status: ReviewStatus::Pending,
                report_id: r.report_id.clone(),
                submitted_at: e.at,
            }),
            ReviewOpinion(o) => {
                if let Some(r) = self.reviews.iter_mut().find(|r| r.id == o.review_id) {
                    r.status = o.status();
                }
            }
            _ => {}
        }
    }
}

/// A case's events as its step rows keep them, oldest first.
pub fn history(conn: &mut DbConn, case_id: &str) -> AppResult<Vec<Stored<CaseEvent>>> {
    let rows: Vec<(String, String, String, String, NaiveDateTime)> = case_steps::table
        .filter(case_steps::case_id.eq(case_id))
        .order((case_steps::at.asc(), case_steps::id.asc()))
        .select((
            case_steps::id,
            case_steps::kind,
            case_steps::body,
            case_steps::actor_id,
            case_steps::at,
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, kind, body, actor_id, at) in rows {
        let event = CaseEvent::from_row(&kind, &body)
            .map_err(|e| AppError::internal(format!("case {case_id}, step {id} ({kind}): {e}")))?;
        if let Some(body) = event {
            out.push(Stored {
                id,
                at,
                actor_id,
                body,
            });
        }
    }
    Ok(out)
}

/// The case file rebuilt from the case's events.
pub fn load(conn: &mut DbConn, case_id: &str) -> AppResult<CaseFile> {
    let mut f = CaseFile::default();
    for e in history(conn, case_id)? {
        f.apply(&e);
    }
    Ok(f)
}

/// Case files kept in memory at a version of their case: every change of
/// a case moves its version and commits its event, so a file kept at the
/// version the case still has is the file (another instance's change
/// shows as a newer version, and the file is rebuilt).
pub type CaseFiles = crate::snapshot::Expiring<Arc<(i32, CaseFile)>>;

pub fn new_case_files() -> CaseFiles {
    CaseFiles::new(std::time::Duration::from_secs(300), 4_096)
}

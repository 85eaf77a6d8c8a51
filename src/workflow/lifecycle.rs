//! A case's course outside the ordinary steps: suspension and resumption
//! (中止, 恢复), the extension of its decision period (延长, APL Art 60),
//! termination (终止), closure (结案) and the archive (归档).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::rules::{check_closure, check_extension};
use crate::approvals::rules::ApprovalKind;
use crate::auth::{scope, Caller};
use crate::cases::change::{Ctx, Guard, Numbering, Step};
use crate::cases::events::*;
use crate::cases::rules::{check_transition, CaseStatus};
use crate::cases::DeadlineStatus;
use crate::documents::penalties_context;
use crate::documents::rules::amount_in_figures;
use crate::error::{AppError, AppResult, Code};
use crate::execution::owed_on;
use crate::kernel::shape::not_blank;

/// The deadlines a case no longer runs once it ends.
const RUNNING: [&str; 6] = [
    "decision",
    "statement",
    "hearing_request",
    "legal_review",
    "service",
    "payment",
];

macro_rules! reason_request {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            #[validate(custom(function = not_blank, code = "required", message = $what))]
            pub reason: String,
        }

        impl $name {
            fn event_body(&self) -> ReasonRequest {
                ReasonRequest {
                    reason: self.reason.clone(),
                }
            }
        }
    };
}

reason_request!(
    /// `POST /cases/{id}/suspension` — 中止.
    SuspensionRequest,
    "why the case is suspended"
);
reason_request!(
    /// `POST /cases/{id}/resumption` — 恢复.
    ResumptionRequest,
    "why the case resumes"
);
reason_request!(
    /// `POST /cases/{id}/termination` — 终止.
    TerminationRequest,
    "why the case ends"
);
reason_request!(
    /// `POST /cases/{id}/closure` — 结案.
    ClosureRequest,
    "why the case is closed"
);

impl Step for SuspensionRequest {
    const PATH: &'static str = "/cases/{id}/suspension";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "中止: a head suspends the case; the 90-day clock stops.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(ApprovalKind::Suspension)
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let from = ctx.case.status;
        ctx.moving_to(CaseStatus::Suspended)?;
        ctx.deadline_status("decision", DeadlineStatus::Paused);
        Ok(CaseEvent::Suspension(SuspensionStep {
            reason: self.event_body().reason,
            resumes_to: from,
            from: ctx.today(),
        }))
    }
}

impl Step for ResumptionRequest {
    const PATH: &'static str = "/cases/{id}/resumption";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "恢复: back to the state it was suspended in; the decision day moves on by the suspended days.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(ApprovalKind::Resumption)
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        if ctx.case.status != CaseStatus::Suspended {
            return Err(AppError::rule(
                Code::NotSuspended,
                "the case is not suspended",
            ));
        }
        let s = ctx
            .file
            .suspensions
            .last()
            .cloned()
            .ok_or_else(|| AppError::internal("suspended without a suspension step"))?;
        check_transition(ctx.case.procedure, CaseStatus::Suspended, s.body.resumes_to)?;
        ctx.move_to(s.body.resumes_to);
        let taken = ctx.as_taken(self.event_body());
        ctx.file.resumptions.push(taken);
        let (due, basis) = crate::workflow::decision_due(ctx);
        ctx.note("decision_due", due);
        ctx.set_deadline("decision", due, basis);
        Ok(CaseEvent::Resumption(self.event_body()))
    }
}

impl Step for TerminationRequest {
    const PATH: &'static str = "/cases/{id}/termination";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "终止: a head ends the case (death of the party, dissolution, …).\nWhat it holds is returned.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(ApprovalKind::Termination)
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        ctx.moving_to(CaseStatus::Terminated)?;
        let returned = crate::property::settle_on_exit(ctx, false)?;
        ctx.note("property_returned", returned);
        for k in RUNNING {
            ctx.deadline_status(k, DeadlineStatus::Cancelled);
        }
        Ok(CaseEvent::Termination(self.event_body()))
    }
}

impl Step for ExtensionRequest {
    const PATH: &'static str = "/cases/{id}/extension";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "延长办案期限 (Art 60): a head, before the period ends.\nA second extension follows a collective discussion.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(ApprovalKind::Extension)
    }

    /// The first extension is at most the profile's days, a further one
    /// follows a collective discussion held after the previous extension.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        if matches!(
            ctx.case.status,
            CaseStatus::Decided
                | CaseStatus::Served
                | CaseStatus::Executing
                | CaseStatus::Suspended
        ) {
            return Err(AppError::rule(
                Code::ExtensionNotAllowed,
                "only a case not yet decided has a decision period to extend",
            ));
        }
        let (due, _) = crate::workflow::decision_due(ctx);
        if ctx.today() > due {
            return Err(AppError::rule(
                Code::DecisionPeriodExpired,
                format!("办案期限已于{due}届满，不能再延长（行政处罚法第六十条）"),
            ));
        }
        check_extension(&ctx.file, self, &ctx.profile)?;
        let taken = ctx.as_taken(self.clone());
        ctx.file.extensions.push(taken);
        let (new_due, basis) = crate::workflow::decision_due(ctx);
        ctx.note("decision_due", new_due);
        ctx.set_deadline("decision", new_due, basis);
        Ok(CaseEvent::Extension(self.clone()))
    }
}

impl Step for ClosureRequest {
    const PATH: &'static str = "/cases/{id}/closure";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "结案: a head closes a case whose decision is performed.";
    const ISSUES_DOCUMENTS: bool = true;

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(ApprovalKind::Closure)
    }

    /// A head closes a case whose decision is performed (or imposes no
    /// fine and was served), with nothing held; the 结案审批表.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        ctx.moving_to(CaseStatus::Closed)?;
        let owed = owed_on(&ctx.file, ctx.today());
        check_closure(&ctx.file, owed.as_ref())?;
        crate::property::rules::check_settled(&crate::property::held_items(
            ctx.conn,
            &ctx.case.id,
        )?)?;
        let paid = ctx.file.paid_fen();
        ctx.note("paid_fen", paid);
        let decision = ctx
            .file
            .decision()
            .cloned()
            .ok_or_else(|| AppError::internal("closed without decision"))?;
        let penalties = penalties_context(&decision.body.request.penalties);
        let decided = format!(
            "{}：{}",
            decision.body.number,
            penalties["text"]
                .as_str()
                .filter(|t| !t.is_empty())
                .unwrap_or("不予行政处罚")
        );
        let performance = match &owed {
            Some(o) => format!(
                "已缴纳罚款{}、加处罚款{}",
                amount_in_figures(o.fine_fen),
                amount_in_figures(o.late_fee_fen)
            ),
            None => "处理决定已送达当事人".into(),
        };
        let approval = ctx.approval_form_context(ApprovalKind::Closure, Some(&self.reason))?;
        let extra = serde_json::json!({"closure": {"decision": decided, "performance": performance, "reason": self.reason}, "approval": approval});
        ctx.issue("closure_approval", extra, Numbering::Counter)?;
        Ok(CaseEvent::Closure(self.event_body()))
    }
}

/// `POST /cases/{id}/archive` — 归档 (no body).
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
pub struct ArchiveRequest {}

impl Step for ArchiveRequest {
    const PATH: &'static str = "/cases/{id}/archive";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "归档: the file becomes final; every later write → 409 case_closed.";
    const ON_FINAL_FILE: bool = true;

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Change(scope::HEAD_ROLES)
    }

    /// The one step taken on a closed, terminated or transferred file.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        ctx.moving_to(CaseStatus::Archived)?;
        Ok(CaseEvent::Archive(Archived {}))
    }
}

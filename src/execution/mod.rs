//! 执行 — the decision served and performed: service (送达, APL Art 61),
//! payment (Art 67) and collection on the spot (Art 68–71), payment plans
//! (Art 66 ¶2), remedies that stop the surcharge (Art 73 ¶3), the demand
//! and the court (Compulsion Law Art 35, 53–54), and what the party owes
//! on a day. The law is in `rules.rs`.

pub mod api;
pub mod rules;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::approvals::rules::ApprovalKind;
use crate::auth::{scope, Caller};
use crate::cases::change::{Ctx, Guard, Numbering, Step};
use crate::cases::events::*;
use crate::cases::file::CaseFile;
use crate::cases::rules::{check_supplied_time, CaseStatus};
use crate::cases::DeadlineStatus;
use crate::clock::china_date;
use crate::documents::chinese_date;
use crate::documents::rules::{amount_in_figures, amount_in_words};
use crate::error::{AppError, AppResult, Code};
use crate::kernel::Fen;
use crate::state::AppState;
use rules::*;

const INVESTIGATING: Guard = Guard::Change(scope::INVESTIGATING_ROLES);

/// What a case owes on `on` (None: its decision has no fine or is not served).
pub fn owed_on(file: &CaseFile, on: NaiveDate) -> Option<Owed> {
    // A revoked decision (or one confirmed unlawful) asks nothing more.
    if file.remedies.iter().any(|r| r.body.annulled()) {
        return None;
    }
    let decision = file.decision()?;
    let service = file.service()?;
    let due = service.body.payment_due?;
    let payments: Vec<(NaiveDate, Fen)> = file
        .payments
        .iter()
        .map(|p| (china_date(p.body.paid_at), p.body.amount_fen))
        .collect();
    let mut paused: Vec<crate::calendar::Excluded> = file
        .plans
        .iter()
        .map(|p| crate::calendar::Excluded {
            from: p.body.paused_from,
            to: p.body.ends_on,
        })
        .collect();
    // Art 73 ¶3: nor while reconsideration or litigation is pending.
    paused.extend(file.remedies.iter().map(|r| r.body.pending_days(on)));
    Some(owed(decision.body.fine_fen, due, &payments, on, &paused))
}

/// A served decision that is not performed yet (Served or Executing), or
/// the refusal naming `what`.
fn check_served(ctx: &Ctx, what: &str) -> AppResult<()> {
    if matches!(ctx.case.status, CaseStatus::Served | CaseStatus::Executing) {
        Ok(())
    } else {
        Err(AppError::new(Code::TransitionNotAllowed, what.to_string()))
    }
}

impl Step for ServiceRequest {
    const PATH: &'static str = "/cases/{id}/service";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "送达 (Art 61): by an allowed method, not before the decision, not in the future.\nA fine is then due in 15 days (Art 67).";
    const ISSUES_DOCUMENTS: bool = true;

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    /// By a method the law allows, not before the decision, not in the
    /// future; the 送达回证.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        ctx.moving_to(CaseStatus::Served)?;
        let decision = ctx.file.decision().cloned().ok_or_else(|| {
            AppError::new(
                Code::TransitionNotAllowed,
                "only a decision is served (行政处罚法第六十一条)",
            )
        })?;
        if self.document_id != decision.id {
            return Err(AppError::rule_on_field(
                Code::WrongDocument,
                "document_id",
                "document_id names the case's decision",
            ));
        }
        check_supplied_time(
            "served_at",
            self.served_at,
            Some((decision.at, "the decision")),
            ctx.now,
        )?;
        check_service(self)?;
        let effective = effective_service(self.method, china_date(self.served_at));
        let payment_due =
            (decision.body.fine_fen > Fen::ZERO).then(|| rules::payment_due(effective, ctx.cal));
        let decision_doc: Option<(String, String)> = crate::db::schema::documents::table
            .filter(crate::db::schema::documents::case_id.eq(&ctx.case.id))
            .filter(crate::db::schema::documents::number.eq(&decision.body.number))
            .select((
                crate::db::schema::documents::title,
                crate::db::schema::documents::number,
            ))
            .first(ctx.conn)
            .optional()?;
        let (title, number) =
            decision_doc.unwrap_or_else(|| ("行政处罚决定书".into(), decision.body.number.clone()));
        let method = match self.method {
            ServiceMethod::Direct => "直接送达",
            ServiceMethod::LeftAtResidence => "留置送达",
            ServiceMethod::Post => "邮寄送达",
            ServiceMethod::Electronic => "电子送达（当事人已同意并签订确认书）",
            ServiceMethod::PublicNotice => "公告送达（自公告发布之日起经过三十日视为送达）",
        };
        let on = chinese_date(china_date(self.served_at));
        let mut rows = vec![
            serde_json::json!(["受送达人", self.recipient]),
            serde_json::json!(["送达文书", format!("{title}（{number}）")]),
            serde_json::json!(["送达方式", method]),
            serde_json::json!(["送达时间", on]),
        ];
        if !self.witnesses.is_empty() {
            rows.push(serde_json::json!(["见证人", self.witnesses.join("、")]));
        }
        let extra = serde_json::json!({
            "served": {"title": title, "number": number, "method": method, "on": on, "recipient": self.recipient},
            "served_rows": rows,
        });
        ctx.issue("service_receipt", extra, Numbering::Counter)?;
        ctx.deadline_status("service", DeadlineStatus::Met);
        // SAMR Order 45 Art 2, 9: a published decision is queued for its
        // publication in this transaction.
        crate::disclosure::queue_on_service(ctx)?;
        if let Some(d) = payment_due {
            ctx.set_deadline(
                "payment",
                d,
                "《中华人民共和国行政处罚法》第六十七条第三款：自收到行政处罚决定书之日起十五日内缴纳罚款",
            );
        }
        Ok(CaseEvent::Service(ServiceStep {
            request: self.clone(),
            effective_on: effective,
            payment_due,
        }))
    }
}

impl Step for PaymentRequest {
    const PATH: &'static str = "/cases/{id}/payments";
    const TAG: &'static str = "workflow";
    const DOC: &'static str =
        "缴纳罚款 (Art 67): after service, never more than the fine and the surcharge owed.";

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let service = ctx.file.service().cloned().ok_or_else(|| {
            AppError::rule(
                Code::DecisionNotServed,
                "payment follows the service of the decision (行政处罚法第六十七条)",
            )
        })?;
        if ctx.case.status == CaseStatus::Served {
            ctx.moving_to(CaseStatus::Executing)?;
        }
        check_supplied_time(
            "paid_at",
            self.paid_at,
            Some((
                service.body.request.served_at.naive_utc(),
                "the service of the decision",
            )),
            ctx.now,
        )?;
        let on = china_date(self.paid_at);
        let before = owed_on(&ctx.file, on)
            .ok_or_else(|| AppError::rule(Code::NoFineToPay, "the decision imposes no fine"))?;
        if self.amount_fen > before.outstanding_fen {
            return Err(AppError::rule_on_field(
                Code::Overpayment,
                "amount_fen",
                format!(
                    "截至{on}应缴{}",
                    crate::kernel::money::yuan_text(before.outstanding_fen)
                ),
            ));
        }
        if let Some(g) = self.on_the_spot {
            let fine = ctx
                .file
                .decision()
                .map(|d| d.body.fine_fen)
                .unwrap_or(Fen::ZERO);
            check_on_the_spot(g, ctx.case.procedure, fine, self.receipt_number.as_deref())?;
        }
        ctx.note("outstanding_before_fen", before.outstanding_fen);
        if self.amount_fen == before.outstanding_fen {
            ctx.deadline_status("payment", DeadlineStatus::Met);
        }
        if self.on_the_spot.is_some() {
            // Art 71: handed in to the agency within 2 (working) days.
            let due = ctx.cal.working_days_after(on, 2, &[]).date;
            ctx.set_deadline(
                "hand_in",
                due,
                "《中华人民共和国行政处罚法》第七十一条：执法人员当场收缴的罚款，应当自收缴罚款之日起二日内交至行政机关",
            );
        }
        Ok(CaseEvent::Payment(self.clone()))
    }
}

impl Step for PaymentPlanRequest {
    const PATH: &'static str = "/cases/{id}/payment-plan";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "暂缓、分期缴纳 (Art 66 ¶2): a head approves the party's application.\nNo surcharge accrues during the plan.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(ApprovalKind::PaymentPlan)
    }

    /// No surcharge accrues during the plan, and the last day to pay
    /// moves to its end.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        if !matches!(ctx.case.status, CaseStatus::Served | CaseStatus::Executing) {
            return Err(AppError::rule(
                Code::DecisionNotServed,
                "a payment plan follows the service of a fine (行政处罚法第六十六条)",
            ));
        }
        let service = ctx.file.service().cloned().ok_or_else(|| {
            AppError::rule(Code::DecisionNotServed, "the decision has not been served")
        })?;
        check_supplied_time(
            "applied_at",
            self.applied_at,
            Some((
                service.body.request.served_at.naive_utc(),
                "the service of the decision",
            )),
            ctx.now,
        )?;
        let today = ctx.today();
        let owed = owed_on(&ctx.file, today)
            .ok_or_else(|| AppError::rule(Code::NoFineToPay, "the decision imposes no fine"))?;
        let ends_on = check_payment_plan(self, &owed, today)?;
        // Days already late before the approval still count.
        let paused_from = (owed.due_on + chrono::Duration::days(1)).max(today);
        ctx.set_deadline(
            "payment",
            ends_on,
            "《中华人民共和国行政处罚法》第六十六条第二款：经批准暂缓或者分期缴纳罚款",
        );
        Ok(CaseEvent::PaymentPlan(PaymentPlanStep {
            request: self.clone(),
            paused_from,
            ends_on,
        }))
    }
}

impl Step for DemandRequest {
    const PATH: &'static str = "/cases/{id}/enforcement-demand";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "催告 (Compulsion Law Art 35, 54): after the payment deadline, a written demand with the amount owed.\nThe court may be asked 10 working days after its service.";
    const ISSUES_DOCUMENTS: bool = true;

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    /// Once the fine is overdue, a written demand (罚款催告书) with the
    /// amount owed and 10 working days to pay; the court may be asked after
    /// that.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        check_served(
            ctx,
            "a demand follows a served decision that is not yet performed (行政强制法第五十四条)",
        )?;
        let today = ctx.today();
        let owed = owed_on(&ctx.file, today)
            .ok_or_else(|| AppError::rule(Code::NoFineToPay, "the decision imposes no fine"))?;
        if today <= owed.due_on {
            return Err(AppError::rule(
                Code::DeadlineNotReached,
                format!(
                    "缴纳罚款的期限至{}届满，期满不履行的方可催告（《中华人民共和国行政强制法》第五十四条）",
                    owed.due_on
                ),
            ));
        }
        if owed.outstanding_fen == Fen::ZERO {
            return Err(AppError::rule(
                Code::NoFineToPay,
                "the fine and the surcharge are paid",
            ));
        }
        let decision = ctx
            .file
            .decision()
            .cloned()
            .ok_or_else(|| AppError::internal("served without a decision"))?;
        let service = ctx
            .file
            .service()
            .cloned()
            .ok_or_else(|| AppError::internal("served without service"))?;
        check_supplied_time(
            "served_at",
            self.served_at,
            Some((decision.at, "the decision")),
            ctx.now,
        )?;
        if self.method == ServiceMethod::Electronic {
            return Err(AppError::rule_on_field(
                Code::ServiceMethodNotAllowed,
                "method",
                "电子送达须经当事人同意并签订确认书（行政处罚法第六十一条第二款）；催告书请以其他方式送达",
            ));
        }
        let end = demand_period_end(china_date(self.served_at), ctx.cal);
        let words = |f: Fen| format!("{}（{}）", amount_in_words(f), amount_in_figures(f));
        ctx.note("outstanding_fen", owed.outstanding_fen);
        ctx.note("late_fee_fen", owed.late_fee_fen);
        ctx.note("court_after", end);
        ctx.set_deadline(
            "enforcement_demand",
            end,
            "《中华人民共和国行政强制法》第五十四条、第六十九条：催告书送达十日（工作日）后当事人仍未履行的，可以申请人民法院强制执行",
        );
        let extra = serde_json::json!({"demand": {
            "decision": format!("行政处罚决定书（{}）", decision.body.number),
            "decided_on": chinese_date(china_date(decision.at.and_utc())),
            "served_on": chinese_date(service.body.effective_on),
            "fine": words(owed.fine_fen),
            "late_from": chinese_date(owed.due_on + chrono::Duration::days(1)),
            "as_of": chinese_date(today),
            "late_fee": words(owed.late_fee_fen),
            "has_late_fee": owed.late_fee_fen > Fen::ZERO,
            "total": words(owed.outstanding_fen),
            "due": chinese_date(end),
        }});
        ctx.issue("payment_demand", extra, Numbering::Counter)?;
        Ok(CaseEvent::EnforcementDemand(self.clone()))
    }
}

impl Step for RemedyRequest {
    const PATH: &'static str = "/cases/{id}/remedies";
    const TAG: &'static str = "workflow";
    const DOC: &'static str =
        "复议 / 诉讼 against the decision: the surcharge stops while it is pending (Art 73 ¶3).";

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        check_served(ctx, "a remedy is sought against a served decision")?;
        let service = ctx
            .file
            .service()
            .cloned()
            .ok_or_else(|| AppError::internal("served without service"))?;
        check_supplied_time(
            "filed_at",
            self.filed_at,
            Some((
                service.body.request.served_at.naive_utc(),
                "the service of the decision",
            )),
            ctx.now,
        )?;
        if ctx.file.remedies.iter().any(|r| r.body.outcome.is_none()) {
            return Err(AppError::conflict(
                "a remedy against this decision is pending",
            ));
        }
        Ok(CaseEvent::Remedy(RemedyStep {
            request: self.clone(),
            outcome: None,
        }))
    }
}

/// The result of a remedy as a step: the remedy it answers, from the path.
#[derive(Debug, Clone, Deserialize, ToSchema, validator::Validate)]
pub struct DecideRemedy {
    pub remedy_id: String,
    #[serde(flatten)]
    pub result: RemedyResultRequest,
}

impl Step for DecideRemedy {
    const PATH: &'static str = "/cases/{id}/remedies/{remedy_id}/result";
    const TAG: &'static str = "workflow";
    const DOC: &'static str =
        "The result of a remedy (upheld, revoked, changed, confirmed unlawful).";

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    /// A revoked decision asks nothing more and its published information
    /// is withdrawn within 3 days (Art 48 ¶2).
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let r = ctx
            .file
            .remedies
            .iter()
            .find(|r| r.id == self.remedy_id)
            .cloned()
            .ok_or_else(|| AppError::not_found("remedy not found"))?;
        if r.body.outcome.is_some() {
            return Err(AppError::conflict(
                "the remedy's result is recorded already",
            ));
        }
        let req = &self.result;
        check_supplied_time(
            "decided_at",
            req.decided_at,
            Some((r.body.request.filed_at.naive_utc(), "filed_at")),
            ctx.now,
        )?;
        let mut body = r.body.clone();
        body.outcome = Some(req.clone());
        crate::cases::store::rewrite_step(ctx.conn, &r.id, &CaseEvent::Remedy(body.clone()))?;
        if body.annulled() {
            let due = ctx
                .cal
                .working_days_after(china_date(req.decided_at), 3, &[])
                .date;
            ctx.set_deadline(
                "disclosure_withdrawal",
                due,
                "《中华人民共和国行政处罚法》第四十八条第二款：行政处罚决定被撤销、确认违法的，应当在三日内撤回行政处罚决定信息并公开说明理由",
            );
            ctx.deadline_status("payment", DeadlineStatus::Cancelled);
            ctx.deadline_status("enforcement_demand", DeadlineStatus::Cancelled);
        }
        if req.result != RemedyResult::Upheld {
            // Order 45 Art 11: revoked, changed or confirmed unlawful — the
            // publication is withdrawn now, with the reason.
            let reason = match req.result {
                RemedyResult::Revoked => "行政处罚决定已被撤销",
                RemedyResult::Changed => "行政处罚决定已被变更",
                _ => "行政处罚决定已被确认违法",
            };
            let organ = &r.body.request.organ;
            if crate::disclosure::withdraw_for_remedy(ctx, &format!("{reason}（{organ}）"))? {
                ctx.deadline_status("disclosure_withdrawal", DeadlineStatus::Met);
            }
        }
        Ok(CaseEvent::RemedyDecided(RemedyDecided {
            remedy_id: r.id,
            result: req.clone(),
        }))
    }
}

impl Step for CourtEnforcementRequest {
    const PATH: &'static str = "/cases/{id}/court-enforcement";
    const TAG: &'static str = "workflow";
    const DOC: &'static str = "申请人民法院强制执行 (Compulsion Law Art 53–54): a head.\nAfter the demand's 10 working days and the remedy periods, within 3 months.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(ApprovalKind::CourtEnforcement)
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        check_served(
            ctx,
            "court enforcement follows a served decision that is not performed",
        )?;
        check_supplied_time(
            "applied_at",
            self.applied_at,
            Some((ctx.case.filed_at, "filing")),
            ctx.now,
        )?;
        let owed = owed_on(&ctx.file, ctx.today())
            .ok_or_else(|| AppError::rule(Code::NoFineToPay, "nothing is owed"))?;
        if owed.outstanding_fen == Fen::ZERO {
            return Err(AppError::rule(
                Code::NoFineToPay,
                "the fine and the surcharge are paid",
            ));
        }
        let demand_ends = ctx
            .file
            .demands
            .last()
            .map(|d| demand_period_end(china_date(d.body.served_at), ctx.cal));
        check_court_enforcement(&ctx.file, china_date(self.applied_at), demand_ends)?;
        ctx.note("outstanding_fen", owed.outstanding_fen);
        ctx.deadline_status("enforcement_demand", DeadlineStatus::Met);
        Ok(CaseEvent::CourtEnforcement(self.clone()))
    }
}

impl Step for HandInRequest {
    const PATH: &'static str = "/cases/{id}/hand-in";
    const TAG: &'static str = "workflow";
    const DOC: &'static str =
        "当场收缴的罚款交至行政机关 (Art 71: within 2 working days of the collection).";

    fn guard(&self, _: &Caller) -> Guard {
        INVESTIGATING
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let collected = ctx
            .file
            .payments
            .iter()
            .rev()
            .find(|p| p.body.on_the_spot.is_some())
            .cloned()
            .ok_or_else(|| {
                AppError::rule(
                    Code::OnTheSpotNotAllowed,
                    "no money was collected on the spot in this case",
                )
            })?;
        check_supplied_time(
            "handed_in_at",
            self.handed_in_at,
            Some((collected.body.paid_at.naive_utc(), "the collection")),
            ctx.now,
        )?;
        ctx.note("payment_id", collected.id);
        ctx.deadline_status("hand_in", DeadlineStatus::Met);
        Ok(CaseEvent::HandIn(self.clone()))
    }
}

/// `GET /cases/{id}/late-fee?on=`: what the party owes on a day.
pub async fn late_fee(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    on: Option<NaiveDate>,
) -> AppResult<Owed> {
    let scope_ =
        crate::cases::readable_case(state, caller, case_id, crate::cases::Access::ReadCase).await?;
    let on = on.unwrap_or_else(|| state.clock.today());
    state
        .db
        .run(move |conn| {
            let file = crate::cases::file::load(conn, &scope_.case_id)?;
            owed_on(&file, on).ok_or_else(|| {
                AppError::rule(
                    Code::NoFineToPay,
                    "no fine is due: the decision imposes none or is not served",
                )
            })
        })
        .await
}

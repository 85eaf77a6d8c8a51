//! The case workflow of the Administrative Penalty Law: report, notice,
//! statements, hearing, legality review, collective discussion, decision,
//! service, payment, closure, archive, suspension, termination, extension.
//!
//! Every step goes through `perform`: one transaction that checks the
//! case's version (`If-Match`), that its file is open, the transition and
//! the step's own guards (pure, in `rules.rs`), then stores the step, moves
//! the status with a conditional update (two concurrent steps → one wins,
//! the other 409), sets the deadlines and appends the record entry.

pub mod api;
pub mod rules;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::approvals::rules::ApprovalKind;
use crate::auth::scope::{self, CaseScope};
use crate::auth::{Caller, Role};
use crate::calendar::Calendar;
use crate::cases::rules::{
    check_open, check_transition, check_version, CaseStatus, PartyKind, Procedure,
};
use crate::clock::{china_date, rfc3339};
use crate::db::schema::{
    case_deadlines, case_discretion, case_officers, case_steps, cases, departments, evidence,
    investigation_records, legal_reviews, users,
};
use crate::db::{enum_parse, enum_str, json_text, DbConn};
use crate::error::{AppError, AppResult, Code};
use crate::profiles::Profile;
use crate::records;
use crate::state::AppState;
use rules::*;

/// The case as a step needs it, read inside the step's transaction.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: String,
    pub status: CaseStatus,
    pub version: i32,
    pub procedure: Procedure,
    pub party_kind: PartyKind,
    pub party_name: String,
    pub department_id: String,
    pub department_short_name: String,
    pub item_code: String,
    pub filed_at: NaiveDateTime,
    pub rule_profile_id: Option<String>,
    /// Officers attached at intake: the investigators (调查人员).
    pub investigators: Vec<String>,
}

type CaseRowTuple = (
    (String, String, i32, String, String, String),
    (String, String, String, NaiveDateTime, Option<String>),
);

pub fn load_case_row(conn: &mut DbConn, id: &str) -> AppResult<CaseRow> {
    let row: CaseRowTuple = cases::table
        .inner_join(departments::table)
        .filter(cases::id.eq(id))
        .select((
            (
                cases::id,
                cases::status,
                cases::version,
                cases::procedure,
                cases::party_kind,
                cases::party_name,
            ),
            (
                cases::department_id,
                departments::short_name,
                cases::enforcement_item_code,
                cases::filed_at,
                cases::rule_profile_id,
            ),
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("case not found"))?;
    let investigators = case_officers::table
        .filter(case_officers::case_id.eq(id))
        .filter(case_officers::role.eq("officer"))
        .select(case_officers::user_id)
        .load(conn)?;
    let bad = |what: &str| AppError::internal(format!("case {id}: unreadable {what}"));
    let (
        (id, status, version, procedure, party_kind, party_name),
        (dept, short, item, filed_at, profile),
    ) = row;
    Ok(CaseRow {
        status: enum_parse(&status).ok_or_else(|| bad("status"))?,
        procedure: enum_parse(&procedure).ok_or_else(|| bad("procedure"))?,
        party_kind: enum_parse(&party_kind).ok_or_else(|| bad("party kind"))?,
        id,
        version,
        party_name,
        department_id: dept,
        department_short_name: short,
        item_code: item,
        filed_at,
        rule_profile_id: profile,
        investigators,
    })
}

fn parse<T: serde::de::DeserializeOwned>(kind: &str, body: &str) -> AppResult<T> {
    serde_json::from_str(body).map_err(|e| AppError::internal(format!("step {kind}: {e}")))
}

/// The case file rebuilt from its steps and reviews, oldest first.
pub fn load_file(conn: &mut DbConn, case_id: &str) -> AppResult<CaseFile> {
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
    let mut f = CaseFile::default();
    for (id, kind, body, actor_id, at) in rows {
        macro_rules! push {
            ($v:ident) => {
                f.$v.push(Stored {
                    id,
                    at,
                    actor_id,
                    body: parse(&kind, &body)?,
                })
            };
        }
        match kind.as_str() {
            "report" => push!(reports),
            "notice" => push!(notices),
            "statement" => push!(statements),
            "hearing_request" => push!(hearing_requests),
            "hearing" => push!(hearings),
            "transcript" => push!(transcripts),
            "collective_discussion" => push!(discussions),
            "decision" => push!(decisions),
            "service" => push!(services),
            "payment" => push!(payments),
            "suspension" => push!(suspensions),
            "resumption" => push!(resumptions),
            "extension" => push!(extensions),
            "payment_plan" => push!(plans),
            "remedy" => push!(remedies),
            "exclusion" => push!(exclusions),
            "enforcement_demand" => push!(demands),
            "court_enforcement" => push!(court),
            _ => {}
        }
    }
    let reviews: Vec<(String, String, String, NaiveDateTime)> = legal_reviews::table
        .filter(legal_reviews::case_id.eq(case_id))
        .order((legal_reviews::submitted_at.asc(), legal_reviews::id.asc()))
        .select((
            legal_reviews::id,
            legal_reviews::status,
            legal_reviews::report_id,
            legal_reviews::submitted_at,
        ))
        .load(conn)?;
    f.reviews = reviews
        .into_iter()
        .map(|(id, status, report_id, submitted_at)| ReviewFacts {
            status: enum_parse(&status).unwrap_or(ReviewStatus::Pending),
            id,
            report_id,
            submitted_at,
        })
        .collect();
    Ok(f)
}

/// What a step sees inside its transaction.
pub struct Ctx<'a> {
    pub conn: &'a mut DbConn,
    pub case: CaseRow,
    pub file: CaseFile,
    pub profile: Profile,
    pub cal: &'a Calendar,
    pub now: DateTime<Utc>,
    pub caller: &'a Caller,
    /// The status the case had when the step began.
    from: CaseStatus,
    to: Option<CaseStatus>,
}

impl Ctx<'_> {
    pub fn today(&self) -> NaiveDate {
        china_date(self.now)
    }

    /// The step moves the case to `to`: refused here, first, when the law
    /// allows no such path from where the case stands.
    pub fn moving_to(&mut self, to: CaseStatus) -> AppResult<()> {
        if self.from == CaseStatus::Suspended && to != CaseStatus::Terminated {
            return Err(suspended_error());
        }
        check_transition(self.case.procedure, self.case.status, to)?;
        self.to = Some(to);
        Ok(())
    }

    /// This step as the file will hold it, to count the periods as if it
    /// were taken (the decision day after a hearing, a resumption …).
    pub fn as_taken<T>(&self, body: T) -> Stored<T> {
        Stored {
            id: String::new(),
            at: self.now.naive_utc(),
            actor_id: self.caller.user_id.clone(),
            body,
        }
    }

    /// The 90-day decision period as the file stands today.
    pub fn decision_due(&self) -> (NaiveDate, String) {
        rules::decision_due(
            china_date(self.case.filed_at.and_utc()),
            &self.file,
            self.today(),
            self.cal,
        )
    }
}

fn suspended_error() -> AppError {
    AppError::new(Code::TransitionNotAllowed,
        "the case is suspended (中止): it resumes (POST /resumption) or is terminated before any other step",
    )
}

/// What a step did, for `perform` to store.
pub struct Act {
    /// The step row's kind and body (None: the step only changes state).
    pub step: Option<(&'static str, serde_json::Value)>,
    /// The record entry.
    pub action: &'static str,
    pub detail: serde_json::Value,
    /// Deadlines set (or reset) with their basis.
    pub deadlines: Vec<(&'static str, NaiveDate, String)>,
    /// Deadlines this step met, paused or cancelled: (kind, status).
    pub statuses: Vec<(&'static str, &'static str)>,
}

impl Act {
    pub fn new(
        kind: &'static str,
        body: serde_json::Value,
        action: &'static str,
        detail: serde_json::Value,
    ) -> Act {
        Act {
            step: Some((kind, body)),
            action,
            detail,
            deadlines: vec![],
            statuses: vec![],
        }
    }
}

/// The answer of every workflow step.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    /// The case's status after the step.
    pub case_status: CaseStatus,
    /// The case's version after the step (its new ETag).
    pub case_version: i32,
    pub at: String,
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

/// Who may take a step, beyond seeing the case.
#[derive(Debug, Clone, Copy)]
pub enum Guard {
    /// Officers and heads of the case's department (`may_change_case`),
    /// with the roles given.
    Change(&'static [Role]),
    /// A legal reviewer serving the case's department.
    Review,
    /// A head's act that needs an approval (审批): taken by a head of the
    /// case's department, directly or deciding an officer's request; it
    /// settles the approval in its transaction.
    Approved(crate::approvals::rules::ApprovalKind),
}

/// Where the case sits, after the role and scope checks of `guard`: 404
/// when the caller may not see it, 403 when they may see but not act.
async fn guarded(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    guard: Guard,
) -> AppResult<CaseScope> {
    match guard {
        Guard::Change(roles) => {
            let scope_ = crate::cases::writable_case(state, caller, case_id).await?;
            caller.require_any(roles)?;
            Ok(scope_)
        }
        Guard::Approved(kind) => {
            let scope_ = crate::cases::writable_case(state, caller, case_id).await?;
            if !caller.has(Role::Head) {
                return Err(AppError::forbidden(format!(
                    "{} is a head's act: ask for it with POST /api/v1/approvals {{\"kind\": \"{}\"}}",
                    kind.label(),
                    enum_str(&kind)
                )));
            }
            Ok(scope_)
        }
        Guard::Review => {
            caller.require_any(&[Role::LegalReviewer])?;
            let id = case_id.to_string();
            let scope_ = state
                .db
                .run(move |conn| crate::cases::store::case_scope(conn, &id))
                .await?
                .ok_or_else(|| AppError::not_found("case not found"))?;
            if !scope::may_review_case(caller, &scope_) {
                return Err(AppError::not_found("case not found"));
            }
            Ok(scope_)
        }
    }
}

/// Sets (or resets) a deadline of a case.
pub fn set_deadline(
    conn: &mut DbConn,
    case_id: &str,
    kind: &str,
    due_on: NaiveDate,
    basis: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::delete(case_deadlines::table.find((case_id, kind))).execute(conn)?;
    crate::cases::store::insert_deadline(conn, case_id, kind, due_on, basis, at)
}

pub fn set_deadline_status(
    conn: &mut DbConn,
    case_id: &str,
    kind: &str,
    status: &str,
) -> AppResult<()> {
    diesel::update(case_deadlines::table.find((case_id, kind)))
        .set(case_deadlines::status.eq(status))
        .execute(conn)?;
    Ok(())
}

/// Runs one step: see the module documentation.
pub async fn perform<F>(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    guard: Guard,
    f: F,
) -> AppResult<StepView>
where
    F: for<'a> FnOnce(&mut Ctx<'a>) -> AppResult<Act> + Send + 'static,
{
    run_step(state, caller, case_id, if_match, guard, false, f).await
}

/// `perform`, where `on_final_file` lets the one step that acts on a
/// closed, terminated or transferred file (its archive) past `check_open`.
async fn run_step<F>(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    guard: Guard,
    on_final_file: bool,
    f: F,
) -> AppResult<StepView>
where
    F: for<'a> FnOnce(&mut Ctx<'a>) -> AppResult<Act> + Send + 'static,
{
    let scope_ = guarded(state, caller, case_id, guard).await?;
    let cal = state.calendar.get(&state.db).await?;
    let now = state.clock.now();
    let key = state.settings.record_key.clone();
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            let case = load_case_row(conn, &scope_.case_id)?;
            if !on_final_file {
                check_open(case.status)?;
            }
            check_version(if_match, case.version)?;
            let file = load_file(conn, &case.id)?;
            let profile = crate::profiles::of_case(conn, case.rule_profile_id.as_deref())?;
            let case_status = case.status;
            let mut ctx = Ctx {
                conn,
                case,
                file,
                profile,
                cal: &cal,
                now,
                caller: &caller,
                from: case_status,
                to: None,
            };
            let act = f(&mut ctx)?;
            if ctx.from == CaseStatus::Suspended && ctx.to.is_none() {
                return Err(suspended_error());
            }
            let Ctx {
                conn,
                case,
                from,
                to,
                ..
            } = ctx;
            let at = crate::db::micros(now.naive_utc());
            let step_id = uuid::Uuid::now_v7().to_string();
            let (kind, body) = act
                .step
                .clone()
                .unwrap_or(("state", serde_json::Value::Null));
            if act.step.is_some() {
                diesel::insert_into(case_steps::table)
                    .values((
                        case_steps::id.eq(&step_id),
                        case_steps::case_id.eq(&case.id),
                        case_steps::kind.eq(kind),
                        case_steps::body.eq(json_text(&body)),
                        case_steps::actor_id.eq(&caller.user_id),
                        case_steps::at.eq(at),
                    ))
                    .execute(conn)?;
            }
            if let Some(to) = to {
                // `moving_to` checked the path; conditional: a concurrent step that moved the case first wins.
                let moved = diesel::update(
                    cases::table
                        .filter(cases::id.eq(&case.id))
                        .filter(cases::status.eq(enum_str(&from))),
                )
                .set(cases::status.eq(enum_str(&to)))
                .execute(conn)?;
                if moved != 1 {
                    return Err(AppError::conflict(
                        "the case moved on while this step was being taken: reload it",
                    ));
                }
            }
            for (k, due, basis) in &act.deadlines {
                set_deadline(conn, &case.id, k, *due, basis, at)?;
            }
            for (k, status) in &act.statuses {
                set_deadline_status(conn, &case.id, k, status)?;
            }
            let approval_id = match guard {
                Guard::Approved(kind) => Some(crate::approvals::settle(
                    conn,
                    &caller,
                    kind,
                    crate::approvals::Subject::Case(&case.id),
                    &case.department_id,
                    &body,
                    ("step", &step_id),
                    at,
                )?),
                _ => None,
            };
            let actor = crate::cases::actor_on_case(conn, &caller, &case.id)?;
            let mut detail = act.detail;
            if let Some(o) = detail.as_object_mut() {
                o.insert("step_id".into(), step_id.clone().into());
                if let Some(a) = approval_id {
                    o.insert("approval_id".into(), a.into());
                }
                if let Some(to) = to {
                    o.insert("from".into(), enum_str(&from).into());
                    o.insert("to".into(), enum_str(&to).into());
                }
            }
            records::append(
                conn,
                key.as_bytes(),
                &case.id,
                &actor,
                act.action,
                &detail,
                Some(&caller.request_id),
                at,
            )?;
            Ok(StepView {
                id: step_id,
                case_id: case.id.clone(),
                kind: kind.to_string(),
                case_status: to.unwrap_or(from),
                case_version: case.version + 1,
                at: rfc3339(at),
                body,
            })
        })
        .await
}

fn to_value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// The latest discretion lookup attached to the case (id and result).
fn latest_lookup(
    conn: &mut DbConn,
    case_id: &str,
) -> AppResult<Option<(String, crate::discretion::rules::Lookup)>> {
    let row: Option<(String, String)> = case_discretion::table
        .filter(case_discretion::case_id.eq(case_id))
        .order((
            case_discretion::created_at.desc(),
            case_discretion::id.desc(),
        ))
        .select((case_discretion::id, case_discretion::result))
        .first(conn)
        .optional()?;
    row.map(|(id, r)| {
        serde_json::from_str(&r)
            .map(|l| (id, l))
            .map_err(|e| AppError::internal(format!("attachment result: {e}")))
    })
    .transpose()
}

/// Judges a fine against the case's latest lookup; Ok(None) without a fine.
fn judge(
    conn: &mut DbConn,
    case_id: &str,
    fine: i64,
    deviation_reason: Option<&str>,
    required: bool,
) -> AppResult<Option<(String, crate::discretion::rules::Verdict)>> {
    if fine == 0 {
        return Ok(None);
    }
    let Some((id, lookup)) = latest_lookup(conn, case_id)? else {
        if !required {
            return Ok(None);
        }
        return Err(AppError::rule(
            Code::DiscretionNotApplied,
            "罚款数额须先适用裁量基准（POST /cases/{id}/discretion）并说明理由（国办发〔2022〕27号；行政处罚法第五条）",
        ));
    };
    let v = crate::discretion::rules::judge_fine(&lookup, fine, deviation_reason)
        .map_err(|r| crate::discretion::refusal_error(&r))?;
    Ok(Some((id, v)))
}

// ------------------------------------------------------------ documents

/// The explanation of the latest discretion lookup, as one paragraph.
fn discretion_text(conn: &mut DbConn, case_id: &str) -> AppResult<String> {
    Ok(latest_lookup(conn, case_id)?
        .map(|(_, l)| l.explanation.join(""))
        .unwrap_or_default())
}

/// Issues a document numbered from the department's counter, in a step of
/// another capability (transfers), named in the step's record entry.
pub fn issue_document(
    ctx: &mut Ctx,
    iss: &crate::documents::Issuer,
    kind: &str,
    extra: serde_json::Value,
    act: &mut Act,
) -> AppResult<crate::documents::DocumentRef> {
    issue_into(ctx, iss, kind, None, extra, act)
}

/// Issues a document in the step's transaction and names it in the step's
/// record entry (kind, number, SHA-256).
fn issue_into(
    ctx: &mut Ctx,
    iss: &crate::documents::Issuer,
    kind: &str,
    number: Option<String>,
    extra: serde_json::Value,
    act: &mut Act,
) -> AppResult<crate::documents::DocumentRef> {
    let template = crate::documents::load_template(&iss.templates, kind)?;
    issue_template(ctx, iss, &template, number, extra, act)
}

/// The next number of a template's kind for the case's department, under
/// the profile the case keeps.
fn next_number(ctx: &mut Ctx, template: &crate::documents::rules::Template) -> AppResult<String> {
    crate::documents::number_for(
        ctx.conn,
        &ctx.case.department_id,
        &ctx.case.department_short_name,
        &ctx.profile,
        template,
        ctx.today(),
    )
}

/// `issue_into` with the template at hand (numbered from the case's
/// department unless `number` is given).
fn issue_template(
    ctx: &mut Ctx,
    iss: &crate::documents::Issuer,
    template: &crate::documents::rules::Template,
    number: Option<String>,
    extra: serde_json::Value,
    act: &mut Act,
) -> AppResult<crate::documents::DocumentRef> {
    let number = match number {
        Some(n) => n,
        None => next_number(ctx, template)?,
    };
    let doc = crate::documents::issue(
        ctx.conn,
        iss,
        &ctx.case.id,
        template,
        Some(number),
        extra,
        &ctx.caller.user_id,
        ctx.now.naive_utc(),
    )?;
    if let Some(o) = act.detail.as_object_mut() {
        let list = o
            .entry("documents")
            .or_insert_with(|| serde_json::Value::Array(vec![]));
        if let Some(a) = list.as_array_mut() {
            a.push(serde_json::json!({"document_id": doc.id, "kind": doc.kind, "number": doc.number, "sha256": doc.sha256}));
        }
    }
    Ok(doc)
}

// ------------------------------------------------------------ the steps

/// 调查终结报告 (Art 57): findings and the proposed outcome, the fine judged
/// against the attached discretion lookup, and what the proposal will need
/// (hearing right, legality review, collective discussion).
pub async fn report(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: ReportRequest,
) -> AppResult<StepView> {
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        // A filed case is under investigation from its first act; the
        // report ends it (Art 54, 57).
        // A new report after the notice or the hearing re-opens the
        // investigation first (Art 45 ¶1: the party's defence is checked).
        let direct = check_transition(ctx.case.procedure, ctx.case.status, CaseStatus::ReportSubmitted);
        if direct.is_err()
            && ctx.case.status != CaseStatus::Suspended
            && check_transition(ctx.case.procedure, ctx.case.status, CaseStatus::Investigating).is_ok()
        {
            ctx.moving_to(CaseStatus::Investigating)?;
            ctx.to = Some(CaseStatus::ReportSubmitted);
        } else {
            ctx.moving_to(CaseStatus::ReportSubmitted)?;
        }
        crate::approvals::rules::check_filing_approved(crate::approvals::filing_status(ctx.conn, &ctx.case.id)?)?;
        let item = crate::items::find(ctx.conn, &ctx.case.item_code)?
            .ok_or_else(|| AppError::internal("the case's item is gone"))?;
        let mut assessment = Assessment::default();
        if req.outcome == ProposedOutcome::Penalty {
            if req.penalties.is_empty() {
                return Err(AppError::rule_on_field(Code::InvalidValue, "penalties", "a proposed penalty names its penalties"));
            }
            // Art 40: facts ascertained — at least one piece of evidence or record.
            let proofs: i64 = evidence::table.filter(evidence::case_id.eq(&ctx.case.id)).count().get_result(ctx.conn)?;
            let records_: i64 = investigation_records::table.filter(investigation_records::case_id.eq(&ctx.case.id)).count().get_result(ctx.conn)?;
            if proofs + records_ == 0 {
                return Err(AppError::rule(Code::EvidenceMissing, "违法事实不清、证据不足的，不得给予行政处罚（行政处罚法第四十条）：本案尚无证据或笔录"));
            }
            check_penalty_types(&item, &req.penalties)?;
            let fine = fine_of(&req.penalties);
            if let Some((id, v)) = judge(ctx.conn, &ctx.case.id, fine, req.deviation_reason.as_deref(), true)? {
                assessment.discretion_attachment_id = Some(id);
                assessment.verdict = Some(enum_str(&v));
            }
            let proposal = as_proposed(&req.penalties);
            assessment.hearing_reasons = crate::profiles::rules::hearing_reasons(&ctx.profile, ctx.case.party_kind, &proposal);
            assessment.legal_review_reasons = crate::profiles::rules::legal_review_reasons(
                &ctx.profile,
                &crate::profiles::rules::ReviewFacts {
                    party: Some(ctx.case.party_kind),
                    penalty: proposal.clone(),
                    hearing_right: !assessment.hearing_reasons.is_empty(),
                    benchmark_deviation: assessment.verdict.as_deref() == Some("deviation"),
                    major_public_interest: req.major_public_interest,
                    complex: req.complex,
                },
            );
            assessment.collective_discussion_reasons = crate::profiles::rules::collective_discussion_reasons(
                &ctx.profile, ctx.case.party_kind, &proposal, req.complex, req.major_violation,
            );
        } else if !req.penalties.is_empty() {
            return Err(AppError::rule_on_field(Code::InvalidValue, "penalties", "only a proposed penalty lists penalties"));
        }
        let step = ReportStep { request: req, assessment };
        let detail = serde_json::json!({
            "outcome": step.request.outcome,
            "penalties": step.request.penalties,
            "tier": step.request.tier,
            "verdict": step.assessment.verdict,
            "deviation_reason": step.request.deviation_reason,
            "legal_review_required": !step.assessment.legal_review_reasons.is_empty(),
            "collective_discussion_required": !step.assessment.collective_discussion_reasons.is_empty(),
            "hearing_right": !step.assessment.hearing_reasons.is_empty(),
        });
        Ok(Act::new("report", to_value(&step), "case.report_submitted", detail))
    })
    .await
}

/// 告知 (Art 44): the intended penalty of the current report, its facts,
/// reasons and basis, the rights; sets the statement and hearing-request
/// deadlines from the notice's service.
pub async fn notice(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: NoticeRequest,
) -> AppResult<StepView> {
    let iss = crate::documents::issuer(state).await?;
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        ctx.moving_to(CaseStatus::Notified)?;
        // A hearing requested on an earlier notice carries over: the case
        // waits for that hearing (Art 63–64).
        let carried_over = pending_hearing_request(&ctx.file).is_some();
        if carried_over {
            ctx.to = Some(CaseStatus::HearingRequested);
        }
        let report = ctx.file.latest_report()?.clone();
        if report.body.request.outcome != ProposedOutcome::Penalty {
            return Err(AppError::rule(Code::ReportRequired, "only a proposed penalty is notified (行政处罚法第四十四条)"));
        }
        check_supplied_time("served_at", req.served_at, Some((report.at, "the report")), ctx.now)?;
        if req.method == ServiceMethod::Electronic && !req.electronic_consent {
            return Err(AppError::rule_on_field(Code::ServiceMethodNotAllowed, "electronic_consent", "电子送达须经当事人同意（行政处罚法第六十一条第二款）"));
        }
        let fine = fine_of(&report.body.request.penalties);
        check_notice_amount(&ctx.file, fine, req.increase_reason.as_deref())?;
        let hearing_reasons = report.body.assessment.hearing_reasons.clone();
        let served_on = china_date(req.served_at);
        let (statement_due, hearing_due) = notice_periods(served_on, !hearing_reasons.is_empty(), &ctx.profile, ctx.cal);
        let step = NoticeStep {
            request: req,
            report_id: report.id.clone(),
            penalties: report.body.request.penalties.clone(),
            fine_fen: fine,
            hearing_right: !hearing_reasons.is_empty(),
            hearing_reasons,
            statement_due,
            hearing_request_due: hearing_due,
        };
        let detail = serde_json::json!({
            "report_id": report.id,
            "fine_fen": fine,
            "served_at": step.request.served_at,
            "hearing_right": step.hearing_right,
            "statement_due": statement_due,
            "hearing_request_due": hearing_due,
            "increase_reason": step.request.increase_reason,
        });
        let mut act = Act::new("notice", to_value(&step), "case.notified", detail);
        // 行政处罚告知书, in the same transaction.
        let discretion = discretion_text(ctx.conn, &ctx.case.id)?;
        let extra = serde_json::json!({
            "findings": report.body.request.findings,
            "penalties": crate::documents::penalties_context(&step.penalties),
            "discretion": discretion,
            "statement_days": ctx.profile.statement_period_working_days,
            "hearing_right": step.hearing_right,
        });
        let doc = issue_into(ctx, &iss, "penalty_notice", None, extra, &mut act)?;
        if let Some(o) = act.step.as_mut().and_then(|s| s.1.as_object_mut()) {
            o.insert("document_id".into(), doc.id.into());
            o.insert("document_number".into(), doc.number.into());
        }
        act.deadlines.push((
            "statement",
            statement_due,
            format!("《中华人民共和国行政处罚法》第四十四条、第四十五条：自告知书送达之日起{}个工作日内陈述、申辩", ctx.profile.statement_period_working_days),
        ));
        if let Some(d) = hearing_due.filter(|_| !carried_over) {
            act.deadlines.push(("hearing_request", d, "《中华人民共和国行政处罚法》第六十四条第一项：告知后五日（工作日）内提出听证要求".into()));
        }
        Ok(act)
    })
    .await
}

/// 陈述申辩 (Art 45) or its express waiver (Art 62).
pub async fn statement(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: StatementRequest,
) -> AppResult<StepView> {
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        let notice = ctx.file.current_notice().cloned().ok_or_else(|| {
            AppError::rule(Code::NoticeRequired, "a statement answers a notice (行政处罚法第四十四条、第四十五条)")
        })?;
        check_supplied_time("received_at", req.received_at, Some((notice.body.request.served_at.naive_utc(), "the notice's service")), ctx.now)?;
        if !req.waived && req.content.as_deref().is_none_or(|c| c.trim().is_empty()) {
            return Err(AppError::validation(vec![crate::error::FieldError::new("content", "required", "a statement has content; a waiver says waived: true")]));
        }
        let detail = serde_json::json!({"waived": req.waived, "received_at": req.received_at, "adopted": req.adopted});
        let mut act = Act::new("statement", to_value(&req), if req.waived { "case.statement_waived" } else { "case.statement_received" }, detail);
        if req.waived {
            act.statuses.push(("statement", "met"));
        }
        Ok(act)
    })
    .await
}

/// 要求听证 (Art 63, 64 (1)).
pub async fn hearing_request(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: HearingRequestRequest,
) -> AppResult<StepView> {
    perform(
        state,
        caller,
        case_id,
        if_match,
        Guard::Change(scope::INVESTIGATING_ROLES),
        move |ctx| {
            ctx.moving_to(CaseStatus::HearingRequested)?;
            let served = ctx
                .file
                .current_notice()
                .map(|n| n.body.request.served_at.naive_utc());
            check_supplied_time(
                "requested_at",
                req.requested_at,
                served.map(|s| (s, "the notice's service")),
                ctx.now,
            )?;
            check_hearing_request(&ctx.file, china_date(req.requested_at))?;
            let detail = serde_json::json!({"requested_at": req.requested_at});
            let mut act = Act::new(
                "hearing_request",
                to_value(&req),
                "case.hearing_requested",
                detail,
            );
            act.statuses.push(("hearing_request", "met"));
            Ok(act)
        },
    )
    .await
}

/// The presiding officer is staff of the case's department (an officer,
/// head or legal reviewer; that they are no investigator is `check_hearing`).
fn presiding_staff(conn: &mut DbConn, case: &CaseRow, user_id: &str) -> AppResult<String> {
    let presiding: Option<(String, String, String)> = users::table
        .filter(users::id.eq(user_id))
        .select((users::department_id, users::roles, users::display_name))
        .first(conn)
        .optional()?;
    match presiding {
        Some((d, roles, name))
            if d == case.department_id
                && crate::auth::roles_from_json(&roles)
                    .iter()
                    .any(|r| matches!(r, Role::Officer | Role::Head | Role::LegalReviewer)) =>
        {
            Ok(name)
        }
        _ => Err(AppError::rule_on_field(
            Code::OfficerUnknown,
            "presiding_officer_id",
            "the presiding officer is staff of the case's department (行政处罚法第六十四条第四项)",
        )),
    }
}

/// 听证通知书 (Art 64 (2)): served at least 7 working days before the
/// hearing, naming a presiding officer who is not an investigator.
pub async fn hearing_notice(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: HearingNoticeRequest,
) -> AppResult<StepView> {
    let iss = crate::documents::issuer(state).await?;
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        let request = pending_hearing_request(&ctx.file).cloned().ok_or_else(|| {
            AppError::rule(Code::HearingNotRequested, "no hearing was requested (行政处罚法第六十三条)")
        })?;
        check_supplied_time("served_at", req.served_at, Some((request.body.requested_at.naive_utc(), "the hearing request")), ctx.now)?;
        if req.place.trim().is_empty() {
            return Err(AppError::validation(vec![crate::error::FieldError::new("place", "required", "where the hearing will be held")]));
        }
        let as_held = HearingRequest {
            notified_at: req.served_at,
            held_at: req.hearing_at,
            place: req.place.clone(),
            presiding_officer_id: req.presiding_officer_id.clone(),
            public: req.public,
            party_attended: true,
            agents: vec![],
        };
        check_hearing(&as_held, &ctx.case.investigators, ctx.cal)?;
        let presiding = presiding_staff(ctx.conn, &ctx.case, &req.presiding_officer_id)?;
        let detail = serde_json::json!({"served_at": req.served_at, "hearing_at": req.hearing_at, "presiding_officer_id": req.presiding_officer_id});
        let mut act = Act::new("hearing_notice", to_value(&req), "case.hearing_notified", detail);
        let local = req.hearing_at.with_timezone(&crate::clock::china_offset());
        let extra = serde_json::json!({"hearing": {
            "at": format!("{}", local.format("%Y年%m月%d日%H时%M分")),
            "place": req.place.trim(),
            "presiding": presiding,
            "public_text": if req.public { "听证公开举行" } else { "因涉及国家秘密、商业秘密或者个人隐私，听证不公开举行" },
        }});
        issue_into(ctx, &iss, "hearing_notice", None, extra, &mut act)?;
        Ok(act)
    })
    .await
}

/// 听证 (Art 64): notified ≥ 7 working days before, presided by a non-investigator.
pub async fn hearing(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: HearingRequest,
) -> AppResult<StepView> {
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        let request = pending_hearing_request(&ctx.file).cloned().ok_or_else(|| {
            AppError::rule(Code::HearingNotRequested, "no hearing was requested (行政处罚法第六十三条)")
        })?;
        ctx.moving_to(CaseStatus::HearingHeld)?;
        check_supplied_time("notified_at", req.notified_at, Some((request.body.requested_at.naive_utc(), "the hearing request")), ctx.now)?;
        check_supplied_time("held_at", req.held_at, Some((req.notified_at.naive_utc(), "notified_at")), ctx.now)?;
        if req.place.trim().is_empty() {
            return Err(AppError::validation(vec![crate::error::FieldError::new("place", "required", "where the hearing was held")]));
        }
        check_hearing(&req, &ctx.case.investigators, ctx.cal)?;
        presiding_staff(ctx.conn, &ctx.case, &req.presiding_officer_id)?;
        // The hearing's days do not count against the 90 days.
        ctx.file.hearings.push(ctx.as_taken(req.clone()));
        let (due, basis) = ctx.decision_due();
        let detail = serde_json::json!({
            "held_at": req.held_at, "notified_at": req.notified_at,
            "presiding_officer_id": req.presiding_officer_id, "party_attended": req.party_attended,
            "decision_due": due,
        });
        let mut act = Act::new("hearing", to_value(&req), "case.hearing_held", detail);
        act.deadlines.push(("decision", due, basis));
        Ok(act)
    })
    .await
}

/// 听证笔录 (Art 64 (8)): signed by the party, or the refusal noted.
pub async fn transcript(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: TranscriptRequest,
) -> AppResult<StepView> {
    let iss = crate::documents::issuer(state).await?;
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        if ctx.file.hearings.is_empty() {
            return Err(AppError::rule(Code::HearingNotRequested, "a transcript records a hearing held (行政处罚法第六十四条第八项)"));
        }
        let mut errors = vec![];
        if req.text.trim().is_empty() {
            errors.push(crate::error::FieldError::new("text", "required", "the transcript's text"));
        }
        if !req.party_signed && req.refusal_note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            errors.push(crate::error::FieldError::new("refusal_note", "required", "当事人拒绝签字或者盖章的，由听证主持人在笔录中注明（行政处罚法第六十四条第八项）"));
        }
        if !errors.is_empty() {
            return Err(AppError::validation(errors));
        }
        let detail = serde_json::json!({"party_signed": req.party_signed, "sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(req.text.as_bytes()))});
        let mut act = Act::new("transcript", to_value(&req), "case.hearing_transcript", detail);
        let h = ctx.file.hearings.last().cloned().ok_or_else(|| AppError::internal("hearing vanished"))?;
        let presiding = crate::documents::display_name(ctx.conn, &h.body.presiding_officer_id)?;
        let signature = if req.party_signed {
            "当事人已核对笔录并签名。".to_string()
        } else {
            format!("当事人拒绝签名。听证主持人注明：{}", req.refusal_note.clone().unwrap_or_default())
        };
        let extra = serde_json::json!({"hearing": {
            "held_on": crate::documents::chinese_date(china_date(h.body.held_at)),
            "place": h.body.place, "presiding": presiding, "text": req.text, "signature": signature,
        }});
        issue_into(ctx, &iss, "hearing_transcript", None, extra, &mut act)?;
        Ok(act)
    })
    .await
}

/// A legality review as the queue and its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Review {
    pub id: String,
    pub case_id: String,
    pub case_no: String,
    pub department_id: String,
    pub status: ReviewStatus,
    pub report_id: String,
    /// What is reviewed: the report's proposal, the discretion explanation,
    /// the notices and hearing as they stood at submission.
    #[schema(value_type = Object)]
    pub proposal: serde_json::Value,
    pub reasons: Vec<String>,
    pub submitted_by: String,
    pub submitted_at: String,
    pub due_on: NaiveDate,
    pub reviewer_id: Option<String>,
    #[schema(value_type = Object)]
    pub checklist: Option<serde_json::Value>,
    pub opinion: Option<String>,
    pub decided_at: Option<String>,
    /// Changes against the previous review's proposal of the same case.
    #[schema(value_type = Object)]
    pub diff: Vec<serde_json::Value>,
}

/// 提交法制审核 (Art 58): the current report's proposal with what the
/// reviewer needs; due in the profile's working days.
pub async fn submit_review(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
) -> AppResult<StepView> {
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        ctx.moving_to(CaseStatus::LegalReview)?;
        let report = ctx.file.latest_report()?.clone();
        if ctx.file.reviews.iter().any(|r| r.status == ReviewStatus::Pending) {
            return Err(AppError::new(Code::ReviewPending, "a legality review of this case is pending"));
        }
        if ctx.file.reviews.iter().any(|r| r.report_id == report.id && r.status == ReviewStatus::Approved) {
            return Err(AppError::new(Code::Conflict, "the current report was already approved in review"));
        }
        let lookup = latest_lookup(ctx.conn, &ctx.case.id)?;
        let proposal = serde_json::json!({
            "report": report.body,
            "discretion": lookup.map(|(id, l)| serde_json::json!({"attachment_id": id, "outcome": l.outcome, "tier": l.tier, "fine_min_fen": l.fine_min_fen, "fine_max_fen": l.fine_max_fen, "explanation": l.explanation})),
            "notices": ctx.file.notices.iter().map(|n| serde_json::json!({"id": n.id, "fine_fen": n.body.fine_fen, "served_at": n.body.request.served_at})).collect::<Vec<_>>(),
            "hearing_held": !ctx.file.hearings.is_empty(),
            "transcripts": ctx.file.transcripts.len(),
            "statements": ctx.file.statements.iter().map(|s| serde_json::json!({"waived": s.body.waived, "content": s.body.content})).collect::<Vec<_>>(),
        });
        let mut reasons = report.body.assessment.legal_review_reasons.clone();
        if reasons.is_empty() {
            reasons.push("承办机构主动提请法制审核。".into());
        }
        let due = ctx.cal.working_days_after(ctx.today(), ctx.profile.legal_review_working_days, &[]).date;
        let id = uuid::Uuid::now_v7().to_string();
        let at = crate::db::micros(ctx.now.naive_utc());
        // The review row references its report step; steps of this act are
        // stored by `perform`, the review row here.
        diesel::insert_into(legal_reviews::table)
            .values((
                legal_reviews::id.eq(&id),
                legal_reviews::case_id.eq(&ctx.case.id),
                legal_reviews::department_id.eq(&ctx.case.department_id),
                legal_reviews::status.eq(enum_str(&ReviewStatus::Pending)),
                legal_reviews::report_id.eq(&report.id),
                legal_reviews::proposal.eq(json_text(&proposal)),
                legal_reviews::reasons.eq(json_text(&reasons)),
                legal_reviews::submitted_by.eq(&ctx.caller.user_id),
                legal_reviews::submitted_at.eq(at),
                legal_reviews::due_on.eq(due),
            ))
            .execute(ctx.conn)?;
        let detail = serde_json::json!({"review_id": id, "report_id": report.id, "due_on": due, "reasons": reasons});
        let mut act = Act::new("review_submitted", serde_json::json!({"review_id": id, "report_id": report.id, "due_on": due}), "case.legal_review_submitted", detail);
        act.deadlines.push(("legal_review", due, format!("法制审核期限：自收到送审材料之日起{}个工作日内（本部门规则配置）", ctx.profile.legal_review_working_days)));
        Ok(act)
    })
    .await
}

/// The case a review belongs to.
async fn review_case(state: &AppState, review_id: &str) -> AppResult<String> {
    let id = review_id.to_string();
    state
        .db
        .run(move |conn| {
            legal_reviews::table
                .find(&id)
                .select(legal_reviews::case_id)
                .first::<String>(conn)
                .optional()?
                .ok_or_else(|| AppError::not_found("review not found"))
        })
        .await
}

/// 审核意见 — approve, return (back to investigation) or reject, with the
/// 8-item checklist. Exactly one opinion per review, even when many
/// reviewers answer at once.
pub async fn opinion(
    state: &AppState,
    caller: &Caller,
    review_id: &str,
    if_match: Option<i32>,
    req: OpinionRequest,
) -> AppResult<StepView> {
    let iss = crate::documents::issuer(state).await?;
    let errors = checklist_errors(&req);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let case_id = review_case(state, review_id).await?;
    let rid = review_id.to_string();
    let qualified = {
        let me = caller.user_id.clone();
        state
            .db
            .run(move |conn| {
                Ok(users::table
                    .find(&me)
                    .select(users::legal_qualification)
                    .first::<bool>(conn)?)
            })
            .await?
    };
    perform(state, caller, &case_id, if_match, Guard::Review, move |ctx| {
        let review = ctx.file.reviews.iter().find(|r| r.id == rid).cloned()
            .ok_or_else(|| AppError::not_found("review not found"))?;
        if review.status != ReviewStatus::Pending {
            return Err(AppError::new(Code::ReviewNotPending, format!("this review was already decided: {}", enum_str(&review.status))));
        }
        let earlier: i64 = legal_reviews::table
            .filter(legal_reviews::reviewer_id.eq(&ctx.caller.user_id))
            .filter(legal_reviews::status.ne(enum_str(&ReviewStatus::Pending)))
            .count()
            .get_result(ctx.conn)?;
        check_reviewer(&ctx.caller.user_id, &ctx.case.investigators, qualified, earlier)?;
        check_approval(&req)?;
        let status = match req.outcome {
            ReviewOutcome::Approve => ReviewStatus::Approved,
            ReviewOutcome::Return => ReviewStatus::Returned,
            ReviewOutcome::Reject => ReviewStatus::Rejected,
        };
        if status != ReviewStatus::Approved {
            // Back to the investigation: a new report needs a new review.
            ctx.moving_to(CaseStatus::Investigating)?;
        }
        let at = crate::db::micros(ctx.now.naive_utc());
        let decided = diesel::update(
            legal_reviews::table
                .filter(legal_reviews::id.eq(&rid))
                .filter(legal_reviews::status.eq(enum_str(&ReviewStatus::Pending))),
        )
        .set((
            legal_reviews::status.eq(enum_str(&status)),
            legal_reviews::reviewer_id.eq(&ctx.caller.user_id),
            legal_reviews::checklist.eq(json_text(&req.checklist)),
            legal_reviews::opinion.eq(&req.opinion),
            legal_reviews::decided_at.eq(at),
        ))
        .execute(ctx.conn)?;
        if decided != 1 {
            return Err(AppError::new(Code::ReviewNotPending, "another reviewer decided this review first"));
        }
        if status != ReviewStatus::Approved {
            crate::workbench::notify_case_officers(ctx.conn, &ctx.case.id, &crate::workbench::Message {
                kind: "review_returned",
                dedup_key: format!("review_returned:{rid}"),
                title: format!("法制审核{}：{}", if status == ReviewStatus::Returned { "退回补充调查" } else { "不同意" }, req.opinion.as_deref().unwrap_or("")),
                case_id: Some(ctx.case.id.clone()),
                subject_id: Some(rid.clone()),
            }, at)?;
        }
        let detail = serde_json::json!({"review_id": rid, "outcome": req.outcome, "opinion": req.opinion, "checklist": req.checklist});
        let mut act = Act::new("review_opinion", to_value(&req), "case.legal_review_decided", detail.clone());
        act.statuses.push(("legal_review", "met"));
        if let Some(o) = act.step.as_mut().and_then(|s| s.1.as_object_mut()) {
            o.insert("review_id".into(), rid.clone().into());
        }
        // 法制审核意见书.
        let items: Vec<serde_json::Value> = CHECKLIST
            .iter()
            .map(|(k, what)| {
                let e = req.checklist.get(*k);
                serde_json::json!({
                    "item": what,
                    "result": if e.is_some_and(|e| e.passed) { "通过" } else { "未通过" },
                    "note": e.and_then(|e| e.note.clone()).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "无".into()),
                })
            })
            .collect();
        let reviewer = crate::documents::display_name(ctx.conn, &ctx.caller.user_id)?;
        let outcome = match req.outcome {
            ReviewOutcome::Approve => "同意",
            ReviewOutcome::Return => "退回补充调查",
            ReviewOutcome::Reject => "不同意",
        };
        let extra = serde_json::json!({"review": {
            "outcome": outcome,
            "opinion": req.opinion.clone().filter(|o| !o.trim().is_empty()).unwrap_or_else(|| match req.outcome {
                ReviewOutcome::Approve => "经审核，执法主体合法，程序合法，事实清楚，证据确凿充分，适用法律准确，裁量适当，同意作出处理决定。".into(),
                _ => "请按审核事项逐项补正后重新报送。".into(),
            }),
            "reviewer": reviewer, "items": items,
        }});
        issue_into(ctx, &iss, "review_opinion", None, extra, &mut act)?;
        Ok(act)
    })
    .await
}

/// 负责人集体讨论 (Art 57 ¶2): recorded by a head, attended by the
/// department's heads, each confirming with their own account.
pub async fn discussion(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: DiscussionRequest,
) -> AppResult<StepView> {
    let iss = crate::documents::issuer(state).await?;
    perform(state, caller, case_id, if_match, Guard::Change(scope::HEAD_ROLES), move |ctx| {
        ctx.moving_to(CaseStatus::CollectiveDiscussion)?;
        check_supplied_time("held_at", req.held_at, Some((ctx.case.filed_at, "filing")), ctx.now)?;
        if req.conclusion.trim().is_empty() {
            return Err(AppError::validation(vec![crate::error::FieldError::new("conclusion", "required", "the discussion's conclusion")]));
        }
        let mut attendees: Vec<String> = vec![];
        for a in &req.attendee_ids {
            if !attendees.contains(a) {
                attendees.push(a.clone());
            }
        }
        let found: Vec<(String, String, String, bool)> = users::table
            .filter(users::id.eq_any(&attendees))
            .select((users::id, users::department_id, users::roles, users::disabled))
            .load(ctx.conn)?;
        for (i, a) in attendees.iter().enumerate() {
            let ok = found.iter().any(|(id, d, roles, disabled)| id == a && d == &ctx.case.department_id && !disabled && crate::auth::roles_from_json(roles).contains(&Role::Head));
            if !ok {
                return Err(AppError::rule_on_field(Code::AttendeeNotHead, &format!("attendee_ids[{i}]"), "集体讨论由本机关负责人参加（行政处罚法第五十七条第二款）"));
            }
        }
        if !attendees.contains(&ctx.caller.user_id) {
            return Err(AppError::rule_on_field(Code::NotAnAttendee, "attendee_ids", "the head who records the discussion attended it"));
        }
        let min = ctx.profile.collective_discussion_min_attendees as usize;
        if attendees.len() < min {
            return Err(AppError::rule_on_field(Code::TooFewAttendees, "attendee_ids", format!("集体讨论至少{min}名负责人参加（本部门规则配置；行政处罚法第五十七条第二款）")));
        }
        for (i, d) in req.dissent.iter().enumerate() {
            if !attendees.contains(&d.user_id) {
                return Err(AppError::rule_on_field(Code::NotAnAttendee, &format!("dissent[{i}].user_id"), "dissent is recorded for attendees"));
            }
        }
        let mut req = req;
        req.attendee_ids = attendees;
        let step = DiscussionStep {
            request: req,
            report_id: ctx.file.reports.last().map(|r| r.id.clone()),
            confirmations: vec![Confirmation { user_id: ctx.caller.user_id.clone(), at: rfc3339(ctx.now.naive_utc()), note: None }],
        };
        let detail = serde_json::json!({"attendees": step.request.attendee_ids, "conclusion": step.request.conclusion, "dissent": step.request.dissent});
        let mut act = Act::new("collective_discussion", to_value(&step), "case.collective_discussion", detail);
        // 集体讨论记录.
        let mut names = vec![];
        for a in &step.request.attendee_ids {
            names.push(crate::documents::display_name(ctx.conn, a)?);
        }
        let mut dissent = vec![];
        for d in &step.request.dissent {
            dissent.push(format!("{}：{}", crate::documents::display_name(ctx.conn, &d.user_id)?, d.opinion));
        }
        let extra = serde_json::json!({"discussion": {
            "held_on": crate::documents::chinese_date(china_date(step.request.held_at)),
            "attendees": names.join("、"), "conclusion": step.request.conclusion, "dissent": dissent.join("；"),
        }});
        issue_into(ctx, &iss, "discussion_record", None, extra, &mut act)?;
        Ok(act)
    })
    .await
}

/// An attendee confirms the discussion record with their own account.
pub async fn confirm_discussion(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    discussion_id: &str,
    note: Option<String>,
) -> AppResult<StepView> {
    let did = discussion_id.to_string();
    perform(
        state,
        caller,
        case_id,
        None,
        Guard::Change(scope::HEAD_ROLES),
        move |ctx| {
            let d = ctx
                .file
                .discussions
                .iter()
                .find(|d| d.id == did)
                .cloned()
                .ok_or_else(|| AppError::not_found("discussion not found"))?;
            if !d.body.request.attendee_ids.contains(&ctx.caller.user_id) {
                return Err(AppError::rule(
                    Code::NotAnAttendee,
                    "only an attendee confirms the discussion record",
                ));
            }
            if d.body
                .confirmations
                .iter()
                .any(|c| c.user_id == ctx.caller.user_id)
            {
                return Err(AppError::conflict("already confirmed"));
            }
            let mut body = d.body.clone();
            body.confirmations.push(Confirmation {
                user_id: ctx.caller.user_id.clone(),
                at: rfc3339(ctx.now.naive_utc()),
                note: note.clone(),
            });
            diesel::update(case_steps::table.find(&did))
                .set(case_steps::body.eq(json_text(&body)))
                .execute(ctx.conn)?;
            let detail = serde_json::json!({"discussion_id": did, "confirmed": body.confirmed()});
            Ok(Act {
                step: None,
                action: "case.collective_discussion_confirmed",
                detail,
                deadlines: vec![],
                statuses: vec![],
            })
        },
    )
    .await
}

/// 作出决定: the guards of `rules::check_decision`; a number from the
/// department's counter (or the pre-numbered form of the simplified
/// procedure); service due in 7 working days (Art 61).
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: DecisionRequest,
) -> AppResult<StepView> {
    let iss = crate::documents::issuer(state).await?;
    let errors = penalty_errors("penalties", &req.penalties);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    // Only a head decides; on the spot (simplified procedure) the officers
    // of the case do (Art 51–52). Which applies depends on the case, so the
    // role is checked inside against it.
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        let on_the_spot = ctx.case.procedure == Procedure::Simplified;
        if !scope::may_decide(ctx.caller, on_the_spot, ctx.case.investigators.contains(&ctx.caller.user_id)) {
            return Err(AppError::forbidden(
                "only a head of the agency decides (行政处罚法第五十七条); on the spot, the case's officers (第五十一条、第五十二条)",
            ));
        }
        ctx.moving_to(CaseStatus::Decided)?;
        let item = crate::items::find(ctx.conn, &ctx.case.item_code)?
            .ok_or_else(|| AppError::internal("the case's item is gone"))?;
        check_penalty_types(&item, &req.penalties)?;
        let fine = fine_of(&req.penalties);
        let fine_verdict = match judge(ctx.conn, &ctx.case.id, fine, req.deviation_reason.as_deref(), !on_the_spot) {
            Ok(v) => v.map(|(_, v)| Ok(v)),
            Err(e) => Some(Err(e)),
        };
        let (due, _) = ctx.decision_due();
        let basis = check_decision(DecisionFacts {
            procedure: ctx.case.procedure,
            party_kind: ctx.case.party_kind,
            file: &ctx.file,
            profile: &ctx.profile,
            today: ctx.today(),
            decision_due: due,
            request: &req,
            fine_verdict,
        })?;
        let kind = if on_the_spot {
            "on_the_spot_decision"
        } else if req.outcome == ProposedOutcome::Penalty {
            "penalty_decision"
        } else {
            "no_penalty_decision"
        };
        let template = crate::documents::load_template(&iss.templates, kind)?;
        let number = if on_the_spot {
            req.form_number.clone().unwrap_or_default().trim().to_string()
        } else {
            next_number(ctx, &template)?
        };
        let service_due = if on_the_spot { ctx.today() } else { rules::service_due(ctx.today(), ctx.cal) };
        let step = DecisionStep {
            request: req,
            number: number.clone(),
            fine_fen: fine,
            report_id: basis.report_id.clone(),
            legal_review_id: basis.legal_review_id.clone(),
            verdict: basis.verdict.map(|v| enum_str(&v)),
            service_due,
        };
        let detail = serde_json::json!({
            "number": number, "outcome": step.request.outcome, "penalties": step.request.penalties,
            "fine_fen": fine, "legal_review_id": basis.legal_review_id, "report_id": basis.report_id,
            "verdict": step.verdict, "deviation_reason": step.request.deviation_reason,
        });
        let mut act = Act::new("decision", to_value(&step), "case.decided", detail);
        // 行政处罚决定书 / 不予行政处罚决定书 / 当场行政处罚决定书.
        let findings = ctx
            .file
            .reports
            .last()
            .map(|r| r.body.request.findings.clone())
            .unwrap_or_default();
        let defence = if ctx.file.hearings.iter().any(|h| h.body.party_attended) {
            "应你（单位）要求，本机关依法举行了听证，并依据听证笔录作出本决定。"
        } else if ctx.file.statements.iter().any(|s| s.body.waived) {
            "你（单位）明确表示放弃陈述、申辩。"
        } else if !ctx.file.statements.is_empty() {
            "你（单位）提出了陈述、申辩意见，本机关已进行复核。"
        } else {
            "你（单位）在规定期限内未提出陈述、申辩。"
        };
        let notified_on = ctx
            .file
            .notices
            .last()
            .map(|n| crate::documents::chinese_date(china_date(n.body.request.served_at)));
        let discretion = discretion_text(ctx.conn, &ctx.case.id)?;
        let extra = serde_json::json!({
            "findings": findings,
            "penalties": crate::documents::penalties_context(&step.request.penalties),
            "has_fine": fine > 0,
            "discretion": discretion,
            "notified_on": notified_on,
            "defence": defence,
            "reason": step.request.reason.clone().unwrap_or_else(|| findings.clone()),
        });
        let doc = issue_template(ctx, &iss, &template, Some(number.clone()), extra, &mut act)?;
        if let Some(o) = act.step.as_mut().and_then(|s| s.1.as_object_mut()) {
            o.insert("document_id".into(), doc.id.into());
        }
        act.statuses.push(("decision", "met"));
        act.deadlines.push(("service", service_due, if on_the_spot {
            "《中华人民共和国行政处罚法》第五十二条：当场交付当事人".into()
        } else {
            "《中华人民共和国行政处罚法》第六十一条：决定书在宣告后当场交付当事人；当事人不在场的，七日（工作日）内送达".into()
        }));
        Ok(act)
    })
    .await
}

/// 送达 (Art 61): by a method the law allows, not before the decision, not
/// in the future; a fine is then due in 15 days (Art 67).
pub async fn serve(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: ServiceRequest,
) -> AppResult<StepView> {
    let iss = crate::documents::issuer(state).await?;
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        ctx.moving_to(CaseStatus::Served)?;
        let decision = ctx.file.decision().cloned().ok_or_else(|| AppError::rule(Code::TransitionNotAllowed, "only a decision is served (行政处罚法第六十一条)"))?;
        if req.document_id != decision.id {
            return Err(AppError::rule_on_field(Code::WrongDocument, "document_id", "document_id names the case's decision"));
        }
        if req.recipient.trim().is_empty() {
            return Err(AppError::validation(vec![crate::error::FieldError::new("recipient", "required", "who received the document (受送达人)")]));
        }
        check_supplied_time("served_at", req.served_at, Some((decision.at, "the decision")), ctx.now)?;
        check_service(&req)?;
        let effective = effective_service(req.method, china_date(req.served_at));
        let payment_due = (decision.body.fine_fen > 0).then(|| rules::payment_due(effective, ctx.cal));
        let step = ServiceStep { request: req, effective_on: effective, payment_due };
        let detail = serde_json::json!({"document_id": step.request.document_id, "method": step.request.method, "served_at": step.request.served_at, "effective_on": effective, "payment_due": payment_due});
        let mut act = Act::new("service", to_value(&step), "case.served", detail);
        // 送达回证.
        let decision_doc: Option<(String, String)> = crate::db::schema::documents::table
            .filter(crate::db::schema::documents::case_id.eq(&ctx.case.id))
            .filter(crate::db::schema::documents::number.eq(&decision.body.number))
            .select((crate::db::schema::documents::title, crate::db::schema::documents::number))
            .first(ctx.conn)
            .optional()?;
        let (title, number) = decision_doc.unwrap_or_else(|| ("行政处罚决定书".into(), decision.body.number.clone()));
        let method = match step.request.method {
            ServiceMethod::Direct => "直接送达",
            ServiceMethod::LeftAtResidence => "留置送达",
            ServiceMethod::Post => "邮寄送达",
            ServiceMethod::Electronic => "电子送达（当事人已同意并签订确认书）",
            ServiceMethod::PublicNotice => "公告送达（自公告发布之日起经过三十日视为送达）",
        };
        let on = crate::documents::chinese_date(china_date(step.request.served_at));
        let mut rows = vec![
            serde_json::json!(["受送达人", step.request.recipient]),
            serde_json::json!(["送达文书", format!("{title}（{number}）")]),
            serde_json::json!(["送达方式", method]),
            serde_json::json!(["送达时间", on]),
        ];
        if !step.request.witnesses.is_empty() {
            rows.push(serde_json::json!(["见证人", step.request.witnesses.join("、")]));
        }
        let extra = serde_json::json!({
            "served": {"title": title, "number": number, "method": method, "on": on, "recipient": step.request.recipient},
            "served_rows": rows,
        });
        issue_into(ctx, &iss, "service_receipt", None, extra, &mut act)?;
        act.statuses.push(("service", "met"));
        if let Some(d) = payment_due {
            act.deadlines.push(("payment", d, "《中华人民共和国行政处罚法》第六十七条第三款：自收到行政处罚决定书之日起十五日内缴纳罚款".into()));
        }
        Ok(act)
    })
    .await
}

/// What a case owes on `on` (None: its decision has no fine or is not served).
pub fn owed_on(file: &CaseFile, on: NaiveDate) -> Option<Owed> {
    // A revoked decision (or one confirmed unlawful) asks nothing more.
    if file.remedies.iter().any(|r| r.body.annulled()) {
        return None;
    }
    let decision = file.decision()?;
    let service = file.service()?;
    let due = service.body.payment_due?;
    let payments: Vec<(NaiveDate, i64)> = file
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
    Some(rules::owed(
        decision.body.fine_fen,
        due,
        &payments,
        on,
        &paused,
    ))
}

/// 缴纳 (Art 67): a payment after service, never more than is owed.
pub async fn pay(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: PaymentRequest,
) -> AppResult<StepView> {
    if req.amount_fen <= 0 {
        return Err(AppError::validation(vec![crate::error::FieldError::new(
            "amount_fen",
            "out_of_range",
            "a payment is positive",
        )]));
    }
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        let service = ctx.file.service().cloned().ok_or_else(|| AppError::rule(Code::DecisionNotServed, "payment follows the service of the decision (行政处罚法第六十七条)"))?;
        if ctx.case.status == CaseStatus::Served {
            ctx.moving_to(CaseStatus::Executing)?;
        }
        check_supplied_time("paid_at", req.paid_at, Some((service.body.request.served_at.naive_utc(), "the service of the decision")), ctx.now)?;
        let on = china_date(req.paid_at);
        let before = owed_on(&ctx.file, on).ok_or_else(|| AppError::rule(Code::NoFineToPay, "the decision imposes no fine"))?;
        if req.amount_fen > before.outstanding_fen {
            return Err(AppError::rule_on_field(Code::Overpayment, "amount_fen", format!("截至{on}应缴{}", crate::discretion::model::yuan_text(before.outstanding_fen))));
        }
        if let Some(g) = req.on_the_spot {
            let fine = ctx.file.decision().map(|d| d.body.fine_fen).unwrap_or(0);
            check_on_the_spot(g, ctx.case.procedure, fine, req.receipt_number.as_deref())?;
        }
        let detail = serde_json::json!({"amount_fen": req.amount_fen, "paid_at": req.paid_at, "receipt_number": req.receipt_number, "on_the_spot": req.on_the_spot, "outstanding_before_fen": before.outstanding_fen});
        let mut act = Act::new("payment", to_value(&req), "case.payment", detail);
        if req.amount_fen == before.outstanding_fen {
            act.statuses.push(("payment", "met"));
        }
        if req.on_the_spot.is_some() {
            // Art 71: handed in to the agency within 2 (working) days.
            let due = ctx.cal.working_days_after(on, 2, &[]).date;
            act.deadlines.push(("hand_in", due, "《中华人民共和国行政处罚法》第七十一条：执法人员当场收缴的罚款，应当自收缴罚款之日起二日内交至行政机关".into()));
        }
        Ok(act)
    })
    .await
}

/// 暂缓、分期缴纳 (Art 66 ¶2): a head approves; no surcharge accrues
/// during the plan, and the last day to pay moves to its end.
pub async fn payment_plan(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: PaymentPlanRequest,
) -> AppResult<StepView> {
    perform(state, caller, case_id, if_match, Guard::Approved(ApprovalKind::PaymentPlan), move |ctx| {
        if !matches!(ctx.case.status, CaseStatus::Served | CaseStatus::Executing) {
            return Err(AppError::rule(Code::DecisionNotServed, "a payment plan follows the service of a fine (行政处罚法第六十六条)"));
        }
        let service = ctx.file.service().cloned().ok_or_else(|| AppError::rule(Code::DecisionNotServed, "the decision has not been served"))?;
        check_supplied_time("applied_at", req.applied_at, Some((service.body.request.served_at.naive_utc(), "the service of the decision")), ctx.now)?;
        let today = ctx.today();
        let owed = owed_on(&ctx.file, today).ok_or_else(|| AppError::rule(Code::NoFineToPay, "the decision imposes no fine"))?;
        let ends_on = check_payment_plan(&req, &owed, today)?;
        // Days already late before the approval still count.
        let paused_from = (owed.due_on + chrono::Duration::days(1)).max(today);
        let step = PaymentPlanStep { request: req, paused_from, ends_on };
        let detail = serde_json::json!({"kind": step.request.kind, "ends_on": ends_on, "instalments": step.request.instalments, "reason": step.request.reason});
        let mut act = Act::new("payment_plan", to_value(&step), "case.payment_plan_approved", detail);
        act.deadlines.push(("payment", ends_on, "《中华人民共和国行政处罚法》第六十六条第二款：经批准暂缓或者分期缴纳罚款".into()));
        Ok(act)
    })
    .await
}

/// 催告 (Compulsion Law Art 35, 54): once the fine is overdue, a written
/// demand (罚款催告书) with the amount owed and 10 working days to pay; the
/// court may be asked after that.
pub async fn enforcement_demand(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: DemandRequest,
) -> AppResult<StepView> {
    let iss = crate::documents::issuer(state).await?;
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        if !matches!(ctx.case.status, CaseStatus::Served | CaseStatus::Executing) {
            return Err(AppError::new(Code::TransitionNotAllowed, "a demand follows a served decision that is not yet performed (行政强制法第五十四条)"));
        }
        let today = ctx.today();
        let owed = owed_on(&ctx.file, today).ok_or_else(|| AppError::rule(Code::NoFineToPay, "the decision imposes no fine"))?;
        if today <= owed.due_on {
            return Err(AppError::rule(Code::DeadlineNotReached, format!("缴纳罚款的期限至{}届满，期满不履行的方可催告（《中华人民共和国行政强制法》第五十四条）", owed.due_on)));
        }
        if owed.outstanding_fen == 0 {
            return Err(AppError::rule(Code::NoFineToPay, "the fine and the surcharge are paid"));
        }
        let decision = ctx.file.decision().cloned().ok_or_else(|| AppError::internal("served without a decision"))?;
        let service = ctx.file.service().cloned().ok_or_else(|| AppError::internal("served without service"))?;
        check_supplied_time("served_at", req.served_at, Some((decision.at, "the decision")), ctx.now)?;
        if req.method == ServiceMethod::Electronic {
            return Err(AppError::rule_on_field(Code::ServiceMethodNotAllowed, "method", "电子送达须经当事人同意并签订确认书（行政处罚法第六十一条第二款）；催告书请以其他方式送达"));
        }
        let end = demand_period_end(china_date(req.served_at), ctx.cal);
        let words = |f: i64| format!("{}（{}）", crate::documents::rules::amount_in_words(f), crate::documents::rules::amount_in_figures(f));
        let detail = serde_json::json!({"served_at": req.served_at, "outstanding_fen": owed.outstanding_fen, "late_fee_fen": owed.late_fee_fen, "court_after": end});
        let mut act = Act::new("enforcement_demand", to_value(&req), "case.enforcement_demanded", detail);
        act.deadlines.push(("enforcement_demand", end, "《中华人民共和国行政强制法》第五十四条、第六十九条：催告书送达十日（工作日）后当事人仍未履行的，可以申请人民法院强制执行".into()));
        let extra = serde_json::json!({"demand": {
            "decision": format!("行政处罚决定书（{}）", decision.body.number),
            "decided_on": crate::documents::chinese_date(china_date(decision.at.and_utc())),
            "served_on": crate::documents::chinese_date(service.body.effective_on),
            "fine": words(owed.fine_fen),
            "late_from": crate::documents::chinese_date(owed.due_on + chrono::Duration::days(1)),
            "as_of": crate::documents::chinese_date(today),
            "late_fee": words(owed.late_fee_fen),
            "has_late_fee": owed.late_fee_fen > 0,
            "total": words(owed.outstanding_fen),
            "due": crate::documents::chinese_date(end),
        }});
        issue_into(ctx, &iss, "payment_demand", None, extra, &mut act)?;
        Ok(act)
    })
    .await
}

/// 复议、诉讼 recorded against the decision: while pending the surcharge
/// stops (Art 73 ¶3).
pub async fn remedy(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: RemedyRequest,
) -> AppResult<StepView> {
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        if !matches!(ctx.case.status, CaseStatus::Served | CaseStatus::Executing) {
            return Err(AppError::new(Code::TransitionNotAllowed, "a remedy is sought against a served decision"));
        }
        let service = ctx.file.service().cloned().ok_or_else(|| AppError::internal("served without service"))?;
        check_supplied_time("filed_at", req.filed_at, Some((service.body.request.served_at.naive_utc(), "the service of the decision")), ctx.now)?;
        if req.organ.trim().is_empty() {
            return Err(AppError::validation(vec![crate::error::FieldError::new("organ", "required", "the reconsideration organ or the court")]));
        }
        if ctx.file.remedies.iter().any(|r| r.body.outcome.is_none()) {
            return Err(AppError::conflict("a remedy against this decision is pending"));
        }
        let step = RemedyStep { request: req, outcome: None };
        let detail = serde_json::json!({"kind": step.request.kind, "filed_at": step.request.filed_at, "organ": step.request.organ});
        Ok(Act::new("remedy", to_value(&step), "case.remedy_filed", detail))
    })
    .await
}

/// The result of a remedy; a revoked decision asks nothing more and its
/// published information is withdrawn within 3 days (Art 48 ¶2).
pub async fn remedy_result(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    remedy_id: &str,
    req: RemedyResultRequest,
) -> AppResult<StepView> {
    let rid = remedy_id.to_string();
    perform(state, caller, case_id, None, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        let r = ctx.file.remedies.iter().find(|r| r.id == rid).cloned().ok_or_else(|| AppError::not_found("remedy not found"))?;
        if r.body.outcome.is_some() {
            return Err(AppError::conflict("the remedy's result is recorded already"));
        }
        check_supplied_time("decided_at", req.decided_at, Some((r.body.request.filed_at.naive_utc(), "filed_at")), ctx.now)?;
        let mut body = r.body.clone();
        body.outcome = Some(req.clone());
        diesel::update(case_steps::table.find(&rid))
            .set(case_steps::body.eq(json_text(&body)))
            .execute(ctx.conn)?;
        let detail = serde_json::json!({"remedy_id": rid, "result": req.result, "decided_at": req.decided_at});
        let mut act = Act { step: None, action: "case.remedy_decided", detail, deadlines: vec![], statuses: vec![] };
        if body.annulled() {
            let due = ctx.cal.working_days_after(china_date(req.decided_at), 3, &[]).date;
            act.deadlines.push(("disclosure_withdrawal", due, "《中华人民共和国行政处罚法》第四十八条第二款：行政处罚决定被撤销、确认违法的，应当在三日内撤回行政处罚决定信息并公开说明理由".into()));
            act.statuses.push(("payment", "cancelled"));
            act.statuses.push(("enforcement_demand", "cancelled"));
        }
        Ok(act)
    })
    .await
}

/// The officers who would act on the case, checked as intake checks them
/// (APL Art 42: two qualified officers of the department, on today).
fn qualified(
    ctx: &mut Ctx,
    officer_ids: &[String],
    field: &str,
) -> AppResult<Vec<(String, String)>> {
    let dept = crate::org::find_department(ctx.conn, &ctx.case.department_id)?
        .ok_or_else(|| AppError::internal("case department missing"))?;
    let item = crate::items::find(ctx.conn, &ctx.case.item_code)?
        .ok_or_else(|| AppError::internal("the case's item is gone"))?;
    let people = crate::org::officer_facts(ctx.conn, officer_ids)?;
    crate::cases::rules::two_qualified_officers(
        officer_ids,
        &people,
        &dept.department.id,
        &dept.path,
        &item.domain,
        ctx.today(),
        field,
    )
}

fn recused_on(conn: &mut DbConn, case_id: &str) -> AppResult<Vec<String>> {
    Ok(case_officers::table
        .filter(case_officers::case_id.eq(case_id))
        .filter(case_officers::role.eq("recused"))
        .select(case_officers::user_id)
        .load(conn)?)
}

/// 承办人变更: a head gives the case to other officers of the department,
/// valid for it today; an officer withdrawn from it (回避) never returns.
pub async fn reassign(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: ReassignRequest,
) -> AppResult<StepView> {
    perform(state, caller, case_id, if_match, Guard::Approved(ApprovalKind::Reassignment), move |ctx| {
        if req.reason.trim().is_empty() {
            return Err(AppError::validation(vec![crate::error::FieldError::new("reason", "required", "why the officers change")]));
        }
        let recused = recused_on(ctx.conn, &ctx.case.id)?;
        if let Some(i) = req.officer_ids.iter().position(|o| recused.contains(o)) {
            return Err(AppError::rule_on_field(Code::OfficerRecused, &format!("officer_ids[{i}]"), "该执法人员已回避，不得再承办本案（行政处罚法第四十三条）"));
        }
        let certs = qualified(ctx, &req.officer_ids, "officer_ids")?;
        let at = crate::db::micros(ctx.now.naive_utc());
        diesel::delete(case_officers::table.filter(case_officers::case_id.eq(&ctx.case.id)).filter(case_officers::role.eq("officer")))
            .execute(ctx.conn)?;
        for (u, c) in &certs {
            crate::cases::store::insert_officer(ctx.conn, &ctx.case.id, u, "officer", Some(c), at)?;
        }
        let detail = serde_json::json!({"from": ctx.case.investigators, "to": certs.iter().map(|(u, c)| serde_json::json!({"user_id": u, "certificate_number": c})).collect::<Vec<_>>(), "reason": req.reason.trim()});
        Ok(Act::new("reassignment", to_value(&req), "case.officers_changed", detail))
    })
    .await
}

/// 回避 (APL Art 43): a head decides on an officer's or the party's request;
/// the investigation goes on meanwhile. A withdrawn officer loses all
/// access to the case, and at least two valid officers must remain.
pub async fn recuse(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: RecusalRequest,
) -> AppResult<StepView> {
    perform(state, caller, case_id, if_match, Guard::Approved(ApprovalKind::Recusal), move |ctx| {
        if req.reason.trim().is_empty() {
            return Err(AppError::validation(vec![crate::error::FieldError::new("reason", "required", "the ground of the recusal")]));
        }
        if !ctx.case.investigators.contains(&req.officer_id) {
            return Err(AppError::rule_on_field(Code::OfficerUnknown, "officer_id", "not an officer of this case"));
        }
        if req.approved {
            let remaining: Vec<String> = ctx.case.investigators.iter().filter(|o| **o != req.officer_id).cloned().collect();
            qualified(ctx, &remaining, "officer_id").map_err(|e| {
                if e.code == Code::TooFewOfficers {
                    AppError::rule_on_field(Code::TooFewOfficers, "officer_id", "回避后本案执法人员不足两人，请先变更承办人（行政处罚法第四十二条、第四十三条）")
                } else {
                    e
                }
            })?;
            diesel::update(case_officers::table.find((&ctx.case.id, &req.officer_id)))
                .set(case_officers::role.eq("recused"))
                .execute(ctx.conn)?;
        }
        let detail = serde_json::json!({"officer_id": req.officer_id, "source": req.source, "reason": req.reason.trim(), "approved": req.approved});
        Ok(Act::new("recusal", to_value(&req), "case.recusal_decided", detail))
    })
    .await
}

/// 不计入办案期限的期间: testing, appraisal, public notice, expert review;
/// the decision day moves on by their days.
pub async fn exclusion(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: ExclusionRequest,
) -> AppResult<StepView> {
    perform(state, caller, case_id, if_match, Guard::Change(scope::INVESTIGATING_ROLES), move |ctx| {
        check_before_decision(ctx.case.status)?;
        if req.reason.trim().is_empty() {
            return Err(AppError::validation(vec![crate::error::FieldError::new("reason", "required", "what was tested, appraised or published")]));
        }
        let existing: Vec<ExclusionRequest> = ctx.file.exclusions.iter().map(|e| e.body.clone()).collect();
        check_exclusion(&req, china_date(ctx.case.filed_at.and_utc()), ctx.today(), &existing, ctx.profile.exclusion_max_days)?;
        ctx.file.exclusions.push(ctx.as_taken(req.clone()));
        let (due, basis) = ctx.decision_due();
        let detail = serde_json::json!({"kind": req.kind, "from": req.from, "to": req.to, "reason": req.reason.trim(), "decision_due": due});
        let mut act = Act::new("exclusion", to_value(&req), "case.period_excluded", detail);
        act.deadlines.push(("decision", due, basis));
        Ok(act)
    })
    .await
}

/// 申请人民法院强制执行 (Compulsion Law Art 53–54): after the demand's 10
/// working days, after the remedy periods, within 3 months.
pub async fn court_enforcement(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: CourtEnforcementRequest,
) -> AppResult<StepView> {
    perform(state, caller, case_id, if_match, Guard::Approved(ApprovalKind::CourtEnforcement), move |ctx| {
        if !matches!(ctx.case.status, CaseStatus::Served | CaseStatus::Executing) {
            return Err(AppError::new(Code::TransitionNotAllowed, "court enforcement follows a served decision that is not performed"));
        }
        check_supplied_time("applied_at", req.applied_at, Some((ctx.case.filed_at, "filing")), ctx.now)?;
        if req.court.trim().is_empty() {
            return Err(AppError::validation(vec![crate::error::FieldError::new("court", "required", "the people's court applied to")]));
        }
        let owed = owed_on(&ctx.file, ctx.today()).ok_or_else(|| AppError::rule(Code::NoFineToPay, "nothing is owed"))?;
        if owed.outstanding_fen == 0 {
            return Err(AppError::rule(Code::NoFineToPay, "the fine and the surcharge are paid"));
        }
        let demand_ends = ctx.file.demands.last().map(|d| demand_period_end(china_date(d.body.served_at), ctx.cal));
        check_court_enforcement(&ctx.file, china_date(req.applied_at), demand_ends)?;
        let detail = serde_json::json!({"applied_at": req.applied_at, "court": req.court.trim(), "accepted": req.accepted, "outstanding_fen": owed.outstanding_fen});
        let mut act = Act::new("court_enforcement", to_value(&req), "case.court_enforcement", detail);
        act.statuses.push(("enforcement_demand", "met"));
        Ok(act)
    })
    .await
}

/// The money collected on the spot reached the agency (Art 71).
pub async fn hand_in(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: HandInRequest,
) -> AppResult<StepView> {
    perform(
        state,
        caller,
        case_id,
        if_match,
        Guard::Change(scope::INVESTIGATING_ROLES),
        move |ctx| {
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
                req.handed_in_at,
                Some((collected.body.paid_at.naive_utc(), "the collection")),
                ctx.now,
            )?;
            let detail =
                serde_json::json!({"payment_id": collected.id, "handed_in_at": req.handed_in_at});
            let mut act = Act::new(
                "hand_in",
                to_value(&req),
                "case.collection_handed_in",
                detail,
            );
            act.statuses.push(("hand_in", "met"));
            Ok(act)
        },
    )
    .await
}

/// `GET /cases/{id}/late-fee?on=`.
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
            let file = load_file(conn, &scope_.case_id)?;
            owed_on(&file, on).ok_or_else(|| {
                AppError::rule(
                    Code::NoFineToPay,
                    "no fine is due: the decision imposes none or is not served",
                )
            })
        })
        .await
}

/// 结案 — a head closes a case whose decision is performed (or imposes no
/// fine and was served).
pub async fn close(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: ReasonRequest,
) -> AppResult<StepView> {
    let iss = crate::documents::issuer(state).await?;
    perform(
        state,
        caller,
        case_id,
        if_match,
        Guard::Approved(ApprovalKind::Closure),
        move |ctx| {
            ctx.moving_to(CaseStatus::Closed)?;
            let owed = owed_on(&ctx.file, ctx.today());
            check_closure(&ctx.file, owed.as_ref())?;
            crate::property::rules::check_settled(&crate::property::held_items(ctx.conn, &ctx.case.id)?)?;
            let detail = serde_json::json!({"reason": req.reason, "paid_fen": ctx.file.paid_fen()});
            let mut act = Act::new("closure", to_value(&req), "case.closed", detail);
            // 结案审批表.
            let decision = ctx.file.decision().cloned().ok_or_else(|| AppError::internal("closed without decision"))?;
            let penalties = crate::documents::penalties_context(&decision.body.request.penalties);
            let decided = format!(
                "{}：{}",
                decision.body.number,
                penalties["text"].as_str().filter(|t| !t.is_empty()).unwrap_or("不予行政处罚")
            );
            let performance = match &owed {
                Some(o) => format!(
                    "已缴纳罚款{}、加处罚款{}",
                    crate::documents::rules::amount_in_figures(o.fine_fen),
                    crate::documents::rules::amount_in_figures(o.late_fee_fen)
                ),
                None => "处理决定已送达当事人".into(),
            };
            let extra = serde_json::json!({"closure": {"decision": decided, "performance": performance, "reason": req.reason}});
            issue_into(ctx, &iss, "closure_approval", None, extra, &mut act)?;
            Ok(act)
        },
    )
    .await
}

/// 归档 — the file is final: every later write is refused (409). The one
/// step taken on a closed, terminated or transferred file.
pub async fn archive(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
) -> AppResult<StepView> {
    run_step(
        state,
        caller,
        case_id,
        if_match,
        Guard::Change(scope::HEAD_ROLES),
        true,
        |ctx| {
            ctx.moving_to(CaseStatus::Archived)?;
            Ok(Act::new(
                "archive",
                serde_json::json!({}),
                "case.archived",
                serde_json::json!({}),
            ))
        },
    )
    .await
}

/// 立案审批 — a head approves the filing of a case filed directly by its
/// officers (APL Art 54 ¶2), deciding the approval asked at filing or
/// acting directly; the investigation closes only on an approved filing.
pub async fn approve_filing(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: FilingApprovalRequest,
) -> AppResult<StepView> {
    perform(
        state,
        caller,
        case_id,
        if_match,
        Guard::Approved(ApprovalKind::Filing),
        move |ctx| {
            // A report needs an approved filing, so a reported case is refused here too.
            crate::approvals::rules::check_filing_to_approve(crate::approvals::filing_status(
                ctx.conn,
                &ctx.case.id,
            )?)?;
            let detail =
                serde_json::json!({"title": ApprovalKind::Filing.label(), "facts": req.facts});
            Ok(Act::new(
                "filing_approval",
                to_value(&req),
                "case.filing_approved",
                detail,
            ))
        },
    )
    .await
}

/// 中止 — a head suspends the case; its clock stops until resumption.
pub async fn suspend(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: ReasonRequest,
) -> AppResult<StepView> {
    perform(
        state,
        caller,
        case_id,
        if_match,
        Guard::Approved(ApprovalKind::Suspension),
        move |ctx| {
            let from = ctx.case.status;
            ctx.moving_to(CaseStatus::Suspended)?;
            if req.reason.trim().is_empty() {
                return Err(AppError::validation(vec![crate::error::FieldError::new(
                    "reason",
                    "required",
                    "why the case is suspended",
                )]));
            }
            let step = SuspensionStep {
                reason: req.reason,
                resumes_to: from,
                from: ctx.today(),
            };
            let detail = serde_json::json!({"reason": step.reason, "resumes_to": from});
            let mut act = Act::new("suspension", to_value(&step), "case.suspended", detail);
            act.statuses.push(("decision", "paused"));
            Ok(act)
        },
    )
    .await
}

/// 恢复 — back to the state it was suspended in; the decision day moves on
/// by the suspended days.
pub async fn resume(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: ReasonRequest,
) -> AppResult<StepView> {
    perform(
        state,
        caller,
        case_id,
        if_match,
        Guard::Approved(ApprovalKind::Resumption),
        move |ctx| {
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
            ctx.to = Some(s.body.resumes_to);
            let taken = ctx.as_taken(req.clone());
            ctx.file.resumptions.push(taken);
            let (due, basis) = ctx.decision_due();
            let detail = serde_json::json!({"reason": req.reason, "decision_due": due});
            let mut act = Act::new("resumption", to_value(&req), "case.resumed", detail);
            act.deadlines.push(("decision", due, basis));
            Ok(act)
        },
    )
    .await
}

/// 终止 — a head ends the case (death of the party, dissolution, …).
pub async fn terminate(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: ReasonRequest,
) -> AppResult<StepView> {
    perform(
        state,
        caller,
        case_id,
        if_match,
        Guard::Approved(ApprovalKind::Termination),
        move |ctx| {
            ctx.moving_to(CaseStatus::Terminated)?;
            if req.reason.trim().is_empty() {
                return Err(AppError::validation(vec![crate::error::FieldError::new(
                    "reason",
                    "required",
                    "why the case ends",
                )]));
            }
            let returned = crate::property::settle_on_exit(ctx, false)?;
            let detail = serde_json::json!({"reason": req.reason, "property_returned": returned});
            let mut act = Act::new("termination", to_value(&req), "case.terminated", detail);
            for k in [
                "decision",
                "statement",
                "hearing_request",
                "legal_review",
                "service",
                "payment",
            ] {
                act.statuses.push((k, "cancelled"));
            }
            Ok(act)
        },
    )
    .await
}

/// 延长办案期限 (Art 60): a head extends before the period runs out; the
/// first extension is at most the profile's days, a further one follows a
/// collective discussion held after the previous extension.
pub async fn extend(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    req: ExtensionRequest,
) -> AppResult<StepView> {
    perform(state, caller, case_id, if_match, Guard::Approved(ApprovalKind::Extension), move |ctx| {
        if matches!(ctx.case.status, CaseStatus::Decided | CaseStatus::Served | CaseStatus::Executing | CaseStatus::Suspended) {
            return Err(AppError::rule(Code::ExtensionNotAllowed, "only a case not yet decided has a decision period to extend"));
        }
        if req.reason.trim().is_empty() || req.days == 0 {
            return Err(AppError::validation(vec![crate::error::FieldError::new("days", "required", "1 or more days, with a reason")]));
        }
        let (due, _) = ctx.decision_due();
        if ctx.today() > due {
            return Err(AppError::rule(Code::DecisionPeriodExpired, format!("办案期限已于{due}届满，不能再延长（行政处罚法第六十条）")));
        }
        check_extension(&ctx.file, &req, &ctx.profile)?;
        ctx.file.extensions.push(ctx.as_taken(req.clone()));
        let (new_due, basis) = ctx.decision_due();
        let detail = serde_json::json!({"days": req.days, "reason": req.reason, "decision_due": new_due});
        let mut act = Act::new("extension", to_value(&req), "case.extended", detail);
        act.deadlines.push(("decision", new_due, basis));
        Ok(act)
    })
    .await
}

// ------------------------------------------------------------ reading

/// Every step of a case, oldest first.
pub async fn steps(state: &AppState, caller: &Caller, case_id: &str) -> AppResult<Vec<StepView>> {
    let scope_ =
        crate::cases::readable_case(state, caller, case_id, crate::cases::Access::ReadCase).await?;
    state
        .db
        .run(move |conn| {
            let (status, version): (String, i32) = cases::table
                .find(&scope_.case_id)
                .select((cases::status, cases::version))
                .first(conn)?;
            let status = enum_parse(&status).unwrap_or(CaseStatus::Filed);
            let rows: Vec<(String, String, String, NaiveDateTime)> = case_steps::table
                .filter(case_steps::case_id.eq(&scope_.case_id))
                .order((case_steps::at.asc(), case_steps::id.asc()))
                .select((
                    case_steps::id,
                    case_steps::kind,
                    case_steps::body,
                    case_steps::at,
                ))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(id, kind, body, at)| StepView {
                    id,
                    case_id: scope_.case_id.clone(),
                    kind,
                    case_status: status,
                    case_version: version,
                    at: rfc3339(at),
                    body: serde_json::from_str(&body).unwrap_or_default(),
                })
                .collect())
        })
        .await
}

type ReviewRow = (
    (String, String, String, String, String, String, String),
    (
        String,
        NaiveDateTime,
        NaiveDate,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<NaiveDateTime>,
    ),
);

fn review_from(row: ReviewRow, case_no: String) -> AppResult<Review> {
    let (
        (id, case_id, department_id, status, report_id, proposal, reasons),
        (submitted_by, submitted_at, due_on, reviewer_id, checklist, opinion, decided_at),
    ) = row;
    Ok(Review {
        id,
        case_id,
        case_no,
        department_id,
        status: enum_parse(&status).unwrap_or(ReviewStatus::Pending),
        report_id,
        proposal: serde_json::from_str(&proposal).unwrap_or_default(),
        reasons: serde_json::from_str(&reasons).unwrap_or_default(),
        submitted_by,
        submitted_at: rfc3339(submitted_at),
        due_on,
        reviewer_id,
        checklist: checklist.and_then(|c| serde_json::from_str(&c).ok()),
        opinion,
        decided_at: decided_at.map(rfc3339),
        diff: vec![],
    })
}

macro_rules! review_columns {
    () => {
        (
            (
                legal_reviews::id,
                legal_reviews::case_id,
                legal_reviews::department_id,
                legal_reviews::status,
                legal_reviews::report_id,
                legal_reviews::proposal,
                legal_reviews::reasons,
            ),
            (
                legal_reviews::submitted_by,
                legal_reviews::submitted_at,
                legal_reviews::due_on,
                legal_reviews::reviewer_id,
                legal_reviews::checklist,
                legal_reviews::opinion,
                legal_reviews::decided_at,
            ),
        )
    };
}

/// The reviewer's queue: reviews of the departments they serve (their own
/// and those below it), oldest first; a head sees their department's.
pub async fn queue(
    state: &AppState,
    caller: &Caller,
    status: Option<ReviewStatus>,
) -> AppResult<Vec<Review>> {
    caller.require_any(scope::REVIEW_QUEUE_ROLES)?;
    let path = caller.department_path.clone();
    let dept = caller.department_id.clone();
    let reviewer = caller.has(Role::LegalReviewer);
    state
        .db
        .run(move |conn| {
            let mut q = legal_reviews::table
                .inner_join(cases::table.inner_join(departments::table))
                .select((review_columns!(), cases::case_no))
                .order((legal_reviews::submitted_at.asc(), legal_reviews::id.asc()))
                .limit(500)
                .into_boxed();
            q = if reviewer {
                q.filter(departments::path.like(format!("{path}%")))
            } else {
                q.filter(legal_reviews::department_id.eq(dept))
            };
            if let Some(s) = status {
                q = q.filter(legal_reviews::status.eq(enum_str(&s)));
            }
            let rows: Vec<(ReviewRow, String)> = q.load(conn)?;
            rows.into_iter().map(|(r, no)| review_from(r, no)).collect()
        })
        .await
}

/// One review with the diff of its proposal against the case's previous review.
pub async fn review(state: &AppState, caller: &Caller, review_id: &str) -> AppResult<Review> {
    caller.require_any(scope::REVIEW_QUEUE_ROLES)?;
    let case_id = review_case(state, review_id).await?;
    let scope_ =
        crate::cases::readable_case(state, caller, &case_id, crate::cases::Access::ReadCase)
            .await?;
    let rid = review_id.to_string();
    state
        .db
        .run(move |conn| {
            let rows: Vec<(ReviewRow, String)> = legal_reviews::table
                .inner_join(cases::table)
                .filter(legal_reviews::case_id.eq(&scope_.case_id))
                .order((legal_reviews::submitted_at.asc(), legal_reviews::id.asc()))
                .select((review_columns!(), cases::case_no))
                .load(conn)?;
            let mut all: Vec<Review> = rows
                .into_iter()
                .map(|(r, no)| review_from(r, no))
                .collect::<AppResult<_>>()?;
            let i = all
                .iter()
                .position(|r| r.id == rid)
                .ok_or_else(|| AppError::not_found("review not found"))?;
            let mut this = all.swap_remove(i);
            if i > 0 {
                let prev = &all[i - 1];
                this.diff = diff_json("", &prev.proposal, &this.proposal);
            }
            Ok(this)
        })
        .await
}

/// The changed leaves between two JSON values: `[{path, before, after}]`.
pub fn diff_json(
    path: &str,
    a: &serde_json::Value,
    b: &serde_json::Value,
) -> Vec<serde_json::Value> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .flat_map(|k| {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    diff_json(
                        &p,
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                    )
                })
                .collect()
        }
        _ if a == b => vec![],
        _ => vec![serde_json::json!({"path": path, "before": a, "after": b})],
    }
}

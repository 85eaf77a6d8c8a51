//! `cases::change` — the one way to change a case.
//!
//! Every change, whatever capability it belongs to, runs the same way:
//!
//! 1. The caller's role, before any database work (403).
//! 2. One write transaction that first takes the case's row lock and reads
//!    it (`store::lock_case`: one `UPDATE … RETURNING` that also moves the
//!    version and the record's sequence on), then checks where the case sits
//!    against the caller (`auth::scope`: 404 / 403), that its file takes
//!    changes (`rules::check_open`) and the client's `If-Match` (412).
//! 3. The step's own law (`Step::take`): given the case, its file as its
//!    events tell it and the rule profile it was filed under, it refuses
//!    with the first rule that refuses, or says what happens: one
//!    `CaseEvent`, plus the deadlines it sets and meets and the documents it
//!    issues (`Ctx`).
//! 4. `commit`: the event's step row, the status, the deadlines, the
//!    documents, the approval it settles and the record entry derived from
//!    the event — in the same transaction. Only this module and `records`
//!    write the case row.
//!
//! A step that issues documents never renders them under a lock: its first
//! pass runs inside a savepoint that is rolled back, the numbers its
//! documents need are reserved (`documents::reserve`) and committed, the
//! PDFs are drawn with nothing locked, and the second pass takes the step
//! again on what is there now (the guards checked again) and issues the
//! drawn documents if they are still the ones it asks for. Numbers of a
//! step that then fails go to the void register.

use std::sync::Arc;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::Connection;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::events::{CaseEvent, Stored};
use super::file::CaseFile;
use super::rules::{check_open, check_transition, check_version, legally_meaningful, CaseStatus};
use super::store::{self, LockedCase};
use super::view::{DeadlineStatus, OfficerRole};
use crate::approvals::rules::ApprovalKind;
use crate::approvals::store::Approving;
use crate::auth::scope::{self, CaseScope};
use crate::auth::{Caller, Role};
use crate::calendar::Calendar;
use crate::clock::{china_date, rfc3339};
use crate::db::{enum_str, DbConn};
use crate::documents::{self, DocumentRef};
use crate::error::{AppError, AppResult, Code};
use crate::http::routes::{Routes, SchemaList};
use crate::http::{ApiJson, IfMatch};
use crate::kernel::CaseId;
use crate::profiles::Profile;
use crate::state::AppState;

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
    Approved(ApprovalKind),
    /// Officers and heads of a department the case was transferred to; the
    /// step checks the transfer itself.
    Receiver,
}

/// A step of the case workflow, taken with `POST /cases/{id}/<step>`: the
/// request type carries its route, its documentation, its guard and its
/// law, so the route is written once and every step runs the same pipeline.
/// Its shape (what the body must look like, 400) is derived on the type
/// (`validator::Validate`) and checked before anything is read.
pub trait Step:
    serde::de::DeserializeOwned + ToSchema + validator::Validate + Send + Sync + 'static
{
    /// The route under `/api/v1` (`/cases/{id}/notice`).
    const PATH: &'static str;
    /// The documentation: the first line is the summary.
    const DOC: &'static str;
    /// The capability's tag in the API document.
    const TAG: &'static str;
    /// A step that issues documents is taken twice (see the module doc);
    /// saying so up front saves the other steps the savepoint.
    const ISSUES_DOCUMENTS: bool = false;
    /// The one step that may act on a closed, terminated or transferred
    /// file (its archive).
    const ON_FINAL_FILE: bool = false;

    /// Who may take it.
    fn guard(&self, caller: &Caller) -> Guard;

    /// The law: refuses with the first rule that refuses, or says what
    /// happens.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent>;
}

/// How a change runs (the pipeline's settings for one call).
#[derive(Debug, Clone)]
pub struct How {
    pub guard: Guard,
    pub if_match: Option<i32>,
    /// Set when a head's decision on an approval runs the act.
    pub approving: Option<Approving>,
    pub on_final_file: bool,
    pub issues_documents: bool,
}

impl How {
    pub fn guard(guard: Guard, if_match: Option<i32>) -> How {
        How {
            guard,
            if_match,
            approving: None,
            on_final_file: false,
            issues_documents: false,
        }
    }
}

/// The case as a change reads it, under its row lock.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: CaseId,
    pub case_no: String,
    pub status: CaseStatus,
    /// The version the change started from.
    pub version: i32,
    pub procedure: super::rules::Procedure,
    pub party_kind: crate::kernel::PartyKind,
    pub party_name: String,
    pub department_id: String,
    pub item_code: String,
    pub filed_at: chrono::NaiveDateTime,
    pub rule_profile_id: Option<String>,
    /// Officers attached at intake (or reassignment): the investigators (调查人员).
    pub investigators: Vec<String>,
    /// Everyone on the case.
    pub people: Vec<store::OnCase>,
    /// The record's sequence number this change's entry takes, and the head
    /// it follows.
    record_seq: i64,
    record_head: String,
}

impl CaseRow {
    pub fn filed_on(&self) -> NaiveDate {
        china_date(self.filed_at.and_utc())
    }
}

/// How a document of a step is numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Numbering {
    /// From the department's counter for the document's kind.
    Counter,
    /// Printed on a pre-numbered form (the simplified procedure, Art 52).
    Given(String),
}

/// A document a step asks for, as its first pass found it.
#[derive(Debug, Clone)]
pub struct Draft {
    pub template: Arc<documents::rules::Template>,
    pub extra: Value,
    pub numbering: Numbering,
    /// The whole context the template is filled from.
    pub context: Value,
}

/// A document drawn for a step between its two passes.
#[derive(Debug, Clone)]
pub struct Drawn {
    kind: String,
    extra: Value,
    numbering: Numbering,
    doc: DocumentRef,
    reservation: Option<String>,
    /// Characters drawn as placeholders (no face of the font chain had them).
    missing_glyphs: Vec<String>,
}

/// The documents of a pass: those drawn before it, in the order the step
/// issues them, and the one it asks for next.
#[derive(Default)]
struct Documents {
    drawn: Vec<Drawn>,
    used: usize,
    wanted: Option<Draft>,
}

/// What a step sees, and what it says happens besides its event.
pub struct Ctx<'a> {
    pub conn: &'a mut DbConn,
    pub case: CaseRow,
    pub file: CaseFile,
    pub profile: Profile,
    pub cal: &'a Calendar,
    pub now: DateTime<Utc>,
    pub caller: &'a Caller,
    pub approving: Option<&'a Approving>,
    /// Where the case sits (for checks on the people of the case).
    pub scope: CaseScope,
    from: CaseStatus,
    to: Option<CaseStatus>,
    deadlines: Vec<(String, NaiveDate, String)>,
    statuses: Vec<(String, DeadlineStatus)>,
    notes: serde_json::Map<String, Value>,
    also: Vec<CaseEvent>,
    documents: Documents,
    templates: &'a std::path::Path,
    stale: bool,
    /// A move `moving_to` let the step's legal guards judge first (a path
    /// the law speaks to from here): checked against the state machine
    /// once they have passed, before any document is drawn or anything
    /// written.
    unchecked_move: Option<CaseStatus>,
}

impl Ctx<'_> {
    pub fn today(&self) -> NaiveDate {
        china_date(self.now)
    }

    /// The status the case had when the step began.
    pub fn from(&self) -> CaseStatus {
        self.from
    }

    /// The step moves the case to `to`. A step that makes no sense at all
    /// where the case stands is refused here, first (409
    /// `transition_not_allowed`). Where the law speaks to the step from
    /// this state (`rules::legally_meaningful`: a decision while a hearing
    /// is pending, after a review was returned …), the step's own legal
    /// guards run first, so that the refusal names the rule and article
    /// that refuse; the path is checked after them (`check_path`).
    pub fn moving_to(&mut self, to: CaseStatus) -> AppResult<()> {
        if self.from == CaseStatus::Suspended && to != CaseStatus::Terminated {
            return Err(suspended_error());
        }
        let reported = !self.file.reports.is_empty();
        if legally_meaningful(self.case.procedure, self.case.status, to, reported) {
            self.unchecked_move = Some(to);
        } else {
            check_transition(self.case.procedure, self.case.status, to)?;
        }
        self.to = Some(to);
        Ok(())
    }

    /// What the approval form (审批表) of an act under a head's approval
    /// prints of it: the officers' opinion, the head's opinion, name and
    /// date (`approvals::store::form_context`). `reason`: the officers'
    /// opinion when the head acted without a request.
    pub fn approval_form_context(
        &mut self,
        kind: ApprovalKind,
        reason: Option<&str>,
    ) -> AppResult<Value> {
        let today = self.today();
        crate::approvals::store::form_context(
            self.conn,
            self.caller,
            self.approving,
            kind,
            &self.case.id,
            reason,
            today,
        )
    }

    /// The approval form of an act under a head's approval, issued at the
    /// decision, complete (REFERENCE §6.1: the head's approval, signature
    /// and date). The 立案审批表 issued at filing while the approval was
    /// pending is superseded by a completed one (both kept, numbered, in
    /// the chain); the 结案审批表 is the closure's own document; every other
    /// act gets its `approval_form` (延长办案期限审批表, 查封扣押审批表 …).
    fn approval_form(&mut self, guard: Guard, event: &CaseEvent) -> AppResult<()> {
        let Guard::Approved(kind) = guard else {
            return Ok(());
        };
        if kind == ApprovalKind::Closure {
            return Ok(());
        }
        let detail = event.detail();
        let reason = ["reason", "facts", "basis"]
            .iter()
            .find_map(|k| detail.get(*k).and_then(Value::as_str))
            .map(str::to_string);
        let form = self.approval_form_context(kind, reason.as_deref())?;
        if kind == ApprovalKind::Filing {
            let pending = documents::latest_number(self.conn, &self.case.id, "filing_approval")?;
            self.issue(
                "filing_approval",
                serde_json::json!({"approval": form, "supersedes": pending}),
                Numbering::Counter,
            )?;
        } else {
            self.issue(
                "approval_form",
                serde_json::json!({"approval": form}),
                Numbering::Counter,
            )?;
        }
        Ok(())
    }

    /// The state machine's word on a move whose legal guards have passed.
    fn check_path(&mut self) -> AppResult<()> {
        if let Some(to) = self.unchecked_move.take() {
            check_transition(self.case.procedure, self.case.status, to)?;
        }
        Ok(())
    }

    /// The step moves the case to `to` by a path its guards checked
    /// themselves (a report re-opening the investigation, a resumption).
    pub fn move_to(&mut self, to: CaseStatus) {
        self.to = Some(to);
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

    /// Sets (or resets) a deadline of the case, with its basis.
    pub fn set_deadline(
        &mut self,
        kind: impl Into<String>,
        due: NaiveDate,
        basis: impl Into<String>,
    ) {
        self.deadlines.push((kind.into(), due, basis.into()));
    }

    /// A deadline the step met (`met`), stopped (`paused`) or ended (`cancelled`).
    pub fn deadline_status(&mut self, kind: impl Into<String>, status: DeadlineStatus) {
        self.statuses.push((kind.into(), status));
    }

    /// What the record entry says beyond the event: figures the step
    /// computed on the way (the decision day, the amount outstanding …).
    pub fn note(&mut self, key: &str, value: impl Serialize) {
        self.notes.insert(
            key.to_string(),
            serde_json::to_value(value).unwrap_or_default(),
        );
    }

    /// A further step row the change writes before its own (an
    /// appraisal's result enters its days as an excluded period).
    pub fn also(&mut self, event: CaseEvent) {
        self.also.push(event);
    }

    /// The enforcement item of the case (from the rule-data snapshot's
    /// source, the database).
    pub fn item(&mut self) -> AppResult<crate::items::ItemData> {
        crate::items::find(self.conn, &self.case.item_code)?
            .ok_or_else(|| AppError::internal("the case's item is gone"))
    }

    /// Issues a document of `kind` filled from the case and `extra`, in the
    /// step's transaction; the record entry names it. A document not drawn
    /// yet stops the pass here (nothing of it is kept): its number is
    /// reserved and its PDF drawn with nothing locked, and the step is taken
    /// again, finding it drawn.
    pub fn issue(
        &mut self,
        kind: &str,
        extra: Value,
        numbering: Numbering,
    ) -> AppResult<DocumentRef> {
        // The guards before a document are the step's; the path too.
        self.check_path()?;
        let template = documents::template(self.templates, kind)?;
        let docs = &mut self.documents;
        let Some(d) = docs.drawn.get(docs.used) else {
            let today = china_date(self.now);
            let mut context = super::view::document_context(self.conn, &self.case.id, today)?;
            documents::merge(&mut context, extra.clone());
            self.documents.wanted = Some(Draft {
                template,
                extra,
                numbering,
                context,
            });
            return Err(AppError::conflict("documents to draw"));
        };
        if d.kind != template.kind || d.extra != extra || d.numbering != numbering {
            self.stale = true;
            return Err(AppError::conflict(
                "the case changed while its documents were drawn: retry",
            ));
        }
        docs.used += 1;
        // Issued now: what the step writes next may refer to it.
        documents::insert_issued(
            self.conn,
            &d.doc,
            &self.caller.user_id,
            d.reservation.as_deref(),
        )?;
        Ok(d.doc.clone())
    }
}

fn suspended_error() -> AppError {
    AppError::new(
        Code::TransitionNotAllowed,
        "the case is suspended (中止): it resumes (POST /resumption) or is terminated before any other step",
    )
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
    pub body: Value,
}

/// 201 with the step, its location and the case's new version as `ETag`.
pub fn answer(v: StepView) -> HttpResponse {
    crate::http::created_with_etag(
        format!("/api/v1/cases/{}/steps/{}", v.case_id, v.id),
        &v,
        v.case_version,
    )
}

/// The role half of a guard: checked before any database work.
fn check_role(caller: &Caller, guard: Guard) -> AppResult<()> {
    match guard {
        Guard::Review => caller.require_any(&[Role::LegalReviewer]),
        Guard::Receiver => caller.require_any(scope::INVESTIGATING_ROLES),
        Guard::Change(_) | Guard::Approved(_) => caller.require_any(scope::CASE_ROLES),
    }
}

/// The scope half of a guard, on the case as read: 404 when the caller may
/// not see it, 403 when they may see it but not take the step.
fn check_scope(caller: &Caller, scope_: &CaseScope, guard: Guard) -> AppResult<()> {
    let hidden = || AppError::not_found("case not found");
    match guard {
        Guard::Change(roles) => {
            if !scope::may_see_case(caller, scope_) {
                return Err(hidden());
            }
            if !scope::may_change_case(caller, scope_) {
                return Err(not_changeable());
            }
            caller.require_any(roles)
        }
        Guard::Approved(kind) => {
            if !scope::may_see_case(caller, scope_) {
                return Err(hidden());
            }
            if !scope::may_change_case(caller, scope_) {
                return Err(not_changeable());
            }
            if !caller.has(Role::Head) {
                return Err(AppError::forbidden(format!(
                    "{} is a head's act: ask for it with POST /api/v1/approvals {{\"kind\": \"{}\"}}",
                    kind.label(),
                    enum_str(&kind)
                )));
            }
            Ok(())
        }
        Guard::Review => {
            if scope::may_review_case(caller, scope_) {
                Ok(())
            } else {
                Err(hidden())
            }
        }
        Guard::Receiver => Ok(()),
    }
}

fn not_changeable() -> AppError {
    AppError::forbidden(
        "only officers and heads of the case's department (and auxiliaries attached to it) change a case",
    )
}

/// What one pass of a change ended with.
enum Pass<T> {
    Done(Box<Done<T>>),
    /// The step asks for documents: their drafts, the numbers reserved for
    /// them (committed) and the version of the case it saw.
    Drafts {
        drafts: Vec<(Draft, String, Option<String>)>,
        version: i32,
    },
    /// The drafts of a step that did not say it issues documents: nothing
    /// was kept; their numbers are reserved next, on their own.
    Unreserved(Vec<Draft>, i32, Box<Profile>),
    /// The drawn documents no longer fit the case.
    Stale,
}

struct Done<T> {
    view: StepView,
    out: T,
    file: Arc<(i32, CaseFile)>,
}

/// Why a pass stops without committing the step.
enum Halt {
    Law(AppError),
    Drafts(Vec<Draft>, i32, Box<Profile>),
    Stale,
}

impl From<diesel::result::Error> for Halt {
    fn from(e: diesel::result::Error) -> Halt {
        Halt::Law(e.into())
    }
}

impl From<AppError> for Halt {
    fn from(e: AppError) -> Halt {
        Halt::Law(e)
    }
}

/// What every pass of a change reads the same way.
#[derive(Clone)]
struct Inputs {
    caller: Caller,
    case_id: CaseId,
    how: How,
    cal: Arc<Calendar>,
    rule_data: Arc<crate::discretion::cache::Snapshot>,
    base: Option<Arc<(i32, CaseFile)>>,
    now: DateTime<Utc>,
    key: String,
    templates: std::path::PathBuf,
}

/// Runs one change: see the module documentation. `take` may run more
/// than once (a step that issues documents; a retry), so it is `Fn`.
pub async fn change<T, F>(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    how: How,
    take: F,
) -> AppResult<(StepView, T)>
where
    T: Send + 'static,
    F: Fn(&mut Ctx) -> AppResult<(CaseEvent, T)> + Send + Sync + 'static,
{
    check_role(caller, how.guard)?;
    let take = Arc::new(take);
    let mut inputs = Inputs {
        caller: caller.clone(),
        case_id: CaseId::from(case_id),
        how,
        cal: state.calendar.get(&state.db).await?,
        rule_data: state.discretion.get(&state.db).await?,
        base: state.case_histories.get(case_id),
        now: state.clock.now(),
        key: state.settings.record_key.clone(),
        templates: state.settings.fixtures().join("templates"),
    };
    let mut drawn: Option<(Vec<Drawn>, i32)> = None;
    // A pass per document a step issues, one more to commit, and two
    // retries when the case changes under a document being drawn.
    for _ in 0..6 {
        let (i, take, supply) = (inputs.clone(), take.clone(), drawn.clone());
        let pass = state
            .db
            .run(move |conn| run_pass(conn, &i, take.as_ref(), supply))
            .await;
        let pass = match pass {
            Ok(p) => p,
            Err(e) => {
                if let Some((d, _)) = drawn.take() {
                    void(state, &d, &e.detail).await;
                }
                return Err(e);
            }
        };
        match pass {
            Pass::Done(done) => {
                let Done { view, out, file } = *done;
                state.case_histories.put(case_id.to_string(), file);
                return Ok((view, out));
            }
            Pass::Stale => {
                if let Some((d, _)) = drawn.take() {
                    void(state, &d, "the case changed while its documents were drawn").await;
                }
                inputs.base = None;
            }
            Pass::Drafts { drafts, version } => {
                let more = draw(state, &inputs, drafts).await?;
                drawn = Some(with_drawn(drawn.take(), more, version));
            }
            Pass::Unreserved(drafts, version, profile) => {
                let i = inputs.clone();
                let drafts = state
                    .db
                    .write(move |conn| reserve(conn, &i, drafts, &profile))
                    .await?;
                let more = draw(state, &inputs, drafts).await?;
                drawn = Some(with_drawn(drawn.take(), more, version));
            }
        }
    }
    if let Some((d, _)) = drawn.take() {
        void(
            state,
            &d,
            "the case kept changing while its documents were drawn",
        )
        .await;
    }
    Err(AppError::conflict(
        "the case kept changing while this step was being taken: reload it and retry",
    ))
}

/// The documents drawn so far, and those just drawn (at the version the
/// first of them was drafted at).
fn with_drawn(
    so_far: Option<(Vec<Drawn>, i32)>,
    more: Vec<Drawn>,
    version: i32,
) -> (Vec<Drawn>, i32) {
    match so_far {
        Some((mut d, v)) => {
            d.extend(more);
            (d, v)
        }
        None => (more, version),
    }
}

/// Renders the drafts with nothing locked (their numbers were reserved
/// and committed); a document that cannot be drawn voids the numbers.
async fn draw(
    state: &AppState,
    inputs: &Inputs,
    drafts: Vec<(Draft, String, Option<String>)>,
) -> AppResult<Vec<Drawn>> {
    let reservations: Vec<String> = drafts.iter().filter_map(|d| d.2.clone()).collect();
    let issuer = match documents::issuer(&state.settings, &state.document_font).await {
        Ok(i) => i,
        Err(e) => {
            void_reserved(state, reservations, &e.detail).await;
            return Err(e);
        }
    };
    let case_id = inputs.case_id.clone();
    let today = china_date(inputs.now);
    let at = inputs.now.naive_utc();
    let drawn = web::block(move || {
        drafts
            .into_iter()
            .map(|(draft, number, reservation)| {
                let rendered = documents::render_document(
                    &issuer,
                    &case_id,
                    &draft.template,
                    &draft.context,
                    number,
                    today,
                )?;
                let doc = documents::store_blob(&issuer, &rendered, &case_id, at)?;
                Ok(Drawn {
                    missing_glyphs: rendered.missing_glyphs.clone(),
                    kind: draft.template.kind.clone(),
                    extra: draft.extra,
                    numbering: draft.numbering,
                    doc,
                    reservation,
                })
            })
            .collect::<AppResult<Vec<Drawn>>>()
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))
    .and_then(|r| r);
    if let Err(e) = &drawn {
        void_reserved(state, reservations, &e.detail).await;
    }
    drawn
}

async fn void(state: &AppState, drawn: &[Drawn], reason: &str) {
    void_reserved(
        state,
        drawn.iter().filter_map(|d| d.reservation.clone()).collect(),
        reason,
    )
    .await;
}

/// Best effort: a failure here is logged, and the sweep voids the
/// reservation later ("interrupted"); a number is never issued twice.
async fn void_reserved(state: &AppState, ids: Vec<String>, reason: &str) {
    if ids.is_empty() {
        return;
    }
    let reason: String = reason.chars().take(500).collect();
    let at = state.clock.now_naive();
    let done = state
        .db
        .write(move |conn| documents::void_reservations(conn, &ids, &reason, at))
        .await;
    if let Err(e) = done {
        tracing::error!(error = %e.detail, "could not void reserved numbers; the sweep will");
    }
}

/// One pass of a change, inside its own write transaction.
fn run_pass<T, F>(
    conn: &mut DbConn,
    i: &Inputs,
    take: &F,
    supply: Option<(Vec<Drawn>, i32)>,
) -> AppResult<Pass<T>>
where
    F: Fn(&mut Ctx) -> AppResult<(CaseEvent, T)>,
{
    let (drawn, version) = match supply {
        Some((d, v)) => (d, Some(v)),
        None => (vec![], None),
    };
    let result = crate::db::write_tx(conn, |conn| -> Result<Pass<T>, Halt> {
        // The first pass of a step that issues documents runs in a savepoint;
        // a later one has its documents drawn (one asking for more is taken
        // again after their numbers are reserved on their own).
        if !i.how.issues_documents || version.is_some() {
            return attempt(conn, i, take, drawn, version).map(|d| Pass::Done(Box::new(d)));
        }
        // A step that issues documents: a pass that stops at a document not
        // drawn yet is rolled back to the savepoint, and only the number
        // reserved for that document is committed.
        match conn.transaction(|conn| attempt(conn, i, take, drawn, version)) {
            Ok(d) => Ok(Pass::Done(Box::new(d))),
            Err(Halt::Drafts(drafts, version, profile)) => Ok(Pass::Drafts {
                drafts: reserve(conn, i, drafts, &profile)?,
                version,
            }),
            Err(other) => Err(other),
        }
    });
    match result {
        Ok(p) => Ok(p),
        Err(Halt::Law(e)) => Err(e),
        Err(Halt::Stale) => Ok(Pass::Stale),
        Err(Halt::Drafts(d, v, p)) => Ok(Pass::Unreserved(d, v, p)),
    }
}

/// Reserves the numbers the drafts need (committed with the pass).
fn reserve(
    conn: &mut DbConn,
    i: &Inputs,
    drafts: Vec<Draft>,
    profile: &Profile,
) -> AppResult<Vec<(Draft, String, Option<String>)>> {
    let today = china_date(i.now);
    let at = i.now.naive_utc();
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        match &d.numbering {
            Numbering::Given(n) => {
                let n = n.clone();
                out.push((d, n, None));
            }
            Numbering::Counter => {
                let (number, reservation) =
                    documents::reserve_for_case(conn, &i.case_id, profile, &d.template, today, at)?;
                out.push((d, number, Some(reservation)));
            }
        }
    }
    Ok(out)
}

/// Takes the step on the case as it is now and commits its event, or
/// halts: the law refused, it asks for documents not yet drawn, or the
/// drawn ones no longer fit.
fn attempt<T, F>(
    conn: &mut DbConn,
    i: &Inputs,
    take: &F,
    drawn: Vec<Drawn>,
    drawn_at: Option<i32>,
) -> Result<Done<T>, Halt>
where
    F: Fn(&mut Ctx) -> AppResult<(CaseEvent, T)>,
{
    let locked: LockedCase =
        store::lock_case(conn, &i.case_id)?.ok_or_else(|| AppError::not_found("case not found"))?;
    let people = store::people_on_case(conn, &i.case_id)?;
    let department_path = store::department_path(conn, &locked.department_id)?;
    let scope_ = CaseScope::new(
        locked.id.clone(),
        locked.department_id.clone(),
        department_path,
        people
            .iter()
            .map(|p| (p.user_id.clone(), p.role == OfficerRole::Recused)),
    );
    check_scope(&i.caller, &scope_, i.how.guard)?;
    let case = locked.into_row(people)?;
    // An archived file is final even for the step taken on a final file
    // (archiving it again is `case_closed`, not a path question).
    if !i.how.on_final_file || case.status == CaseStatus::Archived {
        check_open(case.status)?;
    }
    check_version(i.how.if_match, case.version)?;
    if drawn_at.is_some_and(|v| v != case.version) {
        return Err(Halt::Stale);
    }
    let base = match &i.base {
        Some(b) if b.0 == case.version => b.clone(),
        _ => Arc::new((case.version, super::file::load(conn, &case.id)?)),
    };
    let profile = match &case.rule_profile_id {
        None => Profile::default(),
        Some(id) => match i.rule_data.profiles.iter().find(|p| &p.id == id) {
            Some(p) => p.profile.clone(),
            None => crate::profiles::of_case(conn, Some(id))?,
        },
    };
    let from = case.status;
    let mut ctx = Ctx {
        conn,
        case,
        file: base.1.clone(),
        profile,
        cal: &i.cal,
        now: i.now,
        caller: &i.caller,
        approving: i.how.approving.as_ref(),
        scope: scope_,
        from,
        to: None,
        deadlines: vec![],
        statuses: vec![],
        notes: Default::default(),
        also: vec![],
        documents: Documents {
            drawn,
            used: 0,
            wanted: None,
        },
        templates: &i.templates,
        stale: false,
        unchecked_move: None,
    };
    let taken = take(&mut ctx)
        .and_then(|t| ctx.check_path().map(|_| t))
        .and_then(|t| ctx.approval_form(i.how.guard, &t.0).map(|_| t));
    if ctx.stale {
        return Err(Halt::Stale);
    }
    if let Some(d) = ctx.documents.wanted.take() {
        return Err(Halt::Drafts(
            vec![d],
            ctx.case.version,
            Box::new(ctx.profile.clone()),
        ));
    }
    let (event, out) = taken?;
    // A suspended case takes no step but its resumption or termination;
    // what only adds to its file (evidence, approvals asked) goes on.
    if ctx.from == CaseStatus::Suspended && ctx.to.is_none() && event.is_step() {
        return Err(Halt::Law(suspended_error()));
    }
    if ctx.documents.used != ctx.documents.drawn.len() {
        return Err(Halt::Stale);
    }
    Ok(commit(ctx, &base, event, out, i)?)
}

/// Writes what the step said happens, in the change's transaction.
fn commit<T>(
    ctx: Ctx,
    base: &Arc<(i32, CaseFile)>,
    event: CaseEvent,
    out: T,
    i: &Inputs,
) -> AppResult<Done<T>> {
    let Ctx {
        conn,
        case,
        from,
        to,
        deadlines,
        statuses,
        notes,
        also,
        documents: docs,
        caller,
        approving,
        ..
    } = ctx;
    let at = crate::db::micros(i.now.naive_utc());
    let mut file = base.1.clone();
    for extra in also {
        let id = uuid::Uuid::now_v7().to_string();
        store::insert_step(conn, &id, &case.id, &extra, &caller.user_id, at)?;
        file.apply(&Stored {
            id,
            at,
            actor_id: caller.user_id.clone(),
            body: extra,
        });
    }
    let step_id = uuid::Uuid::now_v7().to_string();
    let body = event.body();
    if event.is_step() {
        store::insert_step(conn, &step_id, &case.id, &event, &caller.user_id, at)?;
    }
    for (kind, due, basis) in &deadlines {
        store::set_deadline(conn, &case.id, kind, *due, basis, at)?;
    }
    store::set_deadline_statuses(conn, &case.id, &statuses)?;
    let issued: Vec<Value> = docs
        .drawn
        .iter()
        .map(|d| {
            let mut j = serde_json::json!({
                "document_id": d.doc.id, "kind": d.doc.kind, "number": d.doc.number, "sha256": d.doc.sha256,
            });
            if let Some(w) = documents::glyph_warning(&d.missing_glyphs) {
                j["warning"] = w;
            }
            j
        })
        .collect();
    let approval_id = match i.how.guard {
        Guard::Approved(kind) => Some(crate::approvals::store::settle(
            conn,
            caller,
            approving,
            kind,
            crate::approvals::store::Subject::Case(&case.id),
            &case.department_id,
            &body,
            ("step", &step_id),
            at,
        )?),
        _ => None,
    };
    let mut detail = event.detail();
    if let Some(o) = detail.as_object_mut() {
        o.extend(notes);
        if !issued.is_empty() {
            o.insert("documents".into(), issued.into());
        }
        if event.is_step() {
            o.insert("step_id".into(), step_id.clone().into());
        }
        if let Some(a) = approval_id {
            o.insert("approval_id".into(), a.into());
        }
        if let Some(to) = to {
            o.insert("from".into(), enum_str(&from).into());
            o.insert("to".into(), enum_str(&to).into());
        }
    }
    let certificate = case
        .people
        .iter()
        .find(|p| p.user_id == caller.user_id && p.role == OfficerRole::Officer)
        .and_then(|p| p.certificate_number.clone());
    let actor = super::actor_for(caller, certificate);
    let entry = crate::records::entry(
        i.key.as_bytes(),
        &case.id,
        case.record_seq,
        &case.record_head,
        &actor,
        event.action(),
        &detail,
        Some(&caller.request_id),
        at,
    )?;
    crate::records::insert(conn, &entry)?;
    store::settle_case(conn, &case.id, to, &entry.hash, at)?;
    let view = StepView {
        id: step_id.clone(),
        case_id: case.id.to_string(),
        kind: if event.is_step() {
            event.kind().to_string()
        } else {
            "state".to_string()
        },
        case_status: to.unwrap_or(from),
        case_version: case.version + 1,
        at: rfc3339(at),
        body: if event.is_step() { body } else { Value::Null },
    };
    file.apply(&Stored {
        id: step_id,
        at,
        actor_id: caller.user_id.clone(),
        body: event,
    });
    Ok(Done {
        view,
        out,
        file: Arc::new((case.version + 1, file)),
    })
}

/// Takes one step of type `S` (the generic handler, a head's approval, a
/// custom handler that built the step).
pub async fn take_step<S: Step>(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    if_match: Option<i32>,
    approving: Option<Approving>,
    step: S,
) -> AppResult<StepView> {
    // Shape first: a step built by a handler or run from an approval's
    // stored body is checked as `ApiJson` checks a body it parses.
    crate::error::check_shape(&step)?;
    let how = How {
        guard: step.guard(caller),
        if_match,
        approving,
        on_final_file: S::ON_FINAL_FILE,
        issues_documents: S::ISSUES_DOCUMENTS,
    };
    let (view, ()) = change(state, caller, case_id, how, move |ctx| {
        step.take(ctx).map(|e| (e, ()))
    })
    .await?;
    Ok(view)
}

/// `POST /cases/{id}/<step>`: the one handler of every step.
async fn step_handler<S: Step>(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<S>,
) -> AppResult<HttpResponse> {
    Ok(answer(
        take_step(&state, &caller, &id, if_match.0, None, body.0).await?,
    ))
}

/// Registers a step's route and documents it from the step itself.
pub fn step_route<S: Step>(r: &mut Routes) {
    r.documented(
        S::PATH,
        utoipa::openapi::path::HttpMethod::Post,
        || web::post().to(step_handler::<S>),
        step_operation::<S>,
    );
}

/// The OpenAPI operation of a step, from its type.
fn step_operation<S: Step>() -> (utoipa::openapi::path::Operation, SchemaList) {
    let (summary, description) = match S::DOC.split_once('\n') {
        Some((s, d)) => (s.trim(), d.trim()),
        None => (S::DOC.trim(), ""),
    };
    let problem = |d: &str| serde_json::json!({"description": d, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let op = serde_json::json!({
        "tags": [S::TAG],
        "summary": summary,
        "description": if description.is_empty() { summary } else { description },
        "operationId": format!("post_{}", S::PATH.trim_start_matches("/cases/{id}/").replace(['/', '-'], "_")),
        "parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the case's id"},
            {"name": "If-Match", "in": "header", "required": false, "schema": {"type": "string"},
             "description": "the case's version (ETag); stale → 412"},
        ],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", S::name())}}}},
        "responses": {
            "201": {"description": "the step taken", "headers": {"ETag": {"schema": {"type": "string"}}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StepView"}}}},
            "400": problem("malformed body"),
            "401": problem("no or bad token"),
            "403": problem("role"),
            "404": problem("no such case in the caller's scope"),
            "409": problem("the case's state does not allow it"),
            "412": problem("stale If-Match"),
            "422": problem("a rule of the law refuses it"),
        },
        "security": [{"bearer": []}],
    });
    let op: utoipa::openapi::path::Operation =
        serde_json::from_value(op).expect("a step's operation is valid OpenAPI");
    let mut schemas = SchemaList::new();
    <S as utoipa::ToSchema>::schemas(&mut schemas);
    schemas.push((
        S::name().into_owned(),
        <S as utoipa::PartialSchema>::schema(),
    ));
    <StepView as utoipa::ToSchema>::schemas(&mut schemas);
    schemas.push((
        StepView::name().into_owned(),
        <StepView as utoipa::PartialSchema>::schema(),
    ));
    (op, schemas)
}

/// The record actor of a record-only change by `caller` (evidence, records, approvals …).
pub fn case_actor(case: &CaseRow, caller: &Caller) -> crate::records::Actor {
    let certificate = case
        .people
        .iter()
        .find(|p| p.user_id == caller.user_id && p.role == OfficerRole::Officer)
        .and_then(|p| p.certificate_number.clone());
    super::actor_for(caller, certificate)
}

impl LockedCase {
    fn into_row(self, people: Vec<store::OnCase>) -> AppResult<CaseRow> {
        Ok(CaseRow {
            status: self.status,
            procedure: self.procedure,
            party_kind: self.party_kind,
            investigators: people
                .iter()
                .filter(|p| p.role == OfficerRole::Officer)
                .map(|p| p.user_id.clone())
                .collect(),
            people,
            version: self.version - 1,
            id: CaseId(self.id),
            case_no: self.case_no,
            party_name: self.party_name,
            department_id: self.department_id,
            item_code: self.enforcement_item_code,
            filed_at: self.filed_at,
            rule_profile_id: self.rule_profile_id,
            record_seq: self.record_seq,
            record_head: self.record_head,
        })
    }
}

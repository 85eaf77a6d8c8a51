//! 证据先行登记保存与查封扣押 — preserved and seized property. A measure
//! (先行登记保存, 查封, 扣押) lists every item it holds (name,
//! specification, quantity, condition, location, custodian); every hand-over
//! is a line of the item's custody log; every item ends in a disposal a
//! head approves (return, confiscation, destruction, transfer with the
//! case). A preservation is decided within 7 working days, a seizure lasts
//! 30 days and is extended once. In an emergency officers act first and a
//! head approves within 24 hours (Compulsion Law Art 19); a refusal lifts
//! the measure. A case closes only with every item settled; terminating it
//! returns what is held, transferring it sends the items along.
//!
//! Every act is a step of the case (`cases::change::Step`): one transaction
//! with its record entry, its approval and its deadlines.

pub mod api;
pub mod rules;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::approvals::rules::ApprovalKind;
use crate::auth::{scope, Caller, Role};
use crate::cases::change::{Ctx, Guard, Step};
use crate::cases::events::*;
use crate::cases::rules::{check_before_decision, check_supplied_time};
use crate::cases::store::set_deadline_statuses;
use crate::cases::DeadlineStatus;
use crate::clock::{china_date, rfc3339};
use crate::db::schema::{custody_log, property_items, property_measures};
use crate::db::{enum_str, micros, DbConn};
use crate::error::{AppError, AppResult, Code};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustodyEntry {
    pub seq: i64,
    pub at: String,
    pub action: String,
    pub custodian: String,
    pub location: String,
    pub note: String,
    pub actor_id: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Item {
    pub id: String,
    pub measure_id: String,
    pub name: String,
    pub specification: String,
    pub quantity: String,
    pub unit: String,
    pub condition: String,
    pub location: String,
    pub custodian: String,
    pub status: ItemStatus,
    pub disposal_reason: Option<String>,
    pub disposed_at: Option<String>,
    pub custody_log: Vec<CustodyEntry>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Measure {
    pub id: String,
    pub kind: MeasureKind,
    pub status: MeasureStatus,
    pub emergency: bool,
    /// A head approved it (before, or within 24 hours in an emergency).
    pub approved: bool,
    pub started_at: String,
    /// Decision due (preservation) or end of the period (seizure).
    pub due_on: chrono::NaiveDate,
    pub extensions: i32,
    pub reason: String,
    pub outcome: Option<MeasureOutcome>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Property {
    pub measures: Vec<Measure>,
    pub items: Vec<Item>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = property_measures)]
struct MeasureRow {
    id: String,
    kind: MeasureKind,
    status: MeasureStatus,
    emergency: bool,
    approved: bool,
    started_at: NaiveDateTime,
    due_on: chrono::NaiveDate,
    extensions: i32,
    reason: String,
    outcome: Option<MeasureOutcome>,
}

crate::db::text_enum!(MeasureKind, MeasureStatus, MeasureOutcome, ItemStatus);

/// An item as stored (its custody log is read beside it).
#[derive(Queryable, Selectable)]
#[diesel(table_name = property_items)]
struct ItemRow {
    id: String,
    measure_id: String,
    name: String,
    specification: String,
    quantity: String,
    unit: String,
    #[diesel(column_name = item_condition)]
    condition: String,
    location: String,
    custodian: String,
    status: ItemStatus,
    disposal_reason: Option<String>,
    disposed_at: Option<NaiveDateTime>,
}

/// A line of an item's custody log as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = custody_log)]
struct CustodyRow {
    item_id: String,
    seq: i64,
    at: NaiveDateTime,
    action: String,
    custodian: String,
    location: String,
    note: String,
    actor_id: String,
}

impl MeasureRow {
    fn view(self) -> Measure {
        Measure {
            kind: self.kind,
            status: self.status,
            id: self.id,
            emergency: self.emergency,
            approved: self.approved,
            started_at: rfc3339(self.started_at),
            due_on: self.due_on,
            extensions: self.extensions,
            reason: self.reason,
            outcome: self.outcome,
        }
    }
}

fn deadline_kind(measure_id: &str) -> String {
    format!("property:{measure_id}")
}

fn approval_deadline_kind(measure_id: &str) -> String {
    format!("emergency_approval:{measure_id}")
}

fn measure_of(conn: &mut DbConn, case_id: &str, id: &str) -> AppResult<MeasureRow> {
    property_measures::table
        .filter(property_measures::id.eq(id))
        .filter(property_measures::case_id.eq(case_id))
        .select(MeasureRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::rule_on_field(
                Code::UnknownReference,
                "measure_id",
                "no such measure on this case",
            )
        })
}

/// One line of an item's custody log.
struct LogLine<'a> {
    action: &'a str,
    custodian: &'a str,
    location: &'a str,
    note: &'a str,
}

fn log(
    conn: &mut DbConn,
    item_id: &str,
    line: LogLine,
    actor: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let last: Option<i64> = custody_log::table
        .filter(custody_log::item_id.eq(item_id))
        .select(diesel::dsl::max(custody_log::seq))
        .first(conn)?;
    diesel::insert_into(custody_log::table)
        .values((
            custody_log::item_id.eq(item_id),
            custody_log::seq.eq(last.unwrap_or(0) + 1),
            custody_log::at.eq(micros(at)),
            custody_log::action.eq(line.action),
            custody_log::custodian.eq(line.custodian),
            custody_log::location.eq(line.location),
            custody_log::note.eq(line.note),
            custody_log::actor_id.eq(actor),
        ))
        .execute(conn)?;
    Ok(())
}

/// A head refused an emergency measure: it is lifted and its items go
/// back at once (Compulsion Law Art 19), in the refusal's transaction.
pub fn lift(
    conn: &mut DbConn,
    case_id: &str,
    measure_id: &str,
    actor: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let m = measure_of(conn, case_id, measure_id)?;
    settle_items(
        conn,
        case_id,
        Some(&m.id),
        ItemStatus::Returned,
        "负责人不批准，立即解除",
        actor,
        at,
    )?;
    diesel::update(property_measures::table.find(&m.id))
        .set((
            property_measures::status.eq(MeasureStatus::Ended),
            property_measures::ended_at.eq(micros(at)),
            property_measures::outcome.eq(MeasureOutcome::Lifted),
        ))
        .execute(conn)?;
    set_deadline_statuses(
        conn,
        case_id,
        &[
            (deadline_kind(&m.id), DeadlineStatus::Cancelled),
            (approval_deadline_kind(&m.id), DeadlineStatus::Cancelled),
        ],
    )?;
    Ok(())
}

/// Every held item of the case (or of one measure) becomes `status`, logged.
fn settle_items(
    conn: &mut DbConn,
    case_id: &str,
    measure: Option<&str>,
    status: ItemStatus,
    note: &str,
    actor: &str,
    at: NaiveDateTime,
) -> AppResult<Vec<String>> {
    let mut q = property_items::table
        .filter(property_items::case_id.eq(case_id))
        .filter(property_items::status.eq(ItemStatus::Held))
        .select((
            property_items::id,
            property_items::custodian,
            property_items::location,
        ))
        .into_boxed();
    if let Some(m) = measure {
        q = q.filter(property_items::measure_id.eq(m.to_string()));
    }
    let rows: Vec<(String, String, String)> = q.load(conn)?;
    for (id, custodian, location) in &rows {
        diesel::update(property_items::table.find(id))
            .set((
                property_items::status.eq(status),
                property_items::disposal_reason.eq(note),
                property_items::disposed_at.eq(micros(at)),
            ))
            .execute(conn)?;
        let action = enum_str(&status);
        log(
            conn,
            id,
            LogLine {
                action: &action,
                custodian,
                location,
                note,
            },
            actor,
            at,
        )?;
    }
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Termination returns what is held; a transfer sends it with the case.
/// Called inside those steps.
pub fn settle_on_exit(ctx: &mut Ctx, transfer: bool) -> AppResult<Vec<String>> {
    let (status, note) = if transfer {
        (ItemStatus::Transferred, "随案移送")
    } else {
        (ItemStatus::Returned, "案件终止，解除并退还")
    };
    let at = micros(ctx.now.naive_utc());
    let settled = settle_items(
        ctx.conn,
        &ctx.case.id,
        None,
        status,
        note,
        &ctx.caller.user_id,
        at,
    )?;
    end_settled_measures(ctx.conn, &ctx.case.id, at)?;
    Ok(settled)
}

/// Measures whose items are all settled end; their deadlines are met.
fn end_settled_measures(conn: &mut DbConn, case_id: &str, at: NaiveDateTime) -> AppResult<()> {
    let open: Vec<String> = property_measures::table
        .filter(property_measures::case_id.eq(case_id))
        .filter(property_measures::status.ne(MeasureStatus::Ended))
        .select(property_measures::id)
        .load(conn)?;
    for m in open {
        let held: i64 = property_items::table
            .filter(property_items::measure_id.eq(&m))
            .filter(property_items::status.eq(ItemStatus::Held))
            .count()
            .get_result(conn)?;
        if held == 0 {
            diesel::update(property_measures::table.find(&m))
                .set((
                    property_measures::status.eq(MeasureStatus::Ended),
                    property_measures::ended_at.eq(micros(at)),
                ))
                .execute(conn)?;
            set_deadline_statuses(conn, case_id, &[(deadline_kind(&m), DeadlineStatus::Met)])?;
        }
    }
    Ok(())
}

/// The names of the items a case still holds (closure refuses them).
pub fn held_items(conn: &mut DbConn, case_id: &str) -> AppResult<Vec<String>> {
    Ok(property_items::table
        .filter(property_items::case_id.eq(case_id))
        .filter(property_items::status.eq(ItemStatus::Held))
        .select(property_items::name)
        .load(conn)?)
}

/// The items named, each of the case and still held.
fn items_of_case(conn: &mut DbConn, case_id: &str, ids: &[String]) -> AppResult<Vec<ItemRow>> {
    let rows: Vec<ItemRow> = property_items::table
        .filter(property_items::case_id.eq(case_id))
        .filter(property_items::id.eq_any(ids))
        .select(ItemRow::as_select())
        .load(conn)?;
    if rows.len() != ids.len() {
        return Err(AppError::rule_on_field(
            Code::UnknownReference,
            "item_ids",
            "an item is not of this case",
        ));
    }
    if let Some(r) = rows.iter().find(|r| r.status != ItemStatus::Held) {
        return Err(AppError::new(
            Code::MeasureNotActive,
            format!("{} is {} already", r.name, enum_str(&r.status)),
        ));
    }
    Ok(rows)
}

/// `POST /cases/{id}/preservations` — 先行登记保存 (APL Art 56).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct PreservationRequest(pub MeasureRequest);

/// `POST /cases/{id}/seizures` — 查封 (`sealing`) or 扣押 (Compulsion Law Art 18, 25).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct SeizureRequest(pub MeasureRequest);

/// A preservation is the measure's body (its fields at the top level),
/// never a sealing.
impl Validate for PreservationRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = match self.0.validate() {
            Ok(()) => ValidationErrors::new(),
            Err(e) => e,
        };
        if self.0.sealing {
            errors.add(
                "sealing",
                ValidationError::new("invalid")
                    .with_message("sealing is a seizure: POST /cases/{id}/seizures".into()),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A seizure is the measure's body (its fields at the top level).
impl Validate for SeizureRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        self.0.validate()
    }
}

/// Taken by a head, or by the case's officers in an emergency (the
/// approval then queued, due within 24 hours).
fn measure_guard(req: &MeasureRequest, caller: &Caller, kind: ApprovalKind) -> Guard {
    if req.emergency && !caller.has(Role::Head) {
        Guard::Change(scope::INVESTIGATING_ROLES)
    } else {
        Guard::Approved(kind)
    }
}

/// A measure and its list, in the step's transaction.
fn take_measure(ctx: &mut Ctx, kind: MeasureKind, req: &MeasureRequest) -> AppResult<CaseEvent> {
    check_before_decision(ctx.case.status)?;
    check_supplied_time(
        "started_at",
        req.started_at,
        Some((ctx.case.filed_at, "filing")),
        ctx.now,
    )?;
    let approval_kind = if kind == MeasureKind::Preservation {
        ApprovalKind::Preservation
    } else {
        ApprovalKind::Seizure
    };
    let emergency = req.emergency && !ctx.caller.has(Role::Head);
    let at = micros(ctx.now.naive_utc());
    let id = uuid::Uuid::now_v7().to_string();
    let (due_on, basis) = rules::measure_due(kind, china_date(req.started_at), ctx.cal);
    diesel::insert_into(property_measures::table)
        .values((
            property_measures::id.eq(&id),
            property_measures::case_id.eq(&ctx.case.id),
            property_measures::kind.eq(kind),
            property_measures::status.eq(MeasureStatus::Active),
            property_measures::emergency.eq(req.emergency),
            property_measures::approved.eq(!emergency),
            property_measures::started_at.eq(micros(req.started_at.naive_utc())),
            property_measures::due_on.eq(due_on),
            property_measures::reason.eq(req.reason.trim()),
            property_measures::created_by.eq(&ctx.caller.user_id),
            property_measures::created_at.eq(at),
        ))
        .execute(ctx.conn)?;
    let mut item_ids = vec![];
    for it in &req.items {
        let iid = uuid::Uuid::now_v7().to_string();
        diesel::insert_into(property_items::table)
            .values((
                property_items::id.eq(&iid),
                property_items::case_id.eq(&ctx.case.id),
                property_items::measure_id.eq(&id),
                property_items::name.eq(it.name.trim()),
                property_items::specification.eq(it.specification.trim()),
                property_items::quantity.eq(it.quantity.trim()),
                property_items::unit.eq(it.unit.trim()),
                property_items::item_condition.eq(it.condition.trim()),
                property_items::location.eq(it.location.trim()),
                property_items::custodian.eq(it.custodian.trim()),
                property_items::status.eq(ItemStatus::Held),
                property_items::created_at.eq(at),
            ))
            .execute(ctx.conn)?;
        let line = LogLine {
            action: "registered",
            custodian: it.custodian.trim(),
            location: it.location.trim(),
            note: "登记在册",
        };
        log(ctx.conn, &iid, line, &ctx.caller.user_id, at)?;
        item_ids.push(iid);
    }
    ctx.set_deadline(deadline_kind(&id), due_on, basis);
    let mut approval = None;
    if emergency {
        let request = serde_json::json!({"measure_id": id, "reason": format!("紧急情况当场实施，补办批准手续：{}", req.reason.trim())});
        let aid = crate::approvals::store::queue(
            ctx.conn,
            ctx.caller,
            approval_kind,
            &ctx.case.id,
            &ctx.case.department_id,
            &request,
            at,
        )?;
        let due = china_date(req.started_at) + chrono::Duration::days(1);
        ctx.set_deadline(
            approval_deadline_kind(&id),
            due,
            "《中华人民共和国行政强制法》第十九条：情况紧急当场实施的，二十四小时内向负责人报告并补办批准手续",
        );
        approval = Some(aid);
    }
    ctx.note("due_on", due_on);
    ctx.note("item_ids", item_ids);
    ctx.note("pending_approval_id", approval);
    let taken = MeasureTaken {
        request: req.clone(),
        measure_id: id,
        kind,
    };
    Ok(match kind {
        MeasureKind::Preservation => CaseEvent::Preservation(taken),
        _ => CaseEvent::Seizure(taken),
    })
}

impl Step for PreservationRequest {
    const PATH: &'static str = "/cases/{id}/preservations";
    const TAG: &'static str = "property";
    const DOC: &'static str = "先行登记保存 (APL Art 56): a head, or officers in an emergency (a head approves within 24 hours).\nThe list of every item; decided within 7 working days.";

    fn guard(&self, caller: &Caller) -> Guard {
        measure_guard(&self.0, caller, ApprovalKind::Preservation)
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        take_measure(ctx, MeasureKind::Preservation, &self.0)
    }
}

impl Step for SeizureRequest {
    const PATH: &'static str = "/cases/{id}/seizures";
    const TAG: &'static str = "property";
    const DOC: &'static str = "查封 (`sealing: true`) or 扣押 (Compulsion Law Art 18, 25): a head, or officers in an emergency.\nAt most 30 days.";

    fn guard(&self, caller: &Caller) -> Guard {
        measure_guard(&self.0, caller, ApprovalKind::Seizure)
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let kind = if self.0.sealing {
            MeasureKind::Sealing
        } else {
            MeasureKind::Seizure
        };
        take_measure(ctx, kind, &self.0)
    }
}

/// A head approves an emergency measure after the fact (run by the
/// approval the measure queued).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct ConfirmMeasure {
    pub measure_id: String,
    /// The approval's kind is a seizure's (else a preservation's).
    pub seizure: bool,
}

impl Step for ConfirmMeasure {
    const PATH: &'static str = "/approvals/{id}/decision";
    const TAG: &'static str = "property";
    const DOC: &'static str = "A head's after-the-fact approval of an emergency measure.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(if self.seizure {
            ApprovalKind::Seizure
        } else {
            ApprovalKind::Preservation
        })
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let m = measure_of(ctx.conn, &ctx.case.id, &self.measure_id)?;
        if m.approved {
            return Err(AppError::conflict("the measure is approved already"));
        }
        diesel::update(property_measures::table.find(&m.id))
            .set(property_measures::approved.eq(true))
            .execute(ctx.conn)?;
        ctx.deadline_status(approval_deadline_kind(&m.id), DeadlineStatus::Met);
        let late = ctx.now.naive_utc() > m.started_at + chrono::Duration::hours(24);
        ctx.note("late", late);
        Ok(CaseEvent::MeasureApproval(Retrospective {
            measure_id: m.id,
        }))
    }
}

impl Step for PreservationDecisionRequest {
    const PATH: &'static str = "/cases/{id}/preservations/decision";
    const TAG: &'static str = "property";
    const DOC: &'static str = "The decision on preserved evidence (release, seize, send for testing) by a head.\nA late one is recorded as late.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(ApprovalKind::PreservationDecision)
    }

    /// 先行登记保存的处理决定 within 7 working days (a head's act): late is
    /// allowed but recorded (and warned of before).
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let m = measure_of(ctx.conn, &ctx.case.id, &self.measure_id)?;
        if m.kind != MeasureKind::Preservation || m.status != MeasureStatus::Active {
            return Err(AppError::new(
                Code::MeasureNotActive,
                "not a preservation waiting for its decision",
            ));
        }
        let at = micros(ctx.now.naive_utc());
        let late = ctx.today() > m.due_on;
        let deadline = deadline_kind(&m.id);
        match self.outcome {
            PreservationOutcome::Release => {
                let by = ctx.caller.user_id.clone();
                settle_items(
                    ctx.conn,
                    &ctx.case.id,
                    Some(&m.id),
                    ItemStatus::Returned,
                    "解除先行登记保存",
                    &by,
                    at,
                )?;
                diesel::update(property_measures::table.find(&m.id))
                    .set((
                        property_measures::status.eq(MeasureStatus::Ended),
                        property_measures::ended_at.eq(at),
                        property_measures::outcome.eq(MeasureOutcome::Release),
                    ))
                    .execute(ctx.conn)?;
                ctx.deadline_status(deadline, DeadlineStatus::Met);
            }
            PreservationOutcome::Seize => {
                // The items stay held, now under a seizure of 30 days from today.
                let (due_on, basis) =
                    rules::measure_due(MeasureKind::Seizure, ctx.today(), ctx.cal);
                diesel::update(property_measures::table.find(&m.id))
                    .set((
                        property_measures::kind.eq(MeasureKind::Seizure),
                        property_measures::due_on.eq(due_on),
                        property_measures::outcome.eq(MeasureOutcome::Seize),
                        property_measures::started_at.eq(at),
                    ))
                    .execute(ctx.conn)?;
                ctx.set_deadline(deadline, due_on, basis);
            }
            PreservationOutcome::Testing => {
                diesel::update(property_measures::table.find(&m.id))
                    .set((
                        property_measures::status.eq(MeasureStatus::Decided),
                        property_measures::outcome.eq(MeasureOutcome::Testing),
                    ))
                    .execute(ctx.conn)?;
                ctx.deadline_status(deadline, DeadlineStatus::Met);
            }
        }
        ctx.note("due_on", m.due_on);
        ctx.note("late", late);
        Ok(CaseEvent::PreservationDecision(self.clone()))
    }
}

impl Step for SeizureExtensionRequest {
    const PATH: &'static str = "/cases/{id}/seizures/extension";
    const TAG: &'static str = "property";
    const DOC: &'static str = "延长查封、扣押期限 (Compulsion Law Art 25): a head, once, by at most 30 days, before the period ends.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(ApprovalKind::SeizureExtension)
    }

    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let m = measure_of(ctx.conn, &ctx.case.id, &self.measure_id)?;
        if m.status != MeasureStatus::Active {
            return Err(AppError::new(
                Code::MeasureNotActive,
                "the measure holds nothing any more",
            ));
        }
        rules::check_seizure_extension(m.kind, m.extensions as u32, self.days)?;
        if ctx.today() > m.due_on {
            return Err(AppError::rule(
                Code::SeizureExtensionUsed,
                format!(
                    "查封、扣押期限已于{}届满，不能延长（行政强制法第二十五条）",
                    m.due_on
                ),
            ));
        }
        let due_on = m.due_on + chrono::Duration::days(i64::from(self.days));
        diesel::update(property_measures::table.find(&m.id))
            .set((
                property_measures::extensions.eq(m.extensions + 1),
                property_measures::due_on.eq(due_on),
            ))
            .execute(ctx.conn)?;
        ctx.set_deadline(
            deadline_kind(&m.id),
            due_on,
            format!(
                "《中华人民共和国行政强制法》第二十五条第一款：经负责人批准延长{}日",
                self.days
            ),
        );
        ctx.note("due_on", due_on);
        Ok(CaseEvent::SeizureExtension(self.clone()))
    }
}

impl Step for DisposalRequest {
    const PATH: &'static str = "/cases/{id}/items/disposal";
    const TAG: &'static str = "property";
    const DOC: &'static str = "处置 by a head: return, transfer with the case, or — after the decision — confiscation and destruction.\nA case closes only with every item settled.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Approved(ApprovalKind::Disposal)
    }

    /// Confiscation and destruction only after the decision.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let decided = ctx.file.decision().is_some();
        rules::check_disposal(self.disposal, decided)?;
        let items = items_of_case(ctx.conn, &ctx.case.id, &self.item_ids)?;
        let at = micros(ctx.now.naive_utc());
        let status = self.disposal.status();
        for item in &items {
            diesel::update(property_items::table.find(&item.id))
                .set((
                    property_items::status.eq(status),
                    property_items::disposal_reason.eq(self.reason.trim()),
                    property_items::disposed_at.eq(at),
                ))
                .execute(ctx.conn)?;
            let action = enum_str(&status);
            let line = LogLine {
                action: &action,
                custodian: &item.custodian,
                location: &item.location,
                note: self.reason.trim(),
            };
            log(ctx.conn, &item.id, line, &ctx.caller.user_id, at)?;
        }
        end_settled_measures(ctx.conn, &ctx.case.id, at)?;
        ctx.note(
            "items",
            items
                .iter()
                .map(|i| serde_json::json!({"item_id": i.id, "name": i.name}))
                .collect::<Vec<_>>(),
        );
        Ok(CaseEvent::Disposal(self.clone()))
    }
}

impl Step for CustodyRequest {
    const PATH: &'static str = "/cases/{id}/items/custody";
    const TAG: &'static str = "property";
    const DOC: &'static str =
        "交接: held items change custodian or place; one custody-log line per item.";

    fn guard(&self, _: &Caller) -> Guard {
        Guard::Change(scope::INVESTIGATING_ROLES)
    }

    /// A hand-over (交接): new custodian and place, one log line per item.
    fn take(&self, ctx: &mut Ctx) -> AppResult<CaseEvent> {
        let items = items_of_case(ctx.conn, &ctx.case.id, &self.item_ids)?;
        let at = micros(ctx.now.naive_utc());
        for item in &items {
            diesel::update(property_items::table.find(&item.id))
                .set((
                    property_items::custodian.eq(self.custodian.trim()),
                    property_items::location.eq(self.location.trim()),
                ))
                .execute(ctx.conn)?;
            let note = format!("由{}移交。{}", item.custodian, self.note.trim());
            let line = LogLine {
                action: "handed_over",
                custodian: self.custodian.trim(),
                location: self.location.trim(),
                note: note.trim(),
            };
            log(ctx.conn, &item.id, line, &ctx.caller.user_id, at)?;
        }
        Ok(CaseEvent::Custody(self.clone()))
    }
}

/// `GET /cases/{id}/items`: the measures and every item with its log.
pub async fn list(state: &AppState, caller: &Caller, case_id: &str) -> AppResult<Property> {
    let scope_ =
        crate::cases::readable_case(state, caller, case_id, crate::cases::Access::ReadCase).await?;
    let id = scope_.case_id;
    state
        .db
        .run(move |conn| {
            let measures: Vec<MeasureRow> = property_measures::table
                .filter(property_measures::case_id.eq(&id))
                .order((
                    property_measures::created_at.asc(),
                    property_measures::id.asc(),
                ))
                .select(MeasureRow::as_select())
                .load(conn)?;
            let rows: Vec<ItemRow> = property_items::table
                .filter(property_items::case_id.eq(&id))
                .order((property_items::created_at.asc(), property_items::id.asc()))
                .select(ItemRow::as_select())
                .load(conn)?;
            // Every log line of the case's items in one query, grouped by item.
            let lines: Vec<CustodyRow> = custody_log::table
                .inner_join(property_items::table.on(property_items::id.eq(custody_log::item_id)))
                .filter(property_items::case_id.eq(&id))
                .order((custody_log::item_id.asc(), custody_log::seq.asc()))
                .select(CustodyRow::as_select())
                .load(conn)?;
            let mut logs: std::collections::HashMap<String, Vec<CustodyEntry>> = Default::default();
            for l in lines {
                logs.entry(l.item_id).or_default().push(CustodyEntry {
                    seq: l.seq,
                    at: rfc3339(l.at),
                    action: l.action,
                    custodian: l.custodian,
                    location: l.location,
                    note: l.note,
                    actor_id: l.actor_id,
                });
            }
            let items = rows
                .into_iter()
                .map(|r| Item {
                    custody_log: logs.remove(&r.id).unwrap_or_default(),
                    id: r.id,
                    measure_id: r.measure_id,
                    name: r.name,
                    specification: r.specification,
                    quantity: r.quantity,
                    unit: r.unit,
                    condition: r.condition,
                    location: r.location,
                    custodian: r.custodian,
                    status: r.status,
                    disposal_reason: r.disposal_reason,
                    disposed_at: r.disposed_at.map(rfc3339),
                })
                .collect();
            Ok(Property {
                measures: measures.into_iter().map(MeasureRow::view).collect(),
                items,
            })
        })
        .await
}

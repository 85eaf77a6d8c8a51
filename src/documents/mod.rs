//! Official documents (文书): filled from the case data by templates that
//! are data (`fixtures/templates/<kind>.toml`), numbered from the
//! department's counter in the issuing transaction, rendered to PDF, kept
//! content-addressed with their SHA-256, printed with a verification code a
//! citizen can check without seeing the content.

pub mod api;
pub mod pdf;
pub mod rules;
pub mod subset;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::Sha256;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::cases::change::{change, Guard, How};
use crate::cases::events::{CaseEvent, DocumentWithdrawn};
use crate::clock::{china_date, rfc3339};
use crate::db::schema::{documents, users};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, Code};
use crate::items::PenaltyType;
use crate::state::AppState;
use pdf::DocFont;

/// The font, parsed once per process (a 5 MB face takes a while).
pub type FontCell = Arc<OnceLock<Result<Arc<DocFont>, String>>>;

/// What issuing a document needs, moved into the step's transaction.
#[derive(Clone)]
pub struct Issuer {
    pub font: Arc<DocFont>,
    pub templates: PathBuf,
    pub data_dir: PathBuf,
    pub key: String,
}

/// The issuer of this service: the configured font (`ZHIFA_DOCUMENT_FONT`,
/// default `fixtures/fonts/wqy-microhei.ttc`) and the templates.
pub async fn issuer(state: &AppState) -> AppResult<Issuer> {
    let path = state.settings.document_font();
    let cell = state.document_font.clone();
    let font = actix_web::web::block(move || {
        cell.get_or_init(|| DocFont::load(&path).map(Arc::new))
            .clone()
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
    .map_err(AppError::internal)?;
    Ok(Issuer {
        font,
        templates: state.settings.fixtures().join("templates"),
        data_dir: state.settings.data_dir.clone(),
        key: state.settings.record_key.clone(),
    })
}

/// A document template, read once per process from `<dir>/<kind>.toml`
/// (templates are data shipped with the service; a changed file takes
/// effect at the next start).
pub fn template(dir: &std::path::Path, kind: &str) -> AppResult<Arc<rules::Template>> {
    use std::collections::HashMap;
    use std::sync::RwLock;
    static TEMPLATES: OnceLock<RwLock<HashMap<PathBuf, Arc<rules::Template>>>> = OnceLock::new();
    let cache = TEMPLATES.get_or_init(Default::default);
    let path = dir.join(format!("{kind}.toml"));
    if let Some(t) = cache.read().unwrap_or_else(|p| p.into_inner()).get(&path) {
        return Ok(t.clone());
    }
    let t = Arc::new(load_template(dir, kind)?);
    cache
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(path, t.clone());
    Ok(t)
}

pub fn load_template(dir: &std::path::Path, kind: &str) -> AppResult<rules::Template> {
    let path = dir.join(format!("{kind}.toml"));
    let text = std::fs::read_to_string(&path).map_err(|e| {
        AppError::rule(
            Code::DocumentTemplateMissing,
            format!("no template for {kind}: {}: {e}", path.display()),
        )
    })?;
    toml::from_str(&text)
        .map_err(|e| AppError::internal(format!("template {}: {e}", path.display())))
}

/// The next number of a template's kind for a department: its counter for
/// the kind and year, and the kind code of the department's rule profile
/// (`document_codes`), else the template's.
pub fn number_for(
    conn: &mut DbConn,
    department_id: &str,
    short_name: &str,
    profile: &crate::profiles::Profile,
    template: &rules::Template,
    today: NaiveDate,
) -> AppResult<String> {
    let code = profile
        .document_codes
        .get(&template.kind)
        .unwrap_or(&template.code);
    let n = crate::cases::store::next_counter(conn, department_id, &template.kind, today.year())?;
    Ok(rules::document_number(short_name, code, today.year(), n))
}

/// A document as lists and answers show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentRef {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub title: String,
    pub number: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub verification_code: String,
    pub generated_at: String,
    pub withdrawn_at: Option<String>,
}

/// A short code printed on the document: HMAC of its number, kind and
/// case under the service's key, so only issued documents have one.
pub fn verification_code(key: &str, number: &str, kind: &str, case_id: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(format!("{number}\u{1f}{kind}\u{1f}{case_id}").as_bytes());
    let d = mac.finalize().into_bytes();
    // 40 bits in 8 characters of Crockford's base32 (no I, L, O, U).
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let v = u64::from_be_bytes([0, 0, 0, d[0], d[1], d[2], d[3], d[4]]);
    (0..8)
        .map(|i| ALPHABET[((v >> (35 - 5 * i)) & 31) as usize] as char)
        .collect()
}

pub fn penalty_name(p: PenaltyType) -> &'static str {
    match p {
        PenaltyType::Warning => "警告",
        PenaltyType::PublicCriticism => "通报批评",
        PenaltyType::Fine => "罚款",
        PenaltyType::ConfiscateIllegalGains => "没收违法所得",
        PenaltyType::ConfiscateIllegalProperty => "没收非法财物",
        PenaltyType::SuspendLicense => "暂扣许可证件",
        PenaltyType::DowngradeQualification => "降低资质等级",
        PenaltyType::RevokeLicense => "吊销许可证件",
        PenaltyType::RestrictBusiness => "限制开展生产经营活动",
        PenaltyType::SuspendBusiness => "责令停产停业",
        PenaltyType::OrderClosure => "责令关闭",
        PenaltyType::RestrictPractice => "限制从业",
        PenaltyType::Detention => "行政拘留",
        PenaltyType::Other => "其他行政处罚",
    }
}

pub fn source_name(s: crate::cases::rules::Source) -> &'static str {
    use crate::cases::rules::Source::*;
    match s {
        Inspection => "监督检查",
        Complaint => "投诉",
        Report => "举报",
        Referral => "其他机关移送",
        Assignment => "上级机关交办",
        Media => "媒体曝光",
        Monitoring => "监测（电子技术监控）",
        Transfer => "案件移交",
    }
}

/// What the 立案审批表 adds to the case context.
pub fn filing_context(
    req: &crate::cases::NewCase,
    case_no: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    let day = |t: chrono::DateTime<chrono::Utc>| chinese_date(china_date(t));
    json!({
        "rows": [
            ["案号", case_no],
            ["案件来源", source_name(req.source)],
            ["当事人", req.party.name.trim()],
            ["住所（住址）", req.party.address.trim()],
            ["违法行为发生地", req.location.trim()],
            ["违法行为发生时间", day(req.occurred_at)],
            ["发现时间", day(req.discovered_at)],
            ["简要案情", req.facts.trim()],
            ["立案日期", day(now)],
        ],
    })
}

/// The penalties as documents print them.
pub fn penalties_context(p: &[crate::cases::events::PenaltyItem]) -> Value {
    let items: Vec<Value> = p
        .iter()
        .map(|x| {
            let mut text = penalty_name(x.kind).to_string();
            if let Some(a) = x.amount_fen {
                text.push_str(&format!(
                    "{}（{}）",
                    rules::amount_in_words(a),
                    rules::amount_in_figures(a)
                ));
            }
            if let Some(d) = x.description.as_deref().filter(|d| !d.trim().is_empty()) {
                text.push_str(&format!("：{d}"));
            }
            json!({
                "name": penalty_name(x.kind),
                "amount_words": x.amount_fen.map(rules::amount_in_words),
                "amount_figures": x.amount_fen.map(rules::amount_in_figures),
                "text": text,
            })
        })
        .collect();
    let text = items
        .iter()
        .filter_map(|i| i["text"].as_str())
        .collect::<Vec<_>>()
        .join("；");
    json!({"list": items, "text": text})
}

/// 2026年11月26日.
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// What a document knows of its case, gathered from wherever it is at hand
/// (the stored case, or an intake not yet stored).
pub struct ContextParts<'a> {
    pub case_id: &'a str,
    pub case_no: &'a str,
    pub facts: &'a str,
    pub location: &'a str,
    pub filed_on: NaiveDate,
    pub item: &'a crate::items::ItemData,
    pub party: &'a crate::kernel::Party,
    pub department: &'a crate::org::Department,
    pub government: &'a str,
    /// (display name, certificate number) of the officers.
    pub officers: Vec<(String, String)>,
    pub today: NaiveDate,
}

/// The name of the government a department belongs to (its parent): the
/// reconsideration organ, and the seat of the court.
pub fn government_of(conn: &mut DbConn, dept: &crate::org::Department) -> AppResult<String> {
    Ok(match &dept.parent_id {
        Some(p) => crate::org::find_department(conn, p)?
            .map(|g| g.department.name)
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// What every document knows of its case: the party, the department, the
/// item and its legal basis, the officers, the remedies. Pure.
pub fn context_of(p: &ContextParts) -> Value {
    // The county or city people's court of the government's seat (行政诉讼法第十八条).
    let court = p.government.trim_end_matches("人民政府").to_string() + "人民法院";
    let cite = |c: &[crate::items::Citation]| {
        c.iter()
            .map(|x| x.to_chinese())
            .collect::<Vec<_>>()
            .join("、")
    };
    let party_kind = match p.party.kind {
        crate::kernel::PartyKind::Person => "公民",
        crate::kernel::PartyKind::Organization => "法人或者其他组织",
        crate::kernel::PartyKind::IndividualBusiness => "个体工商户",
    };
    let officers = p
        .officers
        .iter()
        .map(|(name, cert)| format!("{name}（执法证号：{cert}）"))
        .collect::<Vec<_>>()
        .join("、");
    json!({
        "case": {
            "id": p.case_id, "case_no": p.case_no, "facts": p.facts.trim(), "location": p.location.trim(),
            "filed_on": chinese_date(p.filed_on), "item_code": p.item.code, "item_name": p.item.name,
        },
        "party": {
            "name": p.party.name.trim(), "kind_name": party_kind, "id_number": p.party.id_number.trim().to_uppercase(),
            "address": p.party.address.trim(), "phone": p.party.phone,
            "legal_representative": p.party.legal_representative,
            "is_organization": p.party.kind == crate::kernel::PartyKind::Organization,
        },
        "department": {
            "name": p.department.name, "short_name": p.department.short_name,
            "government": p.government, "court": court,
        },
        "basis": { "violation": cite(&p.item.violation_basis), "penalty": cite(&p.item.penalty_basis) },
        "officers": officers,
        "today": chinese_date(p.today),
        "remedies": {
            "reconsideration_organ": p.government,
            "reconsideration_days": 60,
            "litigation_months": 6,
            "court": court,
        },
    })
}

/// The context of a stored case.
pub fn case_context(conn: &mut DbConn, case_id: &str, today: NaiveDate) -> AppResult<Value> {
    let (case, _) = crate::cases::store::load_case(conn, case_id)?
        .ok_or_else(|| AppError::not_found("case not found"))?;
    let dept = crate::org::find_department(conn, &case.department_id)?
        .ok_or_else(|| AppError::internal("case department missing"))?;
    let government = government_of(conn, &dept.department)?;
    let item = crate::items::find(conn, &case.enforcement_item_code)?
        .ok_or_else(|| AppError::internal("the case's item is gone"))?;
    let filed_on = china_date(
        chrono::DateTime::parse_from_rfc3339(&case.filed_at)
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
    );
    Ok(context_of(&ContextParts {
        case_id: &case.id,
        case_no: &case.case_no,
        facts: &case.facts,
        location: &case.location,
        filed_on,
        item: &item,
        party: &case.party,
        department: &dept.department,
        government: &government,
        officers: case
            .officers
            .iter()
            .filter(|o| o.role == "officer")
            .map(|o| {
                (
                    o.display_name.clone(),
                    o.certificate_number.clone().unwrap_or_default(),
                )
            })
            .collect(),
        today,
    }))
}

/// Adds `extra`'s keys to a document context.
pub fn merge(base: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
}

/// A document rendered and hashed, not yet stored.
pub struct Rendered {
    pub kind: String,
    pub title: String,
    pub number: String,
    pub code: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// Fills and renders a document (422 naming a missing field or glyph). No
/// database: callers may do it outside their transaction.
pub fn render_document(
    iss: &Issuer,
    case_id: &str,
    template: &rules::Template,
    ctx: &Value,
    number: String,
    today: NaiveDate,
) -> AppResult<Rendered> {
    let kind = template.kind.as_str();
    let blocks = rules::fill(template, ctx)?;
    let code = verification_code(&iss.key, &number, kind, case_id);
    let bytes = pdf::render(
        &iss.font,
        &pdf::Heading {
            title: &template.title,
            number: &number,
            verification: &format!(
                "文书编号：{number}　核验码：{code}（可通过政务服务网站核验真伪）"
            ),
            key: &format!("{case_id}/{kind}/{number}"),
            date: today,
        },
        &blocks,
    )?;
    let sha256 = hex::encode(<Sha256 as sha2::Digest>::digest(&bytes));
    Ok(Rendered {
        kind: kind.to_string(),
        title: template.title.clone(),
        number,
        code,
        bytes,
        sha256,
    })
}

/// Keeps a rendered document's blob (content-addressed, outside any
/// transaction: a blob no row points to is harmless) and answers the row
/// the issuing transaction will insert (`insert_issued`).
pub fn store_blob(
    iss: &Issuer,
    r: &Rendered,
    case_id: &str,
    now: NaiveDateTime,
) -> AppResult<DocumentRef> {
    let mut incoming = crate::evidence::Incoming::new(&iss.data_dir)?;
    incoming.write(&r.bytes)?;
    let sha256 = incoming.finish(&iss.data_dir)?;
    Ok(DocumentRef {
        id: uuid::Uuid::now_v7().to_string(),
        case_id: case_id.to_string(),
        kind: r.kind.clone(),
        title: r.title.clone(),
        number: r.number.clone(),
        sha256,
        size_bytes: r.bytes.len() as i64,
        verification_code: r.code.clone(),
        generated_at: rfc3339(crate::db::micros(now)),
        withdrawn_at: None,
    })
}

/// The row of a document issued by a step, in the step's transaction; its
/// number's reservation is settled with it.
pub fn insert_issued(
    conn: &mut DbConn,
    doc: &DocumentRef,
    by: &str,
    reservation: Option<&str>,
) -> AppResult<()> {
    let at = chrono::DateTime::parse_from_rfc3339(&doc.generated_at)
        .map(|t| t.naive_utc())
        .map_err(|e| AppError::internal(format!("document time: {e}")))?;
    diesel::insert_into(documents::table)
        .values((
            documents::id.eq(&doc.id),
            documents::case_id.eq(&doc.case_id),
            documents::kind.eq(&doc.kind),
            documents::title.eq(&doc.title),
            documents::number.eq(&doc.number),
            documents::sha256.eq(&doc.sha256),
            documents::size_bytes.eq(doc.size_bytes),
            documents::verification_code.eq(&doc.verification_code),
            documents::generated_by.eq(by),
            documents::generated_at.eq(at),
        ))
        .execute(conn)?;
    if let Some(r) = reservation {
        settle_reservations(conn, &[r.to_string()])?;
    }
    Ok(())
}

/// Reserves the next number of a template's kind for a case's department
/// (its counter, in this transaction) and records the reservation.
pub fn reserve_for_case(
    conn: &mut DbConn,
    case_id: &str,
    profile: &crate::profiles::Profile,
    template: &rules::Template,
    today: NaiveDate,
    at: NaiveDateTime,
) -> AppResult<(String, String)> {
    let (department_id, short): (String, String) = crate::db::schema::cases::table
        .inner_join(crate::db::schema::departments::table)
        .filter(crate::db::schema::cases::id.eq(case_id))
        .select((
            crate::db::schema::cases::department_id,
            crate::db::schema::departments::short_name,
        ))
        .first(conn)?;
    let number = number_for(conn, &department_id, &short, profile, template, today)?;
    let id = reserve(
        conn,
        &department_id,
        &template.kind,
        &number,
        Some(case_id),
        at,
    )?;
    Ok((number, id))
}

/// Records that a number was taken from its counter for a document (or a
/// case) not yet issued.
pub fn reserve(
    conn: &mut DbConn,
    department_id: &str,
    kind: &str,
    number: &str,
    case_id: Option<&str>,
    at: NaiveDateTime,
) -> AppResult<String> {
    use crate::db::schema::number_reservations as r;
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(r::table)
        .values((
            r::id.eq(&id),
            r::department_id.eq(department_id),
            r::kind.eq(kind),
            r::number.eq(number),
            r::case_id.eq(case_id),
            r::reserved_at.eq(crate::db::micros(at)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The numbers were issued: their reservations are done.
pub fn settle_reservations(conn: &mut DbConn, ids: &[String]) -> AppResult<()> {
    use crate::db::schema::number_reservations as r;
    diesel::delete(r::table.filter(r::id.eq_any(ids))).execute(conn)?;
    Ok(())
}

/// Reserved numbers that will not be issued go to the void register.
pub fn void_reservations(
    conn: &mut DbConn,
    ids: &[String],
    reason: &str,
    at: NaiveDateTime,
) -> AppResult<usize> {
    use crate::db::schema::{number_reservations as r, voided_numbers as v};
    let rows: Vec<(String, String, String)> = r::table
        .filter(r::id.eq_any(ids))
        .select((r::department_id, r::kind, r::number))
        .load(conn)?;
    for (department_id, kind, number) in &rows {
        diesel::insert_into(v::table)
            .values((
                v::id.eq(uuid::Uuid::now_v7().to_string()),
                v::department_id.eq(department_id),
                v::kind.eq(kind),
                v::number.eq(number),
                v::reason.eq(reason),
                v::voided_at.eq(crate::db::micros(at)),
            ))
            .execute(conn)?;
    }
    settle_reservations(conn, ids)?;
    Ok(rows.len())
}

/// How old an unsettled reservation must be before the sweep voids it: no
/// step takes that long between its numbers and its commit.
pub const RESERVATION_TIMEOUT: chrono::Duration = chrono::Duration::minutes(10);

/// Voids reservations left behind by a process that died between taking
/// its numbers and issuing them ("interrupted"). Safe on every instance at
/// once. Answers how many were voided.
pub fn sweep_reservations(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<usize> {
    use crate::db::schema::number_reservations as r;
    let stale: Vec<String> = r::table
        .filter(r::reserved_at.lt(now - RESERVATION_TIMEOUT))
        .select(r::id)
        .limit(1000)
        .load(conn)?;
    if stale.is_empty() {
        return Ok(0);
    }
    void_reservations(conn, &stale, "interrupted", now)
}

/// Keeps a rendered document: its blob (content-addressed) and its row.
pub fn store_document(
    conn: &mut DbConn,
    iss: &Issuer,
    r: &Rendered,
    case_id: &str,
    by: &str,
    now: NaiveDateTime,
) -> AppResult<DocumentRef> {
    let mut incoming = crate::evidence::Incoming::new(&iss.data_dir)?;
    incoming.write(&r.bytes)?;
    let sha256 = incoming.finish(&iss.data_dir)?;
    let id = uuid::Uuid::now_v7().to_string();
    let at = crate::db::micros(now);
    diesel::insert_into(documents::table)
        .values((
            documents::id.eq(&id),
            documents::case_id.eq(case_id),
            documents::kind.eq(&r.kind),
            documents::title.eq(&r.title),
            documents::number.eq(&r.number),
            documents::sha256.eq(&sha256),
            documents::size_bytes.eq(r.bytes.len() as i64),
            documents::verification_code.eq(&r.code),
            documents::generated_by.eq(by),
            documents::generated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(DocumentRef {
        id,
        case_id: case_id.to_string(),
        kind: r.kind.clone(),
        title: r.title.clone(),
        number: r.number.clone(),
        sha256,
        size_bytes: r.bytes.len() as i64,
        verification_code: r.code.clone(),
        generated_at: rfc3339(at),
        withdrawn_at: None,
    })
}

type DocRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

fn from_row(r: DocRow) -> DocumentRef {
    DocumentRef {
        id: r.0,
        case_id: r.1,
        kind: r.2,
        title: r.3,
        number: r.4,
        sha256: r.5,
        size_bytes: r.6,
        verification_code: r.7,
        generated_at: rfc3339(r.8),
        withdrawn_at: r.9.map(rfc3339),
    }
}

macro_rules! doc_columns {
    () => {
        (
            documents::id,
            documents::case_id,
            documents::kind,
            documents::title,
            documents::number,
            documents::sha256,
            documents::size_bytes,
            documents::verification_code,
            documents::generated_at,
            documents::withdrawn_at,
        )
    };
}

/// The documents of a case, oldest first.
pub async fn list(state: &AppState, caller: &Caller, case_id: &str) -> AppResult<Vec<DocumentRef>> {
    let scope_ =
        crate::cases::readable_case(state, caller, case_id, crate::cases::Access::ReadCase).await?;
    state
        .db
        .run(move |conn| {
            let rows: Vec<DocRow> = documents::table
                .filter(documents::case_id.eq(&scope_.case_id))
                .order((documents::generated_at.asc(), documents::id.asc()))
                .select(doc_columns!())
                .load(conn)?;
            Ok(rows.into_iter().map(from_row).collect())
        })
        .await
}

/// One document's metadata, scoped like its case (404 outside it).
pub async fn metadata(
    state: &AppState,
    caller: &Caller,
    document_id: &str,
) -> AppResult<DocumentRef> {
    caller.require_any(crate::auth::scope::CASE_ROLES)?;
    let id = document_id.to_string();
    let doc = state
        .db
        .run(move |conn| {
            documents::table
                .find(&id)
                .select(doc_columns!())
                .first::<DocRow>(conn)
                .optional()?
                .map(from_row)
                .ok_or_else(|| AppError::not_found("document not found"))
        })
        .await?;
    crate::cases::readable_case(state, caller, &doc.case_id, crate::cases::Access::ReadCase)
        .await
        .map_err(|e| {
            if e.code == Code::NotFound {
                AppError::not_found("document not found")
            } else {
                e
            }
        })?;
    Ok(doc)
}

/// One document's PDF, verified against its SHA-256 (409 when the stored
/// file no longer matches).
pub async fn pdf_of(
    state: &AppState,
    caller: &Caller,
    document_id: &str,
) -> AppResult<(DocumentRef, Vec<u8>)> {
    let doc = metadata(state, caller, document_id).await?;
    let dir = state.settings.data_dir.clone();
    let sha = doc.sha256.clone();
    let bytes = actix_web::web::block(move || crate::evidence::read_verified(&dir, &sha))
        .await
        .map_err(|e| AppError::internal(e.to_string()))??;
    Ok((doc, bytes))
}

/// `POST /cases/{id}/documents/draft`.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    /// A template kind (e.g. `onsite_record`, `inquiry_record`, `penalty_notice`).
    pub kind: String,
    /// Values to fill in besides the case's own (e.g. `{"record": {"place": "…"}}`).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: Value,
}

/// A draft on demand: the template filled with what the case knows (and
/// `fields`), blanks for the rest, marked as a draft, not numbered, not
/// kept — for printing a record to fill in on site or checking a notice
/// before the step issues it.
pub async fn draft(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    req: DraftRequest,
) -> AppResult<Vec<u8>> {
    if !req.kind.chars().all(|c| c.is_ascii_lowercase() || c == '_') || req.kind.is_empty() {
        return Err(AppError::validation(vec![crate::error::FieldError::new(
            "kind",
            "invalid",
            "a template kind such as onsite_record",
        )]));
    }
    let scope_ =
        crate::cases::readable_case(state, caller, case_id, crate::cases::Access::ReadCase).await?;
    let iss = issuer(state).await?;
    let today = state.clock.today();
    state
        .db
        .run(move |conn| {
            let template = load_template(&iss.templates, &req.kind)?;
            let mut ctx = case_context(conn, &scope_.case_id, today)?;
            merge(&mut ctx, req.fields);
            let blocks = rules::fill_draft(&template, &ctx);
            pdf::render(
                &iss.font,
                &pdf::Heading {
                    title: &template.title,
                    number: "（草稿）",
                    verification: "草稿：未编号，不作为正式文书",
                    key: &format!("{}/{}/draft", scope_.case_id, req.kind),
                    date: today,
                },
                &blocks,
            )
        })
        .await
}

/// The public answer of `GET /public/documents/verify`: whether a document
/// with that number and code was issued, never its content.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    pub issued: bool,
    pub number: String,
    pub title: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub withdrawn: bool,
}

pub async fn verify_public(state: &AppState, number: &str, code: &str) -> AppResult<Verification> {
    let number = number.trim().to_string();
    let code = code.trim().to_uppercase();
    state
        .db
        .run(move |conn| {
            let row: Option<(String, NaiveDateTime, Option<NaiveDateTime>, String)> =
                documents::table
                    .inner_join(
                        crate::db::schema::cases::table
                            .inner_join(crate::db::schema::departments::table),
                    )
                    .filter(documents::number.eq(&number))
                    .filter(documents::verification_code.eq(&code))
                    .select((
                        documents::title,
                        documents::generated_at,
                        documents::withdrawn_at,
                        crate::db::schema::departments::name,
                    ))
                    .first(conn)
                    .optional()?;
            Ok(match row {
                Some((title, at, withdrawn, issuer)) => Verification {
                    issued: true,
                    number,
                    title: Some(title),
                    issuer: Some(issuer),
                    issued_on: Some(china_date(at.and_utc())),
                    withdrawn: withdrawn.is_some(),
                },
                None => Verification {
                    issued: false,
                    number,
                    title: None,
                    issuer: None,
                    issued_on: None,
                    withdrawn: false,
                },
            })
        })
        .await
}

/// The display name of a user, for signatures.
pub fn display_name(conn: &mut DbConn, user_id: &str) -> AppResult<String> {
    Ok(users::table
        .find(user_id)
        .select(users::display_name)
        .first(conn)?)
}

/// `POST /documents/{id}/withdrawal`.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalRequest {
    pub reason: String,
}

/// A head withdraws an issued document (an error, a revoked decision): the
/// number stays in the register and is never issued again; the public
/// check says it was withdrawn. One change of the case, recorded.
pub async fn withdraw(
    state: &AppState,
    caller: &Caller,
    document_id: &str,
    req: WithdrawalRequest,
) -> AppResult<DocumentRef> {
    AppError::require_text("reason", &req.reason, "why the document is withdrawn")?;
    let id = document_id.to_string();
    let case_id: String = state
        .db
        .run(move |conn| {
            documents::table
                .find(&id)
                .select(documents::case_id)
                .first::<String>(conn)
                .optional()?
                .ok_or_else(|| AppError::not_found("document not found"))
        })
        .await?;
    // Closed means closed: a closed, terminated, transferred or archived
    // file takes no correction (the change refuses it).
    let how = How::guard(Guard::Change(crate::auth::scope::HEAD_ROLES), None);
    let id = document_id.to_string();
    let (_, doc) = change(state, caller, &case_id, how, move |ctx| {
        let at = crate::db::micros(ctx.now.naive_utc());
        let changed = diesel::update(
            documents::table
                .filter(documents::id.eq(&id))
                .filter(documents::withdrawn_at.is_null()),
        )
        .set((
            documents::withdrawn_at.eq(at),
            documents::withdrawn_reason.eq(req.reason.trim()),
        ))
        .execute(ctx.conn)?;
        if changed != 1 {
            return Err(AppError::conflict("the document was already withdrawn"));
        }
        let doc = documents::table
            .find(&id)
            .select(doc_columns!())
            .first::<DocRow>(ctx.conn)
            .map(from_row)?;
        let event = CaseEvent::DocumentWithdrawn(DocumentWithdrawn {
            document_id: doc.id.clone(),
            number: doc.number.clone(),
            sha256: doc.sha256.clone(),
            reason: req.reason.trim().to_string(),
        });
        Ok((event, doc))
    })
    .await?;
    Ok(doc)
}

// After `doc_columns!`, which it uses.
pub mod archive;

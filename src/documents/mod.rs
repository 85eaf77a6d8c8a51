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

/// The next number of a kind of document for the case's department: its
/// counter for the kind and year, and the kind code of the department's
/// rule profile (`document_codes`), else the template's.
pub fn next_number(
    conn: &mut DbConn,
    case_id: &str,
    template: &rules::Template,
    today: NaiveDate,
) -> AppResult<String> {
    let (department_id, short, profile_id): (String, String, Option<String>) =
        crate::db::schema::cases::table
            .inner_join(crate::db::schema::departments::table)
            .filter(crate::db::schema::cases::id.eq(case_id))
            .select((
                crate::db::schema::cases::department_id,
                crate::db::schema::departments::short_name,
                crate::db::schema::cases::rule_profile_id,
            ))
            .first(conn)?;
    let profile = crate::profiles::of_case(conn, profile_id.as_deref())?;
    number_for(conn, &department_id, &short, &profile, template, today)
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
pub fn penalties_context(p: &[crate::workflow::rules::PenaltyItem]) -> Value {
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

fn merge(base: &mut Value, extra: Value) {
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

/// Issues one document inside the caller's transaction: the template
/// filled (422 naming a missing field), the number (given, or the next of
/// the department's counter for the template's kind), the PDF, its blob and
/// its row. Returns the reference for the step's record entry.
#[allow(clippy::too_many_arguments)]
pub fn issue(
    conn: &mut DbConn,
    iss: &Issuer,
    case_id: &str,
    template: &rules::Template,
    number: Option<String>,
    extra: Value,
    by: &str,
    now: NaiveDateTime,
) -> AppResult<DocumentRef> {
    let today = china_date(now.and_utc());
    let mut ctx = case_context(conn, case_id, today)?;
    merge(&mut ctx, extra);
    let number = match number {
        Some(n) => n,
        None => next_number(conn, case_id, template, today)?,
    };
    let rendered = render_document(iss, case_id, template, &ctx, number, today)?;
    store_document(conn, iss, &rendered, case_id, by, now)
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
/// check says it was withdrawn. Recorded in the case's chain.
pub async fn withdraw(
    state: &AppState,
    caller: &Caller,
    document_id: &str,
    req: WithdrawalRequest,
) -> AppResult<DocumentRef> {
    if req.reason.trim().is_empty() {
        return Err(AppError::validation(vec![crate::error::FieldError::new(
            "reason",
            "required",
            "why the document is withdrawn",
        )]));
    }
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
    let scope_ = crate::cases::writable_case(state, caller, &case_id).await?;
    caller.require_any(crate::auth::scope::HEAD_ROLES)?;
    let now = state.clock.now_naive();
    let key = state.settings.record_key.clone();
    let caller = caller.clone();
    let id = document_id.to_string();
    state
        .db
        .write(move |conn| {
            // Closed means closed: a closed, terminated, transferred or archived file takes no correction.
            crate::cases::store::open_case(conn, &scope_.case_id, None)?;
            let at = crate::db::micros(now);
            let changed = diesel::update(
                documents::table
                    .filter(documents::id.eq(&id))
                    .filter(documents::withdrawn_at.is_null()),
            )
            .set((
                documents::withdrawn_at.eq(at),
                documents::withdrawn_reason.eq(req.reason.trim()),
            ))
            .execute(conn)?;
            if changed != 1 {
                return Err(AppError::conflict("the document was already withdrawn"));
            }
            let doc = documents::table
                .find(&id)
                .select(doc_columns!())
                .first::<DocRow>(conn)
                .map(from_row)?;
            let actor = crate::cases::actor_on_case(conn, &caller, &scope_.case_id)?;
            crate::records::append(
                conn,
                key.as_bytes(),
                &scope_.case_id,
                &actor,
                "document.withdrawn",
                &json!({"document_id": doc.id, "number": doc.number, "sha256": doc.sha256, "reason": req.reason.trim()}),
                Some(&caller.request_id),
                at,
            )?;
            Ok(doc)
        })
        .await
}

// After `doc_columns!`, which it uses.
pub mod archive;

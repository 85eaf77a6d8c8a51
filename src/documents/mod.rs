//! Official documents (文书): filled from the case data by templates that
//! are data (`fixtures/templates/<kind>.toml`), numbered from the
//! department's counter in the issuing transaction, rendered to PDF, kept
//! content-addressed with their SHA-256, printed with a verification code a
//! citizen can check without seeing the content.

pub mod api;
pub mod archive;
pub mod pdf;
pub mod register;
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

use crate::clock::{china_date, rfc3339};
use crate::db::schema::{documents, users};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, Code};
use crate::items::PenaltyType;
use pdf::DocFont;

/// The font chains of this process, each parsed once (a 5 MB face takes
/// a while): the service's, and the departments' own.
#[derive(Default)]
pub struct Fonts {
    default: OnceLock<Result<Arc<DocFont>, String>>,
    departments: std::sync::Mutex<std::collections::HashMap<String, Arc<DocFont>>>,
}

/// The font chains, shared by the state.
pub type FontCell = Arc<Fonts>;

/// What issuing a document needs: the font, the templates, where blobs
/// go, the key of the verification codes.
#[derive(Clone)]
pub struct Issuer {
    /// The service's font chain.
    pub font: Arc<DocFont>,
    pub templates: PathBuf,
    pub data_dir: PathBuf,
    pub key: String,
    fonts: FontCell,
    /// Departments with a body face of their own (by code).
    department_fonts: Arc<std::collections::BTreeMap<String, PathBuf>>,
    fallbacks: Arc<Vec<PathBuf>>,
}

impl Issuer {
    /// The font chain a department's documents are printed with: its own
    /// body face when one is configured (`ZHIFA_DEPARTMENT_FONTS`), with
    /// the fallbacks behind it; else the service's. Blocking (a first use
    /// parses the face).
    pub fn font_for(&self, department_code: Option<&str>) -> AppResult<Arc<DocFont>> {
        let Some((code, path)) =
            department_code.and_then(|c| self.department_fonts.get_key_value(c))
        else {
            return Ok(self.font.clone());
        };
        let mut map = self
            .fonts
            .departments
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(f) = map.get(code) {
            return Ok(f.clone());
        }
        let font =
            Arc::new(DocFont::load_chain(path, &self.fallbacks).map_err(AppError::internal)?);
        map.insert(code.clone(), font.clone());
        Ok(font)
    }
}

/// The issuer of this service: the configured font chain
/// (`ZHIFA_DOCUMENT_FONT`, default `fixtures/fonts/gbsn00lp.ttf`, and
/// `ZHIFA_DOCUMENT_FALLBACK_FONTS`; parsed once into `font`) and the
/// templates.
pub async fn issuer(settings: &crate::config::Settings, fonts: &FontCell) -> AppResult<Issuer> {
    let font = fonts;
    let path = settings.document_font();
    let fallbacks = settings.document_fallback_fonts();
    let cell = font.clone();
    let chain = fallbacks.clone();
    let font = actix_web::web::block(move || {
        cell.default
            .get_or_init(|| DocFont::load_chain(&path, &chain).map(Arc::new))
            .clone()
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
    .map_err(AppError::internal)?;
    Ok(Issuer {
        font,
        templates: settings.fixtures().join("templates"),
        data_dir: settings.data_dir.clone(),
        key: settings.record_key.clone(),
        fonts: fonts.clone(),
        department_fonts: Arc::new(settings.department_fonts.clone()),
        fallbacks: Arc::new(fallbacks),
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
    let n = next_counter(conn, department_id, &template.kind, today.year())?;
    Ok(rules::document_number(short_name, code, today.year(), n))
}

/// The next value of a (department, kind, year) counter — case numbers and
/// every kind of document number: incremented inside the issuing
/// transaction, so numbers have no gaps and are never reused. On PostgreSQL
/// the UPDATE's row lock serialises concurrent issuers; the first number of
/// a year creates the row inside a savepoint, and a racing creator falls
/// back to the UPDATE.
pub fn next_counter(
    conn: &mut DbConn,
    department_id: &str,
    kind: &str,
    year: i32,
) -> AppResult<i64> {
    use crate::db::schema::document_counters as c;
    for _ in 0..3 {
        let bumped: Option<i64> = diesel::update(c::table.find((department_id, kind, year)))
            .set(c::last_value.eq(c::last_value + 1))
            .returning(c::last_value)
            .get_result(conn)
            .optional()?;
        if let Some(n) = bumped {
            return Ok(n);
        }
        let created = conn.transaction(|t| {
            diesel::insert_into(c::table)
                .values((
                    c::department_id.eq(department_id),
                    c::kind.eq(kind),
                    c::year.eq(year),
                    c::last_value.eq(1i64),
                ))
                .execute(t)
        });
        match created {
            Ok(_) => return Ok(1),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict("a number counter is busy; retry"))
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
                // A penalty without an amount (a warning) shows a dash in
                // the amount columns rather than leaving the table unfilled.
                "amount_words": x.amount_fen.map_or_else(|| "—".to_string(), rules::amount_in_words),
                "amount_figures": x.amount_fen.map_or_else(|| "—".to_string(), rules::amount_in_figures),
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
            "name": p.department.name, "short_name": p.department.short_name, "code": p.department.code,
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
    /// Characters no face had ("U+30000"), drawn as placeholders.
    pub missing_glyphs: Vec<String>,
}

/// Fills and renders a document (422 naming a missing field). A character
/// no face of the font chain has is drawn as a placeholder with its code
/// point and listed in `missing_glyphs`: never refused. No database:
/// callers may do it outside their transaction.
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
    // A title may name the act ("{approval.title}": 延长办案期限审批表).
    let title = rules::substitute(&template.title, ctx).unwrap_or_else(|_| template.title.clone());
    let organ = if template.organ_above_title {
        ctx.pointer("/department/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
    } else {
        ""
    };
    let font = iss.font_for(ctx.pointer("/department/code").and_then(Value::as_str))?;
    let drawn = pdf::render_drawn(
        &font,
        &pdf::Heading {
            organ,
            title: &title,
            number: &number,
            verification: &format!(
                "文书编号：{number}　核验码：{code}（可通过政务服务网站核验真伪）"
            ),
            key: &format!("{case_id}/{kind}/{number}"),
            date: today,
        },
        &blocks,
    )?;
    let missing_glyphs: Vec<String> = drawn
        .missing
        .iter()
        .map(|c| format!("U+{:04X}", *c as u32))
        .collect();
    if !missing_glyphs.is_empty() {
        tracing::warn!(case_id, kind, number, missing = ?missing_glyphs, "characters drawn as placeholders: no face of the font chain has them");
    }
    let bytes = drawn.bytes;
    let sha256 = hex::encode(<Sha256 as sha2::Digest>::digest(&bytes));
    Ok(Rendered {
        kind: kind.to_string(),
        title,
        number,
        code,
        bytes,
        sha256,
        missing_glyphs,
    })
}

/// The warning a document drawn with placeholders leaves in the case's
/// record (with the document it concerns); None when nothing was missing.
pub fn glyph_warning(missing: &[String]) -> Option<Value> {
    (!missing.is_empty()).then(|| {
        json!({
            "code": "glyph_placeholder",
            "characters": missing,
            "message": format!("文书字体链中没有这些字符，已以占位框标注码位：{}；请核对原件并配置包含这些字符的字体", missing.join("、")),
        })
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
    let mut incoming = crate::blobs::Incoming::new(&iss.data_dir)?;
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
            r::instance_id.eq(instance_id()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The numbers were issued: their reservations are done. Every one must
/// still be there: a reservation the sweep voided meanwhile (its holder
/// looked dead) refuses the issuing transaction, so a number is never both
/// issued and voided.
pub fn settle_reservations(conn: &mut DbConn, ids: &[String]) -> AppResult<()> {
    use crate::db::schema::number_reservations as r;
    let settled = diesel::delete(r::table.filter(r::id.eq_any(ids))).execute(conn)?;
    if settled != ids.len() {
        return Err(AppError::conflict(
            "the numbers reserved for this step were voided meanwhile; send the request again",
        ));
    }
    Ok(())
}

/// Reserved numbers that will not be issued go to the void register. Each
/// reservation is taken (deleted) and voided in one statement pair: one
/// already settled or voided is skipped. Answers how many were voided.
pub fn void_reservations(
    conn: &mut DbConn,
    ids: &[String],
    reason: &str,
    at: NaiveDateTime,
) -> AppResult<usize> {
    use crate::db::schema::{number_reservations as r, voided_numbers as v};
    if ids.is_empty() {
        return Ok(0);
    }
    let rows: Vec<(String, String, String)> = diesel::delete(r::table.filter(r::id.eq_any(ids)))
        .returning((r::department_id, r::kind, r::number))
        .get_results(conn)?;
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
    Ok(rows.len())
}

/// A number in the void register.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct VoidedNumber {
    pub id: String,
    pub department_id: String,
    /// The register: `case`, or the document kind.
    pub kind: String,
    pub number: String,
    /// Why it was not issued (`interrupted`: the process stopped between
    /// reserving and issuing it; else the refusal of the step).
    pub reason: String,
    /// RFC 3339, UTC.
    pub voided_at: String,
}

/// One page of the void register of a department subtree (`path_prefix`),
/// newest first (ids are time-ordered); `after` is the previous page's last id.
pub fn voided(
    conn: &mut DbConn,
    path_prefix: &str,
    kind: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> AppResult<Vec<VoidedNumber>> {
    use crate::db::schema::{departments as d, voided_numbers as v};
    let mut q = v::table
        .inner_join(d::table.on(d::id.eq(v::department_id)))
        .filter(
            d::path
                .like(crate::db::like_prefix(path_prefix))
                .escape(crate::db::LIKE_ESCAPE),
        )
        .order(v::id.desc())
        .limit(limit)
        .select((
            v::id,
            v::department_id,
            v::kind,
            v::number,
            v::reason,
            v::voided_at,
        ))
        .into_boxed();
    if let Some(k) = kind {
        q = q.filter(v::kind.eq(k.to_string()));
    }
    if let Some(a) = after {
        q = q.filter(v::id.lt(a.to_string()));
    }
    let rows: Vec<(String, String, String, String, String, NaiveDateTime)> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, department_id, kind, number, reason, at)| VoidedNumber {
                id,
                department_id,
                kind,
                number,
                reason,
                voided_at: rfc3339(at),
            },
        )
        .collect())
}

/// How old an unsettled reservation must be before the sweep voids it
/// whoever holds it: no step takes that long between its numbers and its
/// commit.
pub const RESERVATION_TIMEOUT: chrono::Duration = chrono::Duration::minutes(10);

/// How often a running instance says it is alive.
pub const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// An instance not heard from for this long is taken for dead: its
/// reservations are voided as "interrupted".
pub const INSTANCE_STALE: chrono::Duration = chrono::Duration::seconds(15);

/// This process's id among the instances sharing a database.
pub fn instance_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| uuid::Uuid::now_v7().to_string())
}

/// Says this instance is alive (its `instances` row, created if missing).
pub fn heartbeat(conn: &mut DbConn, name: &str, now: NaiveDateTime) -> AppResult<()> {
    use crate::db::schema::instances as i;
    let now = crate::db::micros(now);
    let seen = diesel::update(i::table.find(instance_id()))
        .set(i::seen_at.eq(now))
        .execute(conn)?;
    if seen == 0 {
        diesel::insert_into(i::table)
            .values((
                i::id.eq(instance_id()),
                i::name.eq(name),
                i::started_at.eq(now),
                i::seen_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// At start-up: this instance is registered, and every earlier process of
/// the same name is known dead (it cannot be running beside us), so the
/// sweep that follows voids its reservations at once.
pub fn start_instance(conn: &mut DbConn, name: &str, now: NaiveDateTime) -> AppResult<usize> {
    use crate::db::schema::instances as i;
    crate::db::write_tx(conn, |c| {
        diesel::delete(
            i::table
                .filter(i::name.eq(name))
                .filter(i::id.ne(instance_id())),
        )
        .execute(c)?;
        heartbeat(c, name, now)
    })?;
    crate::db::write_tx(conn, |c| sweep_reservations(c, now))
}

/// Voids ("interrupted") the reservations no living instance will settle:
/// those of instances not heard from within `INSTANCE_STALE` (or unknown),
/// and any older than `RESERVATION_TIMEOUT`. Safe on every instance at
/// once. Answers how many were voided.
pub fn sweep_reservations(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<usize> {
    use crate::db::schema::{instances as i, number_reservations as r};
    let alive = i::table
        .filter(i::seen_at.ge(crate::db::micros(now - INSTANCE_STALE)))
        .select(i::id);
    let alive: Vec<String> = alive.load(conn)?;
    let stale: Vec<String> = r::table
        .filter(
            r::reserved_at
                .lt(now - RESERVATION_TIMEOUT)
                .or(r::instance_id
                    .is_not_null()
                    .and(r::instance_id.ne_all(alive))),
        )
        .select(r::id)
        .limit(1000)
        .load(conn)?;
    // Instances gone for a day are forgotten.
    diesel::delete(i::table.filter(i::seen_at.lt(now - chrono::Duration::days(1))))
        .execute(conn)?;
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
    let mut incoming = crate::blobs::Incoming::new(&iss.data_dir)?;
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

/// The display name of a user, for signatures.
pub fn display_name(conn: &mut DbConn, user_id: &str) -> AppResult<String> {
    Ok(users::table
        .find(user_id)
        .select(users::display_name)
        .first(conn)?)
}

/// The number of the latest document of `kind` issued on a case (not
/// withdrawn); None when there is none.
pub fn latest_number(conn: &mut DbConn, case_id: &str, kind: &str) -> AppResult<Option<String>> {
    Ok(documents::table
        .filter(documents::case_id.eq(case_id))
        .filter(documents::kind.eq(kind))
        .filter(documents::withdrawn_at.is_null())
        .order((documents::generated_at.desc(), documents::id.desc()))
        .select(documents::number)
        .first(conn)
        .optional()?)
}

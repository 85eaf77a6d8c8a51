//! The documents of a case as their readers and a head see them: the
//! list, one document's metadata and PDF, a draft of any template, the
//! public verification of a number and its code, and withdrawal.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use validator::Validate;

use super::*;
use crate::auth::Caller;
use crate::cases::change::{change, Guard, How};
use crate::cases::events::{CaseEvent, DocumentWithdrawn};
use crate::db::schema::documents;
use crate::error::{AppError, AppResult, Code};
use crate::kernel::shape::not_blank;
use crate::state::AppState;

/// A row of `documents` as lists and answers show it.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub(crate) struct DocRow {
    id: String,
    case_id: String,
    pub(crate) kind: String,
    title: String,
    number: String,
    sha256: String,
    size_bytes: i64,
    verification_code: String,
    generated_at: NaiveDateTime,
    withdrawn_at: Option<NaiveDateTime>,
}

impl From<DocRow> for DocumentRef {
    fn from(r: DocRow) -> DocumentRef {
        DocumentRef {
            id: r.id,
            case_id: r.case_id,
            kind: r.kind,
            title: r.title,
            number: r.number,
            sha256: r.sha256,
            size_bytes: r.size_bytes,
            verification_code: r.verification_code,
            generated_at: rfc3339(r.generated_at),
            withdrawn_at: r.withdrawn_at.map(rfc3339),
        }
    }
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
                .select(DocRow::as_select())
                .load(conn)?;
            Ok(rows.into_iter().map(DocumentRef::from).collect())
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
                .select(DocRow::as_select())
                .first::<DocRow>(conn)
                .optional()?
                .map(DocumentRef::from)
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
    let bytes = actix_web::web::block(move || crate::blobs::read_verified(&dir, &sha))
        .await
        .map_err(|e| AppError::internal(e.to_string()))??;
    Ok((doc, bytes))
}

/// `POST /cases/{id}/documents/draft`.
#[derive(Debug, Clone, serde::Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    /// A template kind (e.g. `onsite_record`, `inquiry_record`, `penalty_notice`).
    #[validate(regex(path = *TEMPLATE_KIND, code = "invalid", message = "a template kind such as onsite_record"))]
    pub kind: String,
    /// Values to fill in besides the case's own (e.g. `{"record": {"place": "…"}}`).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: Value,
}

/// A template's kind: lowercase letters and underscores.
static TEMPLATE_KIND: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new("^[a-z_]+$").expect("valid regex"));

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
    let scope_ =
        crate::cases::readable_case(state, caller, case_id, crate::cases::Access::ReadCase).await?;
    let iss = super::issuer(&state.settings, &state.document_font).await?;
    let today = state.clock.today();
    state
        .db
        .run(move |conn| {
            let template = load_template(&iss.templates, &req.kind)?;
            let mut ctx = crate::cases::view::document_context(conn, &scope_.case_id, today)?;
            merge(&mut ctx, req.fields);
            let blocks = rules::fill_draft(&template, &ctx);
            let font = iss.font_for(
                ctx.pointer("/department/code")
                    .and_then(serde_json::Value::as_str),
            )?;
            let organ = if template.organ_above_title {
                ctx.pointer("/department/name")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
            } else {
                ""
            };
            pdf::render(
                &font,
                &pdf::Heading {
                    organ,
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
#[schema(as = DocumentVerification)]
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

/// `POST /documents/{id}/withdrawal`.
#[derive(Debug, Clone, serde::Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalRequest {
    #[validate(custom(function = not_blank, code = "required", message = "why the document is withdrawn"))]
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
            .select(DocRow::as_select())
            .first::<DocRow>(ctx.conn)
            .map(DocumentRef::from)?;
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

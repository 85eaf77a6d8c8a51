//! `POST|GET /clues`, `GET /clues/{id}`, the filing decision and
//! `POST /clues:import`.

use actix_web::{get, post, web, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;

use super::*;
use crate::http::{ApiJson, Listed};

fn created(c: &Clue) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/clues/{}", c.id),
        ))
        .json(c)
}

/// Registers a clue (线索) in the caller's department; the filing decision
/// is due the profile's working days after `discovered_at`.
#[utoipa::path(tag = "clues", request_body = NewClue,
    responses((status = 201, body = Clue), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/clues")]
pub async fn register_handler(
    state: web::Data<AppState>,
    caller: Caller,
    body: ApiJson<NewClue>,
) -> AppResult<HttpResponse> {
    Ok(created(&register(&state, &caller, body.0).await?))
}

/// The department's clues (a supervisor's: the region's), soonest due first.
#[utoipa::path(tag = "clues", params(ClueFilter),
    responses((status = 200, body = inline(crate::http::Page<Clue>)), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/clues")]
pub async fn list_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: Listed<ClueFilter>,
) -> AppResult<HttpResponse> {
    Ok(list(&state, &caller, q.filter, q.page).await?.respond())
}

/// One clue with its history.
#[utoipa::path(tag = "clues",
    responses((status = 200, body = Clue), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/clues/{id}")]
pub async fn get_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(get(&state, &caller, &id).await?))
}

/// One `POST /clues/{id}/<act>` handler answering the clue.
macro_rules! clue_act {
    ($name:ident, $route:literal, $body:ty, $run:path, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(tag = "clues", request_body = $body,
            responses((status = 200, body = Clue), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
                (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
                (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
            security(("bearer" = [])))]
        #[post($route)]
        pub async fn $name(state: web::Data<AppState>, caller: Caller, id: web::Path<String>, body: ApiJson<$body>) -> AppResult<HttpResponse> {
            Ok(HttpResponse::Ok().json($run(&state, &caller, None, &id, body.0).await?))
        }
    };
}

clue_act!(extension_handler, "/clues/{id}/extension", ClueExtensionRequest, extend,
    "延长立案核查期限: a head, once (SAMR procedure rules Art 18); officers ask with POST /approvals (kind clue_extension).");
clue_act!(rejection_handler, "/clues/{id}/rejection", RejectionRequest, reject,
    "不予立案 with its ground (Art 30, 31, 33, 36, 57; no jurisdiction): a head; time-barred only when the limitation ran out before discovery.");
clue_act!(
    transfer_handler,
    "/clues/{id}/transfer",
    ClueTransferRequest,
    transfer,
    "移送: the clue goes to the competent agency, by a head; the receiving department is told."
);

/// Testing or appraisal days not counted against the filing period: after
/// discovery, not after today, not overlapping, not inverted.
#[utoipa::path(tag = "clues", request_body = ExclusionRequest,
    responses((status = 200, body = Clue), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/clues/{id}/exclusions")]
pub async fn exclusion_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<ExclusionRequest>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(exclusion(&state, &caller, &id, body.0).await?))
}

/// 立案 from the clue, by a head (officers ask with POST /approvals, kind
/// `clue_filing`): the intake body of `POST /cases`, with the clue's
/// source and discovery; the case is linked to the clue.
#[utoipa::path(tag = "clues", request_body = crate::cases::NewCase,
    responses((status = 201, body = crate::cases::Case), (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/clues/{id}/filing")]
pub async fn filing_handler(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<crate::cases::NewCase>,
) -> AppResult<HttpResponse> {
    let r = file(&state, &caller, None, &id, body.0).await?;
    let mut resp = HttpResponse::Created();
    if let Some(l) = &r.location {
        resp.insert_header((actix_web::http::header::LOCATION, l.clone()));
    }
    Ok(resp.content_type("application/json").body(r.body))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Only check the file.
    #[serde(default)]
    pub dry_run: bool,
}

const MAX_IMPORT: usize = 4 * 1024 * 1024;

/// Imports clues from a CSV of monitoring results (columns `source,
/// summary, enforcement_item_code, party_name, location, occurred_at,
/// discovered_at`; `summary` and `discovered_at` required). Every bad cell
/// is reported with its line and column, and then nothing is imported.
#[utoipa::path(tag = "clues", params(ImportQuery),
    request_body(content = String, description = "the CSV file (UTF-8)", content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/clues:import")]
pub async fn import_handler(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ImportQuery>,
    mut payload: web::Payload,
) -> AppResult<HttpResponse> {
    caller.require_any(scope::CLUE_ROLES)?;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::bad_request(Code::BadRequest, e.to_string()))?;
        if body.len() + chunk.len() > MAX_IMPORT {
            return Err(AppError::new(
                Code::PayloadTooLarge,
                format!("a clue import may be at most {MAX_IMPORT} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| AppError::rule(Code::ImportFailed, "the file is not UTF-8 text"))?;
    Ok(HttpResponse::Ok().json(import(&state, &caller, text, q.dry_run).await?))
}

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(extension_handler);
    r.service(rejection_handler);
    r.service(transfer_handler);
    r.service(exclusion_handler);
    r.service(register_handler);
    r.service(list_handler);
    r.service(get_handler);
    r.service(filing_handler);
    r.service(import_handler);
}

/// The clue acts a head's approval runs.
pub fn approved_acts(acts: &mut crate::approvals::ApprovedActs) {
    use crate::approvals::rules::ApprovalKind;
    use crate::approvals::{parse, Acting, ApprovedAct, Approving};
    use serde_json::Value;
    macro_rules! clue_act {
        ($kind:expr, $body:ty, $run:path) => {{
            fn check(v: &Value) -> AppResult<()> {
                parse::<$body>(v).map(drop)
            }
            fn run<'a>(
                state: &'a AppState,
                head: &'a Caller,
                approving: Approving,
                clue: String,
                request: Value,
            ) -> Acting<'a> {
                Box::pin(async move {
                    let body: $body = parse(&request)?;
                    $run(state, head, Some(approving), &clue, body)
                        .await
                        .map(drop)
                })
            }
            acts.add(
                $kind,
                ApprovedAct {
                    check,
                    run,
                    on_reject: None,
                },
            );
        }};
    }
    clue_act!(ApprovalKind::ClueFiling, crate::cases::NewCase, file);
    clue_act!(ApprovalKind::ClueRejection, RejectionRequest, reject);
    clue_act!(ApprovalKind::ClueExtension, ClueExtensionRequest, extend);
    clue_act!(ApprovalKind::ClueTransfer, ClueTransferRequest, transfer);
}

//! One error type for the whole service. Every error leaves as RFC 9457
//! problem+json with a stable snake_case `code`; rules of the law answer 422
//! and cite the article in `detail`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

/// Stable error codes. Clients match on these; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    // generic HTTP-level
    BadRequest,
    InvalidJson,
    UnknownField,
    ValidationFailed,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    UnsupportedMediaType,
    PayloadTooLarge,
    Conflict,
    TooManyRequests,
    IdempotencyKeyReused,
    ServiceUnavailable,
    /// The database cannot be reached (no connection, connection lost):
    /// 503 with `Retry-After`; try again.
    DatabaseUnavailable,
    Internal,
    // auth and people
    WeakPassword,
    WrongPassword,
    // intake rules (立案)
    EnforcementItemUnknown,
    ItemNotHeldByDepartment,
    TooFewOfficers,
    OfficerUnknown,
    OfficerNotInDepartment,
    AuxiliaryNotOfficer,
    CertificateMissing,
    CertificateNotValid,
    CertificateFieldMismatch,
    CertificateAreaMismatch,
    LimitationPeriodExpired,
    DatesOutOfOrder,
    DateInFuture,
    InvalidIdNumber,
    InvalidUscc,
    PartyIdTypeMismatch,
    SimplifiedProcedureLimitExceeded,
    // fixtures and rule data
    MissingLegalBasis,
    ImportFailed,
    // discretion (裁量)
    BenchmarkMissing,
    LookupFactInvalid,
    FineOutsideLaw,
    DeviationReasonRequired,
    PenaltyBarred,
    // case state
    CaseClosed,
    TransitionNotAllowed,
    // evidence
    EvidenceIntegrityFailed,
    // workflow (APL Art 44–73)
    PreconditionFailed,
    ReportRequired,
    EvidenceMissing,
    DiscretionNotApplied,
    PenaltyTypeNotProvided,
    NoticeRequired,
    HeavierPenaltyNeedsReason,
    HeavierThanNotified,
    DeadlineNotReached,
    NoHearingRight,
    HearingRequestLate,
    HearingNotRequested,
    HearingNoticeTooShort,
    PresidingOfficerIsInvestigator,
    HearingPending,
    TranscriptMissing,
    LegalReviewRequired,
    ReviewPending,
    ReviewNotPending,
    ReviewerIsInvestigator,
    ReviewerNotQualified,
    ChecklistIncomplete,
    CollectiveDiscussionRequired,
    AttendeeNotHead,
    TooFewAttendees,
    NotAnAttendee,
    DecisionPeriodExpired,
    ExtensionTooLong,
    ExtensionNeedsCollectiveDiscussion,
    ServiceMethodNotAllowed,
    WrongDocument,
    NoFineToPay,
    Overpayment,
    DecisionNotPerformed,
    NotSuspended,
    // documents
    DocumentFieldMissing,
    GlyphMissing,
    DocumentTemplateMissing,
    // transfers
    TransferTargetInvalid,
    TransferPending,
    // officers
    OfficerRecused,
    ExclusionOverlap,
    ExclusionTooLong,
    EnforcementPeriodExpired,
    OnTheSpotNotAllowed,
    // approvals and clues
    ApprovalDecided,
    ApprovalPending,
    ApprovalKindMismatch,
    ClueDecided,
    ClueExtensionUsed,
    ClueGroundNotMet,
    FilingNotApproved,
    // seized property
    SeizureExtensionUsed,
    PropertyNotSettled,
    DisposalNeedsDecision,
    MeasureNotActive,
    /// A step that follows the service of the decision, taken before it (APL Art 67).
    DecisionNotServed,
    /// An extension the law does not allow (a preservation; a decided case).
    ExtensionNotAllowed,
    /// Only an inspection that found a violation becomes a clue.
    NoViolationFound,
    /// A field of the body names something that does not exist on this case.
    UnknownReference,
    /// A value that is well-formed but that the rule or the rule data does
    /// not accept (a year outside the tables, an amount below its minimum).
    InvalidValue,
    /// A completed evaluation (案卷评查) is final: it is not adjusted again.
    EvaluationCompleted,
}

impl Code {
    /// The code as clients see it (`snake_case`).
    pub fn as_str(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            _ => format!("{self:?}"),
        }
    }

    /// The one place that decides the HTTP status of an error: a rule of
    /// the law answers 422; a state that does not allow the act, 409.
    pub fn status(self) -> StatusCode {
        use Code::*;
        match self {
            BadRequest | InvalidJson | UnknownField | ValidationFailed => StatusCode::BAD_REQUEST,
            Unauthorized => StatusCode::UNAUTHORIZED,
            Forbidden | WrongPassword => StatusCode::FORBIDDEN,
            NotFound => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Conflict
            | CaseClosed
            | TransitionNotAllowed
            | ReviewPending
            | ReviewNotPending
            | ApprovalDecided
            | ApprovalPending
            | TransferPending
            | MeasureNotActive
            | ClueDecided
            | EvaluationCompleted
            | EvidenceIntegrityFailed => StatusCode::CONFLICT,
            PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ServiceUnavailable | DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

/// One offending field in a validation error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
    /// The file of an import row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The 1-based line (row) of an import file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
            file: None,
            line: None,
        }
    }
}

/// The problem+json body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: Code,
    /// The offending fields of a validation error (absent otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
#[error("{code:?}: {detail}")]
pub struct AppError {
    pub status: StatusCode,
    pub code: Code,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
    /// `Allow` header of a 405.
    pub allow: Option<String>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error with the status its code decides (`Code::status`).
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        AppError {
            status: code.status(),
            code,
            detail: detail.into(),
            errors: vec![],
            retry_after: None,
            allow: None,
        }
    }
    /// An error answered with the status actix chose (its own errors,
    /// rewritten as problem+json by `http::problem_for_plain_errors`).
    pub fn with_http_status(status: StatusCode, code: Code, detail: impl Into<String>) -> Self {
        AppError {
            status,
            ..Self::new(code, detail)
        }
    }
    /// A rule of the law (or of the house) refuses the action; `detail`
    /// cites the article.
    pub fn rule(code: Code, detail: impl Into<String>) -> Self {
        Self::new(code, detail)
    }
    pub fn rule_on_field(code: Code, field: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut e = Self::rule(code, detail.clone());
        e.errors.push(FieldError::new(field, code.as_str(), detail));
        e
    }
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        AppError {
            errors,
            ..Self::new(Code::ValidationFailed, detail)
        }
    }
    pub fn bad_request(code: Code, detail: impl Into<String>) -> Self {
        Self::new(code, detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(Code::Unauthorized, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(Code::Forbidden, detail)
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(Code::NotFound, what)
    }
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(Code::Conflict, detail)
    }
    pub fn too_many(detail: impl Into<String>, retry_after: u64) -> Self {
        AppError {
            retry_after: Some(retry_after),
            ..Self::new(Code::TooManyRequests, detail)
        }
    }
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(Code::Internal, detail)
    }
    /// 503 `database_unavailable` with `Retry-After`: the database cannot
    /// be reached now. `cause` goes to the log only.
    pub fn database_unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::warn!(cause = %cause, "database unavailable");
        AppError {
            retry_after: Some(DATABASE_RETRY_AFTER),
            ..Self::new(
                Code::DatabaseUnavailable,
                "the database cannot be reached; try again shortly",
            )
        }
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("https://zhifa.example/problems/{}", self.code.as_str()),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            errors: self.errors.clone(),
        }
    }
}

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Seconds a client is told to wait (`Retry-After`) when the database is unavailable.
pub const DATABASE_RETRY_AFTER: u64 = 5;

impl AppError {
    /// The response as a client gets it (what actix sends for this error).
    pub fn error_response_public(&self) -> HttpResponse {
        ResponseError::error_response(self)
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            // The cause goes to the log, never to the client.
            tracing::error!(code = ?self.code, detail = %self.detail, "request failed");
        }
        let mut problem = self.problem();
        if self.code == Code::Internal {
            problem.detail = "internal error; see the server log for the request id".into();
        }
        let mut builder = HttpResponse::build(self.status);
        builder.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if let Some(allow) = &self.allow {
            builder.insert_header((header::ALLOW, allow.clone()));
        }
        if let Some(secs) = self.retry_after {
            builder.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        builder.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for AppError {
    /// No database text ever reaches a client: the cause is logged, the
    /// answer says what happened in the service's own words.
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::not_found("not found"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::info!(cause = %info.message(), "unique violation");
                AppError::conflict("already exists")
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                AppError::conflict("concurrent change; retry")
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::database_unavailable(info.message())
            }
            Error::DatabaseError(_, info) if connection_lost(info.message()) => {
                AppError::database_unavailable(info.message())
            }
            other => AppError::internal(format!("database: {other}")),
        }
    }
}

/// Messages of a database that went away (PostgreSQL: server shut down or
/// connection terminated; SQLite: the file cannot be opened or read, or
/// the write lock was not granted within the busy timeout).
fn connection_lost(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "terminating connection",
        "server closed the connection",
        "no connection to the server",
        "could not receive data",
        "could not send data",
        "connection refused",
        "the database system is shutting down",
        "the database system is starting up",
        "unable to open database file",
        "disk i/o error",
        "database is locked",
    ]
    .iter()
    .any(|p| m.contains(p))
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::database_unavailable(format!("database pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        AppError::internal("blocking task cancelled")
    }
}

impl From<ValidationErrors> for AppError {
    /// 400 `validation_failed` naming every field the shape checks refused.
    fn from(e: ValidationErrors) -> Self {
        AppError::validation(shape_errors(&e))
    }
}

/// The shape checks of a request body (`validator`'s derive on its type):
/// 400 `validation_failed` naming every offending field, as `ApiJson` does
/// for a body it parses and an approval for the body it stored.
pub fn check_shape<T: Validate + ?Sized>(body: &T) -> AppResult<()> {
    body.validate().map_err(AppError::from)
}

/// `validator`'s errors as `errors[]`, each with its full path: nested
/// structs as `party.name`, list items as `samples[0].name`; a
/// struct-level check (`schema`) names its field in the param
/// `kernel::shape::FIELD`, relative to the struct. The code is the check's
/// `code`, the message its `message` (else the code). Sorted by path, list
/// indexes in numeric order, so the answer does not depend on hashing.
pub fn shape_errors(e: &ValidationErrors) -> Vec<FieldError> {
    fn join(prefix: &str, key: &str) -> String {
        match (prefix.is_empty(), key.is_empty()) {
            (_, true) => prefix.to_string(),
            (true, false) => key.to_string(),
            (false, false) => format!("{prefix}.{key}"),
        }
    }
    fn walk(e: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
        for (key, kind) in e.errors() {
            match kind {
                ValidationErrorsKind::Field(errors) => {
                    for err in errors {
                        let field = if key == "__all__" {
                            let named = err
                                .params
                                .get(crate::kernel::shape::FIELD)
                                .and_then(|v| v.as_str())
                                .unwrap_or_default();
                            join(prefix, named)
                        } else {
                            join(prefix, key)
                        };
                        let message = err
                            .message
                            .as_deref()
                            .unwrap_or(err.code.as_ref())
                            .to_string();
                        out.push(FieldError::new(field, err.code.as_ref(), message));
                    }
                }
                ValidationErrorsKind::Struct(inner) => walk(inner, &join(prefix, key), out),
                ValidationErrorsKind::List(items) => {
                    let list = join(prefix, key);
                    for (i, inner) in items {
                        walk(inner, &format!("{list}[{i}]"), out);
                    }
                }
            }
        }
    }
    /// `samples[10].name` after `samples[2].name`.
    fn order(path: &str) -> Vec<(String, usize)> {
        path.split(['[', ']'])
            .map(|part| match part.parse::<usize>() {
                Ok(i) => (String::new(), i),
                Err(_) => (part.to_string(), 0),
            })
            .collect()
    }
    let mut out = vec![];
    walk(e, "", &mut out);
    out.sort_by_cached_key(|f| (order(&f.field), f.code.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::shape::{at, not_blank};
    use validator::ValidationError;

    #[derive(Validate, Serialize)]
    struct Item {
        #[validate(custom(function = not_blank, code = "required", message = "the sample"))]
        name: String,
    }

    fn signed(o: &Outer) -> Result<(), ValidationError> {
        if o.signed || o.note.is_some() {
            Ok(())
        } else {
            Err(at("note", "required", "a refusal is noted"))
        }
    }

    #[derive(Validate)]
    #[validate(schema(function = signed, skip_on_field_errors = false))]
    struct Outer {
        #[validate(length(max = 3, code = "too_long", message = "at most 3 characters"))]
        title: String,
        #[validate(nested)]
        party: Item,
        #[validate(
            length(min = 1, code = "required", message = "the samples taken"),
            nested
        )]
        samples: Vec<Item>,
        signed: bool,
        note: Option<String>,
    }

    fn item(name: &str) -> Item {
        Item { name: name.into() }
    }

    #[test]
    fn paths_codes_and_messages() {
        let mut o = Outer {
            title: "abcd".into(),
            party: item(" "),
            samples: (0..11)
                .map(|i| item(if i == 2 || i == 10 { "" } else { "x" }))
                .collect(),
            signed: false,
            note: None,
        };
        let e = check_shape(&o).unwrap_err();
        assert_eq!(e.code, Code::ValidationFailed);
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        let got: Vec<(&str, &str, &str)> = e
            .errors
            .iter()
            .map(|f| (f.field.as_str(), f.code.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("note", "required", "a refusal is noted"),
                ("party.name", "required", "the sample"),
                ("samples[2].name", "required", "the sample"),
                ("samples[10].name", "required", "the sample"),
                ("title", "too_long", "at most 3 characters"),
            ]
        );
        assert!(e.detail.contains("samples[10].name: the sample"));
        o.samples.clear();
        o.title = "abc".into();
        o.party = item("张三");
        o.signed = true;
        let e = check_shape(&o).unwrap_err();
        assert_eq!(e.errors.len(), 1);
        assert_eq!(
            (e.errors[0].field.as_str(), e.errors[0].code.as_str()),
            ("samples", "required")
        );
        o.samples.push(item("样品"));
        assert!(check_shape(&o).is_ok());
    }

    #[test]
    fn a_struct_level_error_without_a_field_names_its_struct() {
        let mut e = ValidationErrors::new();
        e.add("__all__", ValidationError::new("invalid"));
        let mut outer = ValidationErrors::new();
        outer
            .errors_mut()
            .insert("party".into(), ValidationErrorsKind::Struct(Box::new(e)));
        let f = shape_errors(&outer);
        assert_eq!(
            (f[0].field.as_str(), f[0].message.as_str()),
            ("party", "invalid")
        );
    }
}

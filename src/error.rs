//! One error type for the whole service. Every error leaves as RFC 9457
//! problem+json with a stable snake_case `code`; rules of the law answer 422
//! and cite the article in `detail`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

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
            | EvidenceIntegrityFailed => StatusCode::CONFLICT,
            PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
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
    /// A required text left blank (or only spaces).
    pub fn blank(field: &str, value: &str, what: &str) -> Option<FieldError> {
        value
            .trim()
            .is_empty()
            .then(|| FieldError::new(field, "required", what))
    }

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
    #[serde(skip_serializing_if = "Vec::is_empty")]
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
    /// 400 naming every field in `errors`; Ok when there are none.
    pub fn check_fields(errors: Vec<FieldError>) -> Result<(), Self> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Self::validation(errors))
        }
    }
    /// 400 naming `field` when the text is blank.
    pub fn require_text(field: &str, value: &str, what: &str) -> Result<(), Self> {
        Self::check_fields(FieldError::blank(field, value, what).into_iter().collect())
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
        if self.status.is_server_error() {
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
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::not_found("not found"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                AppError::conflict(format!("already exists: {}", info.message()))
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                AppError::conflict("concurrent change; retry")
            }
            other => AppError::internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::new(Code::ServiceUnavailable, format!("database pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        AppError::internal("blocking task cancelled")
    }
}

//! The one place where the capabilities' routes are merged, in the order
//! actix tries them (the hottest first). Each capability lists its own
//! routes in `api::routes`; the OpenAPI document is built from the same
//! registrations (`openapi::document`).

use crate::approvals::ApprovedActs;
use crate::http::routes::Routes;
use crate::{
    appraisals, approvals, auth, calendar, cases, clues, complaints, disclosure, discretion,
    documents, evaluation, evidence, execution, guidance, indicators, inspections, investigation,
    items, org, property, records, review, transfers, warnings, workbench, workflow,
};

/// Every route under `/api/v1`.
pub fn api(r: &mut Routes) {
    cases::api::routes(r);
    discretion::api::routes(r);
    auth::api::routes(r);
    org::api::routes(r);
    items::api::routes(r);
    records::api::routes(r);
    calendar::api::routes(r);
    warnings::api::routes(r);
    evaluation::api::routes(r);
    indicators::api::routes(r);
    evidence::api::routes(r);
    investigation::api::routes(r);
    documents::api::routes(r);
    approvals::api::routes(r);
    clues::api::routes(r);
    workbench::api::routes(r);
    property::api::routes(r);
    inspections::api::routes(r);
    appraisals::api::routes(r);
    transfers::api::routes(r);
    workflow::api::routes(r);
    review::api::routes(r);
    execution::api::routes(r);
    disclosure::api::routes(r);
    complaints::api::routes(r);
    guidance::api::routes(r);
}

/// Every act a head's approval runs, from the capabilities that own them
/// (`approvals::decide` looks them up here, knowing none of them).
pub fn approved_acts() -> ApprovedActs {
    let mut acts = ApprovedActs::default();
    workflow::api::approved_acts(&mut acts);
    execution::api::approved_acts(&mut acts);
    property::api::approved_acts(&mut acts);
    transfers::api::approved_acts(&mut acts);
    clues::api::approved_acts(&mut acts);
    acts
}

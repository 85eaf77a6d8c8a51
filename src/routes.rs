//! The one place where the capabilities' routes are merged, in the order
//! actix tries them (the hottest first). Each capability lists its own
//! routes in `api::routes`; the OpenAPI document is built from the same
//! registrations (`openapi::document`).

use actix_web::web;

use crate::http::routes::Routes;
use crate::{
    appraisals, approvals, auth, calendar, cases, clues, discretion, documents, evidence,
    inspections, investigation, items, openapi, org, property, records, transfers, warnings,
    workbench, workflow,
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
    r.undocumented("/openapi.json", web::get().to(openapi::serve_json));
}

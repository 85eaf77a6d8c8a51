//! `POST /cases/{id}/samplings`, `POST /cases/{id}/appraisals`,
//! `POST /cases/{id}/appraisals/result`.

use crate::cases::change::step_route;
use crate::cases::events::{AppraisalRequest, AppraisalResultRequest, SamplingRequest};
use crate::http::routes::Routes;

/// The routes of this capability.
pub fn routes(r: &mut Routes) {
    step_route::<SamplingRequest>(r);
    step_route::<AppraisalRequest>(r);
    step_route::<AppraisalResultRequest>(r);
}

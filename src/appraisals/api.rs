//! `POST /cases/{id}/samplings`, `POST /cases/{id}/appraisals`,
//! `POST /cases/{id}/appraisals/result`.

use actix_web::post;

use super::*;
use crate::workflow::api::step_endpoint;

step_endpoint!(@tag "evidence", sampling_handler, "/cases/{id}/samplings", SamplingRequest, sample,
    "抽样取证: the samples taken (name, batch, quantity, base) and whether the party signed the record.");
step_endpoint!(@tag "evidence", appraisal_handler, "/cases/{id}/appraisals", AppraisalRequest, commission,
    "委托检测、检验、鉴定: the institution and the matter, commissioned between filing and today.");
step_endpoint!(@tag "evidence", appraisal_result_handler, "/cases/{id}/appraisals/result", AppraisalResultRequest, result,
    "The result of a commission, notified to the party; the days from commission to result are excluded from the 90-day decision period.");

/// The routes of this capability, each documented where it is written.
pub fn routes(r: &mut crate::http::routes::Routes) {
    r.service(sampling_handler);
    r.service(appraisal_handler);
    r.service(appraisal_result_handler);
}

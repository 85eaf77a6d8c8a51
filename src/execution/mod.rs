//! 执行 — enforcement of decisions (payments, late fees, court
//! enforcement). The law is in `rules.rs`; the endpoints come with the
//! decision and service steps of the case workflow.

pub mod rules;

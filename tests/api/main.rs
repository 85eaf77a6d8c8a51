//! Black-box API tests: the real server over real HTTP on a real database,
//! each test on SQLite and (with ZHIFA_TEST_POSTGRES_URL) on PostgreSQL.

mod common;

mod approvals;
mod architecture;
mod auth;
mod calendar;
mod cases;
mod cli;
mod clues;
mod complaints;
mod disclosure;
mod discretion;
mod documents;
mod evidence;
mod guidance;
mod investigation;
mod items;
mod org;
mod paging;
mod property;
mod records;
mod service;
mod supervision;
mod transfers;
mod trust;
mod warnings;
mod workflow;

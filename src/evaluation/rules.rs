//! 案卷评查 — the automatic pre-score of a case file, its grade, and the
//! seeded sample of a batch. Pure: everything is loaded beforehand
//! (`CaseFacts`). Every check calls the function the workflow, intake or
//! the documents use for the same question — never a second copy of a
//! rule — so a rule changed there changes the pre-score too.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rubric::{Check, Rubric, VetoBehaviour};
use crate::approvals::rules::ApprovalStatus;
use crate::calendar::Calendar;
use crate::cases::events::*;
use crate::cases::file::CaseFile;
use crate::cases::rules::{CaseStatus, Party, Procedure};
use crate::clock::china_date;
use crate::error::AppError;
use crate::items::ItemData;
use crate::kernel::Fen;
use crate::org::rules::OfficerFacts;
use crate::profiles::Profile;
use crate::records::Verification;
use crate::workflow::rules as wf;

/// A document of the case as the pre-scorer sees it.
#[derive(Debug, Clone)]
pub struct DocFacts {
    pub kind: String,
    pub number: String,
    pub withdrawn: bool,
}

/// Everything the pre-scorer reads of one case, loaded beforehand.
pub struct CaseFacts<'a> {
    pub procedure: Procedure,
    pub status: CaseStatus,
    pub party: &'a Party,
    pub filed_on: NaiveDate,
    pub department_id: &'a str,
    pub department_path: &'a str,
    pub department_domains: &'a [String],
    /// None: no such item.
    pub item: Option<&'a ItemData>,
    /// The case's officers (not auxiliaries, not recused), and their facts.
    pub officer_ids: &'a [String],
    pub officers: &'a [OfficerFacts],
    /// The case's events, oldest first.
    pub events: &'a [Stored<CaseEvent>],
    /// The record seq of each step (by step id), for citing evidence.
    pub step_seqs: &'a std::collections::HashMap<String, i64>,
    /// The latest filing approval's state (None: none was asked).
    pub filing: Option<ApprovalStatus>,
    /// Evidence items and investigation records on the case.
    pub evidence: usize,
    /// The latest discretion lookup attached to the case.
    pub lookup: Option<&'a crate::discretion::rules::Lookup>,
    pub documents: &'a [DocFacts],
    /// Criminal transfers made (移送司法机关).
    pub criminal_transfers: usize,
    pub chain: &'a Verification,
    /// The rule profile the case was filed under.
    pub profile: &'a Profile,
    pub cal: &'a Calendar,
    pub today: NaiveDate,
}

/// What a finding points at in the file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Cite {
    /// The step (`kind:id`) the finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Its entry in the case's full-process record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_seq: Option<i64>,
    /// The document number (文号).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

/// One defect found, with the rule that finds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    /// The refusal's code where a workflow rule found it.
    pub code: String,
    /// The rule, with its article.
    pub rule: String,
    pub evidence: Cite,
}

/// How an item was scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Decided from the case data.
    Automatic,
    /// The data cannot decide it: the evaluator scores it (full points until then).
    ForEvaluator,
    /// The question does not arise in this file (no decision, no fine …): full points.
    NotApplicable,
}

/// One item of a pre-score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ItemScore {
    pub code: String,
    pub section: String,
    pub name: String,
    pub points: u32,
    pub deduction: u32,
    pub state: ItemState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub veto: Option<u8>,
    pub basis: String,
    pub findings: Vec<Finding>,
}

/// 等次 (REFERENCE §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 优秀
    Excellent,
    /// 合格
    Pass,
    /// 不合格
    Fail,
}

impl Grade {
    pub fn chinese(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Pass => "合格",
            Grade::Fail => "不合格",
        }
    }
}

/// A scored file: items, total, veto items failed, grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Scored {
    pub items: Vec<ItemScore>,
    pub score: u32,
    /// The veto items (REFERENCE §6.2) failed.
    pub vetoes: Vec<u8>,
    pub grade: Grade,
}

/// The grade of a score with the rubric's thresholds and veto behaviour.
pub fn grade(rubric: &Rubric, score: u32, vetoed: bool) -> Grade {
    let by_score = if score >= rubric.grades.excellent {
        Grade::Excellent
    } else if score >= rubric.grades.pass {
        Grade::Pass
    } else {
        Grade::Fail
    };
    match (vetoed, rubric.veto) {
        (false, _) => by_score,
        (true, VetoBehaviour::Fail) => Grade::Fail,
        (true, VetoBehaviour::BarTopGrade) if by_score == Grade::Excellent => Grade::Pass,
        (true, VetoBehaviour::BarTopGrade) => by_score,
    }
}

/// Totals the items: score, veto items failed (a veto item fails when it
/// loses all its points: a finding of its check, or the evaluator's 0), grade.
pub fn total(rubric: &Rubric, items: Vec<ItemScore>) -> Scored {
    let score = items
        .iter()
        .map(|i| i.points - i.deduction.min(i.points))
        .sum();
    let mut vetoes: Vec<u8> = items
        .iter()
        .filter(|i| i.deduction >= i.points)
        .filter_map(|i| i.veto)
        .collect();
    vetoes.sort();
    vetoes.dedup();
    let grade = grade(rubric, score, !vetoes.is_empty());
    Scored {
        items,
        score,
        vetoes,
        grade,
    }
}

fn from_error(e: &AppError, evidence: Cite) -> Finding {
    Finding {
        code: e.code.as_str(),
        rule: e.detail.clone(),
        evidence,
    }
}

fn finding(code: &str, rule: impl Into<String>, evidence: Cite) -> Finding {
    Finding {
        code: code.into(),
        rule: rule.into(),
        evidence,
    }
}

/// The pre-score of a case file under a rubric.
pub fn pre_score(rubric: &Rubric, f: &CaseFacts) -> Scored {
    let items = rubric
        .items()
        .map(|(section, item)| {
            let (state, findings) = match item.check {
                None => (ItemState::ForEvaluator, vec![]),
                Some(c) => match check(c, f) {
                    None => (ItemState::NotApplicable, vec![]),
                    Some(found) => (ItemState::Automatic, found),
                },
            };
            let deduction = if findings.is_empty() {
                0
            } else {
                match item.per_finding {
                    Some(p) => (p * findings.len() as u32).min(item.points),
                    None => item.points,
                }
            };
            ItemScore {
                code: item.code.clone(),
                section: section.name.clone(),
                name: item.name.clone(),
                points: item.points,
                deduction,
                state,
                veto: item.veto,
                basis: item.basis.clone(),
                findings,
            }
        })
        .collect();
    total(rubric, items)
}

/// The decision and the file as it stood just before it.
struct AtDecision<'a> {
    decision: &'a Stored<CaseEvent>,
    body: &'a DecisionStep,
    before: CaseFile,
    on: NaiveDate,
}

fn at_decision<'a>(f: &'a CaseFacts) -> Option<AtDecision<'a>> {
    let i = f
        .events
        .iter()
        .position(|e| matches!(e.body, CaseEvent::Decision(_)))?;
    let mut before = CaseFile::default();
    for e in &f.events[..i] {
        before.apply(e);
    }
    let decision = &f.events[i];
    let CaseEvent::Decision(body) = &decision.body else {
        return None;
    };
    Some(AtDecision {
        decision,
        body,
        before,
        on: china_date(decision.at.and_utc()),
    })
}

fn step_cite(f: &CaseFacts, e: &Stored<CaseEvent>, document: Option<&str>) -> Cite {
    Cite {
        step: Some(format!("{}:{}", e.body.kind(), e.id)),
        record_seq: f.step_seqs.get(&e.id).copied(),
        document: document.map(str::to_owned),
    }
}

fn whole_file() -> Cite {
    Cite::default()
}

fn file_now(f: &CaseFacts) -> CaseFile {
    let mut file = CaseFile::default();
    for e in f.events {
        file.apply(e);
    }
    file
}

/// One check: None when the question does not arise in this file, else
/// the findings (empty: passed).
pub fn check(c: Check, f: &CaseFacts) -> Option<Vec<Finding>> {
    let dec = at_decision(f);
    let mut out = vec![];
    match c {
        Check::ItemHeld => match f.item {
            None => out.push(finding(
                "enforcement_item_unknown",
                "执法事项不存在，处罚没有法定依据（行政处罚法第三十八条）",
                whole_file(),
            )),
            Some(item) if !crate::items::held_by(item, f.department_domains) => out.push(finding(
                "item_not_held_by_department",
                format!(
                    "执法事项 {} 不在本机关的权责清单内（行政处罚法第十七条）",
                    item.code
                ),
                whole_file(),
            )),
            Some(_) => {}
        },
        Check::OfficersQualified => {
            let domain = f.item.map(|i| i.domain.as_str()).unwrap_or("");
            let mut days = vec![(f.filed_on, Cite::default())];
            if let Some(d) = &dec {
                days.push((d.on, step_cite(f, d.decision, Some(&d.body.number))));
            }
            for (day, cite) in days {
                if let Err(e) = crate::cases::rules::two_qualified_officers(
                    f.officer_ids,
                    f.officers,
                    f.department_id,
                    f.department_path,
                    domain,
                    day,
                    "officer_ids",
                ) {
                    let mut found = from_error(&e, cite);
                    found.rule = format!("{}（{day}）", found.rule);
                    out.push(found);
                }
            }
        }
        Check::PartyIdentity => {
            if let Some(e) = crate::kernel::party::party_identity_error(f.party) {
                out.push(from_error(&e, whole_file()));
            }
        }
        Check::EvidencePresent => {
            let d = dec.as_ref()?;
            if d.body.request.outcome != ProposedOutcome::Penalty
                || f.procedure != Procedure::General
            {
                return None;
            }
            let cite = step_cite(f, d.decision, Some(&d.body.number));
            if f.evidence == 0 {
                out.push(finding(
                    "evidence_missing",
                    "行政处罚的事实无证据证明（行政处罚法第四十条、第四十六条）",
                    cite.clone(),
                ));
            }
            // A multiple of the goods value or illegal gains needs the base determined.
            if let Some(l) = f.lookup {
                if (l.multiple_min.is_some() || l.multiple_max.is_some()) && l.base_fen.is_none() {
                    out.push(finding(
                        "lookup_fact_invalid",
                        "按倍数处罚的，货值金额或者违法所得未认定（REFERENCE §6.2 第4项）",
                        cite,
                    ));
                }
            }
        }
        Check::FineJudged => {
            let d = dec.as_ref()?;
            if d.body.fine_fen == Fen::ZERO {
                return None;
            }
            let cite = step_cite(f, d.decision, Some(&d.body.number));
            match f.lookup {
                None if f.procedure == Procedure::General => out.push(finding(
                    "discretion_not_applied",
                    "罚款数额未适用裁量基准（国办发〔2022〕27号；行政处罚法第五条）",
                    cite,
                )),
                None => {}
                Some(l) => {
                    if let Err(r) = crate::discretion::rules::judge_fine(
                        l,
                        d.body.fine_fen.get(),
                        d.body.request.deviation_reason.as_deref(),
                    ) {
                        out.push(from_error(&crate::discretion::refusal_error(&r), cite));
                    }
                }
            }
        }
        Check::FilingApproved => {
            if f.procedure != Procedure::General {
                return None;
            }
            // An open case's filing may still await its head: not a defect yet.
            if f.filing == Some(ApprovalStatus::Pending) && !closed(f.status) {
                return None;
            }
            if let Err(e) = crate::approvals::rules::check_filing_approved(f.filing) {
                out.push(from_error(&e, whole_file()));
            }
        }
        Check::DecisionGuards => {
            let d = dec.as_ref()?;
            let cite = step_cite(f, d.decision, Some(&d.body.number));
            for e in decision_guard_errors(f, d) {
                out.push(from_error(&e, cite.clone()));
            }
        }
        Check::DecisionInTime => {
            let d = dec.as_ref()?;
            if f.procedure != Procedure::General {
                return None;
            }
            let (due, _) = wf::decision_due(f.filed_on, &d.before, d.on, f.cal);
            if let Err(e) = wf::within_decision_period(d.on, due) {
                out.push(from_error(
                    &e,
                    step_cite(f, d.decision, Some(&d.body.number)),
                ));
            }
        }
        Check::ServiceInTime => {
            let d = dec.as_ref()?;
            let due = if f.procedure == Procedure::General {
                crate::execution::rules::service_due(d.on, f.cal)
            } else {
                d.on
            };
            let service = f
                .events
                .iter()
                .find(|e| matches!(e.body, CaseEvent::Service(_)));
            match service {
                None => out.push(finding(
                    "decision_not_served",
                    "行政处罚决定书未送达（行政处罚法第六十一条）",
                    step_cite(f, d.decision, Some(&d.body.number)),
                )),
                Some(s) => {
                    let CaseEvent::Service(body) = &s.body else {
                        return None;
                    };
                    let served = china_date(body.request.served_at);
                    if served > due {
                        out.push(finding(
                            "service_late",
                            format!("决定书应于{due}前送达，实际于{served}送达（行政处罚法第六十一条：七日内送达）"),
                            step_cite(f, s, Some(&d.body.number)),
                        ));
                    }
                }
            }
        }
        Check::LateFee => {
            let file = file_now(f);
            let owed = crate::execution::owed_on(&file, f.today)?;
            if file.court.iter().any(|c| c.body.accepted) {
                return None;
            }
            if owed.outstanding_fen > Fen::ZERO && closed(f.status) {
                out.push(finding(
                    "decision_not_performed",
                    format!(
                        "结案时罚款及加处罚款尚欠{}（其中加处罚款{}，{}日）（行政处罚法第七十二条第一款第一项）",
                        crate::discretion::model::yuan_text(owed.outstanding_fen),
                        crate::discretion::model::yuan_text(owed.late_fee_fen),
                        owed.late_days
                    ),
                    dec.as_ref()
                        .map(|d| step_cite(f, d.decision, Some(&d.body.number)))
                        .unwrap_or_default(),
                ));
            }
        }
        Check::TransferMade => {
            let proposed = f.events.iter().find(|e| {
                matches!(&e.body, CaseEvent::Report(r) if r.request.outcome == ProposedOutcome::TransferCriminal)
            })?;
            if f.criminal_transfers == 0 {
                out.push(finding(
                    "transfer_missing",
                    "调查终结报告认定涉嫌犯罪，应当移送司法机关而未移送（行政处罚法第二十七条、第八十二条）",
                    step_cite(f, proposed, None),
                ));
            }
        }
        Check::DocumentsNumbered => {
            for kind in required_documents(f, dec.as_ref()) {
                if !f.documents.iter().any(|d| d.kind == kind && !d.withdrawn) {
                    out.push(finding(
                        "document_missing",
                        format!("案卷缺少文书：{kind}"),
                        whole_file(),
                    ));
                }
            }
            for d in f.documents.iter().filter(|d| !d.withdrawn) {
                if d.number.trim().is_empty() {
                    out.push(finding(
                        "document_unnumbered",
                        format!("文书 {} 未编号", d.kind),
                        whole_file(),
                    ));
                }
            }
        }
        Check::RecordChain => {
            if !f.chain.valid {
                out.push(finding(
                    "record_chain_broken",
                    "执法全过程记录的哈希链校验未通过（行政处罚法第四十七条）",
                    Cite {
                        record_seq: f.chain.first_bad_seq,
                        ..Cite::default()
                    },
                ));
            }
        }
        Check::Closed => {
            if !closed(f.status) {
                out.push(finding("case_not_closed", "案件未结案归档", whole_file()));
            }
        }
    }
    Some(out)
}

fn closed(s: CaseStatus) -> bool {
    matches!(s, CaseStatus::Closed | CaseStatus::Archived)
}

/// The documents the procedure issues for the file as it is.
fn required_documents(f: &CaseFacts, dec: Option<&AtDecision>) -> Vec<&'static str> {
    let mut out = vec![];
    match (f.procedure, dec) {
        (Procedure::Simplified, Some(_)) => out.push("on_the_spot_decision"),
        (Procedure::Simplified, None) => {}
        (Procedure::General, d) => {
            out.push("filing_approval");
            if let Some(d) = d {
                if d.body.request.outcome == ProposedOutcome::Penalty {
                    out.push("penalty_notice");
                    out.push("penalty_decision");
                } else {
                    out.push("no_penalty_decision");
                }
            }
        }
    }
    out
}

/// Every guard of `workflow::rules::check_decision` that refuses the
/// decision on the file as it stood when it was made (not only the first:
/// an evaluation wants them all).
fn decision_guard_errors(f: &CaseFacts, d: &AtDecision) -> Vec<AppError> {
    let req = &d.body.request;
    let file = &d.before;
    let mut out = vec![];
    let mut keep = |r: Result<(), AppError>| {
        if let Err(e) = r {
            out.push(e);
        }
    };
    keep(wf::decision_outcome_allowed(req));
    keep(wf::penalties_named(req));
    keep(wf::no_penalty_imposes_none(req));
    if f.procedure == Procedure::Simplified {
        keep(wf::simplified_form_numbered(req));
        keep(wf::simplified_party_informed(req));
        keep(wf::simplified_within_limits(req, f.party.kind));
        return out;
    }
    let report = match file.latest_report() {
        Ok(r) => r,
        Err(e) => {
            out.push(e);
            return out;
        }
    };
    if req.outcome == ProposedOutcome::Penalty {
        match wf::notified_before_decision(file) {
            Ok(notice) => {
                keep(wf::statement_period_over(file, notice, d.on));
                keep(wf::hearing_request_period_over(file, notice, d.on));
            }
            Err(e) => keep(Err(e)),
        }
        keep(wf::requested_hearing_held(file));
        keep(wf::hearing_held_with_transcript(file));
        keep(wf::every_penalty_notified(file, &req.penalties));
        keep(wf::not_heavier_than_notified(file, &req.penalties));
    }
    let proposal = wf::as_proposed(&req.penalties);
    let verdict = d
        .body
        .verdict
        .as_deref()
        .and_then(crate::db::enum_parse::<crate::discretion::rules::Verdict>);
    keep(
        wf::legality_review_approved(f.profile, f.party.kind, &proposal, verdict, file, report)
            .map(|_| ()),
    );
    keep(wf::collective_discussion_confirmed(
        f.profile,
        f.party.kind,
        &proposal,
        file,
        report,
    ));
    out
}

/// The cases a batch takes: all of `candidates` (sorted by id first), or
/// `size` of them drawn with `seed` — the same seed draws the same sample
/// from the same cases (双随机: anyone can re-draw it). A partial
/// Fisher–Yates shuffle driven by SplitMix64.
pub fn draw_sample(candidates: &[String], size: Option<usize>, seed: u64) -> Vec<String> {
    let mut pool: Vec<String> = candidates.to_vec();
    pool.sort();
    pool.dedup();
    let Some(n) = size else {
        return pool;
    };
    let n = n.min(pool.len());
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in 0..n {
        let j = i + (next() % (pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(n);
    pool.sort();
    pool
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::rubric::{Grades, RubricItem, RubricSection};

    fn rubric(veto: VetoBehaviour) -> Rubric {
        Rubric {
            code: "t".into(),
            version: 1,
            name: "t".into(),
            procedure: Procedure::General,
            veto,
            grades: Grades::default(),
            source: None,
            sections: vec![RubricSection {
                code: "s".into(),
                name: "s".into(),
                items: vec![RubricItem {
                    code: "a".into(),
                    name: "a".into(),
                    points: 100,
                    check: None,
                    per_finding: None,
                    veto: None,
                    basis: "".into(),
                }],
            }],
        }
    }

    #[test]
    fn grades_by_threshold_and_veto_setting() {
        let fail = rubric(VetoBehaviour::Fail);
        assert_eq!(grade(&fail, 90, false), Grade::Excellent);
        assert_eq!(grade(&fail, 89, false), Grade::Pass);
        assert_eq!(grade(&fail, 70, false), Grade::Pass);
        assert_eq!(grade(&fail, 69, false), Grade::Fail);
        assert_eq!(grade(&fail, 95, true), Grade::Fail);
        let bar = rubric(VetoBehaviour::BarTopGrade);
        assert_eq!(grade(&bar, 95, true), Grade::Pass);
        assert_eq!(grade(&bar, 60, true), Grade::Fail);
    }

    #[test]
    fn the_same_seed_draws_the_same_sample() {
        let ids: Vec<String> = (0..50).map(|i| format!("c{i:03}")).collect();
        let a = draw_sample(&ids, Some(10), 42);
        let b = draw_sample(&ids, Some(10), 42);
        let c = draw_sample(&ids, Some(10), 43);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 10);
        let mut reversed = ids.clone();
        reversed.reverse();
        assert_eq!(
            draw_sample(&reversed, Some(10), 42),
            a,
            "order of the candidates does not matter"
        );
        assert_eq!(draw_sample(&ids, None, 1).len(), 50);
        assert_eq!(draw_sample(&ids, Some(80), 1).len(), 50);
    }
}

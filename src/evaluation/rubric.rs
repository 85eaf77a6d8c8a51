//! 评查标准 — a rubric as data (`fixtures/rubrics/*.toml`): sections, items
//! with their points, the check that scores an item automatically (if the
//! case data can decide it), the veto item (一票否决, REFERENCE §6.2) an
//! item stands for, what a veto does, and the grade thresholds. Pure: no
//! database, no clock.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cases::rules::Procedure;

/// What a failed veto item does to the file (REFERENCE §6.2: both exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VetoBehaviour {
    /// The file is 不合格 whatever its score (测绘, Zhejiang: "扣100分").
    Fail,
    /// The file cannot be 优秀 (the 评分细则(试行) list).
    BarTopGrade,
}

/// Grade thresholds, in points out of 100 (🟡 REFERENCE §6.3: no source
/// gives them; common practice ≥ 90 优秀, ≥ 60 or ≥ 70 合格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grades {
    /// 优秀 from this score on (default 90).
    #[serde(default = "default_excellent")]
    pub excellent: u32,
    /// 合格 from this score on (default 70).
    #[serde(default = "default_pass")]
    pub pass: u32,
}

fn default_excellent() -> u32 {
    90
}
fn default_pass() -> u32 {
    70
}

impl Default for Grades {
    fn default() -> Self {
        Grades {
            excellent: default_excellent(),
            pass: default_pass(),
        }
    }
}

/// The checks the pre-scorer knows: each calls the function the workflow
/// uses for the same question (see `evaluation::rules`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The item is in the department's list of powers (Art 17, 38): `items::held_by`.
    ItemHeld,
    /// Two qualified officers on the filing day and the decision day (Art 42):
    /// `cases::rules::two_qualified_officers`.
    OfficersQualified,
    /// The party's identity proven (ID card / USCC check digits, Art 59):
    /// `kernel::party::party_identity_error`.
    PartyIdentity,
    /// Evidence or an investigation record behind a penalty (Art 40, 46).
    EvidencePresent,
    /// The fine inside the statutory range and the tier, or a deviation with
    /// its reason (Art 34, 38; 国办发〔2022〕27号): `discretion::rules::judge_fine`.
    FineJudged,
    /// The filing approved by a head (Art 54 ¶2): `approvals::rules::check_filing_approved`.
    FilingApproved,
    /// The decision's guards in the law's order, on the file as it stood
    /// when the decision was made (Art 44, 45, 51–52, 57, 58, 62–65):
    /// the guards of `workflow::rules::check_decision`.
    DecisionGuards,
    /// Decided within 90 days or the approved extension (Art 60):
    /// `workflow::rules::decision_due`, `within_decision_period`.
    DecisionInTime,
    /// Served within 7 working days (Art 61): `execution::rules::service_due`.
    ServiceInTime,
    /// The fine and the late fee collected before closing (Art 72):
    /// `execution::owed_on` (and `late_fee`).
    LateFee,
    /// A case whose report proposed a criminal transfer was transferred
    /// (Art 27, 82; Decree 310).
    TransferMade,
    /// The documents the procedure issues are present and numbered.
    DocumentsNumbered,
    /// The full-process record verifies (Art 47): `records::chain::verify`.
    RecordChain,
    /// The file is closed (结案) or archived.
    Closed,
}

/// One scored item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RubricItem {
    pub code: String,
    pub name: String,
    pub points: u32,
    /// The automatic check; none: the evaluator scores it.
    #[serde(default)]
    pub check: Option<Check>,
    /// Points lost per finding (default: the whole item at the first).
    #[serde(default)]
    pub per_finding: Option<u32>,
    /// The veto item (1–8, REFERENCE §6.2) a failure of this item is.
    #[serde(default)]
    pub veto: Option<u8>,
    /// Where the requirement comes from.
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RubricSection {
    pub code: String,
    pub name: String,
    pub items: Vec<RubricItem>,
}

/// A rubric version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub code: String,
    pub version: i32,
    pub name: String,
    /// The procedure whose files it scores.
    pub procedure: Procedure,
    /// What a failed veto item does.
    pub veto: VetoBehaviour,
    #[serde(default)]
    pub grades: Grades,
    /// The rubric it is modelled on.
    #[serde(default)]
    pub source: Option<String>,
    pub sections: Vec<RubricSection>,
}

impl Rubric {
    pub fn items(&self) -> impl Iterator<Item = (&RubricSection, &RubricItem)> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
    }

    pub fn item(&self, code: &str) -> Option<&RubricItem> {
        self.items().map(|(_, i)| i).find(|i| i.code == code)
    }

    pub fn total(&self) -> u32 {
        self.items().map(|(_, i)| i.points).sum()
    }
}

/// What is wrong with a rubric: item codes unique, 100 points in all,
/// thresholds ordered, veto items 1–8.
pub fn rubric_problems(r: &Rubric) -> Vec<String> {
    let mut out = vec![];
    let mut seen = std::collections::HashSet::new();
    for (_, i) in r.items() {
        if !seen.insert(i.code.as_str()) {
            out.push(format!("item {} appears twice", i.code));
        }
        if i.points == 0 {
            out.push(format!("item {}: points must be positive", i.code));
        }
        if let Some(v) = i.veto {
            if !(1..=8).contains(&v) {
                out.push(format!(
                    "item {}: veto must be 1–8 (REFERENCE §6.2)",
                    i.code
                ));
            }
        }
        if i.per_finding.is_some_and(|p| p == 0 || p > i.points) {
            out.push(format!("item {}: per_finding must be 1–points", i.code));
        }
    }
    if r.total() != 100 {
        out.push(format!("the items add up to {} points, not 100", r.total()));
    }
    if r.grades.pass > r.grades.excellent || r.grades.excellent > 100 {
        out.push("grades: pass ≤ excellent ≤ 100".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rubrics_are_valid() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rubrics");
        let all = super::super::store::read_dir(&dir).unwrap();
        assert!(all.len() >= 2);
        for (r, _) in &all {
            assert!(
                rubric_problems(r).is_empty(),
                "{}: {:?}",
                r.code,
                rubric_problems(r)
            );
        }
        let general = all
            .iter()
            .find(|(r, _)| r.procedure == Procedure::General)
            .unwrap();
        let vetoes: std::collections::BTreeSet<u8> =
            general.0.items().filter_map(|(_, i)| i.veto).collect();
        assert_eq!(vetoes, (1..=8).collect(), "the eight veto items of §6.2");
    }
}

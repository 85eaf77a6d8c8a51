//! The numbers a department configures (rule profile): the "large amount"
//! (较大数额) that gives a hearing right, and the criteria of a major
//! decision that needs legality review. The APL leaves both to ministries
//! and provinces (REFERENCE §1.7, §2.3 — 🟡), so they are data with
//! defaults. Pure.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::items::PenaltyType;
use crate::kernel::{Fen, PartyKind};

/// An amount in fen per kind of party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyThresholds {
    pub person_fen: Fen,
    pub organization_fen: Fen,
    pub individual_business_fen: Fen,
}

impl PartyThresholds {
    pub fn for_party(&self, kind: PartyKind) -> Fen {
        match kind {
            PartyKind::Person => self.person_fen,
            PartyKind::Organization => self.organization_fen,
            PartyKind::IndividualBusiness => self.individual_business_fen,
        }
    }
}

/// A department's rule profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// 较大数额罚款 — a fine at or above this gives a hearing right (APL Art 63 ¶1 (1)).
    pub hearing_fine: PartyThresholds,
    /// 没收较大数额违法所得、没收较大价值非法财物 (APL Art 63 ¶1 (2)).
    pub hearing_confiscation: PartyThresholds,
    /// A fine at or above this is a major decision needing legality review.
    pub legal_review_fine: PartyThresholds,
    /// Licence revocation, suspension of business or closure need review.
    pub legal_review_on_revocation_or_suspension: bool,
    /// A decision whose party has a hearing right needs review.
    pub legal_review_on_hearing: bool,
    /// A penalty outside its benchmark tier needs review.
    pub legal_review_on_benchmark_deviation: bool,
    /// How many working days before a deadline a case warns (🟡 house default 3).
    #[serde(default = "default_warning_lead")]
    pub deadline_warning_working_days: u32,
    /// Working days after the notice is served for a statement and defence
    /// (陈述申辩). The APL names no period; SAMR's procedure rules use 5
    /// working days (🟡 S27), the house default.
    #[serde(default = "default_five")]
    pub statement_period_working_days: u32,
    /// Working days a legality review may take (🟡 S27: 10, Ningxia 7).
    #[serde(default = "default_review_days")]
    pub legal_review_working_days: u32,
    /// A fine at or above this makes the case major: collective discussion
    /// by the heads (APL Art 57 ¶2; the amounts are local, 🟡).
    #[serde(default = "default_discussion_fine")]
    pub collective_discussion_fine: PartyThresholds,
    /// Revocation, suspension of business or closure needs collective discussion.
    #[serde(default = "default_true")]
    pub collective_discussion_on_revocation_or_suspension: bool,
    /// Heads who must attend a collective discussion (🟡 local rules).
    #[serde(default = "default_attendees")]
    pub collective_discussion_min_attendees: u32,
    /// The first extension of the 90-day decision period, in days, approved
    /// by a head (🟡 S27: SAMR allows 30; further ones after a collective
    /// discussion).
    #[serde(default = "default_extension")]
    pub first_extension_max_days: u32,
    /// Kind codes in document numbers (文号), by document kind, where the
    /// department's differ from the templates' (e.g. penalty_decision = "处罚").
    #[serde(default)]
    pub document_codes: std::collections::BTreeMap<String, String>,
    /// The longest excluded period (testing, appraisal …) one record may
    /// state, in days (🟡 house default 180).
    #[serde(default = "default_exclusion_days")]
    pub exclusion_max_days: u32,
    /// All extensions of the 90 days together (🟡 house default 90).
    #[serde(default = "default_extension_cap")]
    pub extension_cap_days: u32,
    /// Working days from the discovery of a clue to the decision whether to
    /// file (🟡 S27: SAMR procedure rules Art 18, 15; the APL sets none).
    #[serde(default = "default_clue_days")]
    pub clue_filing_working_days: u32,
    /// The one extension of that period a head may approve (🟡 S27: 15).
    #[serde(default = "default_clue_days")]
    pub clue_extension_working_days: u32,
    /// 行政执法公示: what is published, when and for how long.
    #[serde(default)]
    pub publication: PublicationRules,
    /// Risk warning: an enterprise (by USCC) that is the party of more than
    /// this many cases filed within `enterprise_inspection_period_days`
    /// (🟡 house default 3 in 365 days; 双随机 rules cap repeated inspections locally).
    #[serde(default = "default_inspection_limit")]
    pub enterprise_inspection_limit: u32,
    #[serde(default = "default_inspection_period")]
    pub enterprise_inspection_period_days: u32,
}

/// How a natural person's name is published (PIPL; SAMR Order 45 Art 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum NameRule {
    /// The surname and one `*` per further character: 张*, 欧阳** (the default).
    #[default]
    SurnameStars,
    /// The surname and 某: 张某.
    SurnameMou,
    /// Not named at all: 当事人.
    Withheld,
}

/// The publication of decisions (行政执法公示): SAMR Order 45 and
/// 国办发〔2018〕118号 (REFERENCE §2.1, 🟡 — configure per jurisdiction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PublicationRules {
    /// Working days from the decision to its publication: 7 (118号's
    /// 双公示 rule, the house default 🟡); SAMR Order 45 Art 9 allows 20.
    pub working_days: u32,
    /// Simplified-procedure decisions are published too (Order 45 Art 2
    /// names only the general procedure: off by default).
    pub simplified: bool,
    /// Warning-only decisions are published too (Order 45 Art 2: not).
    pub warning_only: bool,
    /// A fine below this is "较低数额" (Order 45 Art 13 ¶2, set by the
    /// province 🟡: house default 10,000 yuan): displayed 3 months.
    pub low_fine_fen: Fen,
    /// A natural person's entry is displayed at most this many months
    /// (🟡 e.g. 24; none by default).
    pub person_months: Option<u32>,
    pub name_rule: NameRule,
}

impl Default for PublicationRules {
    fn default() -> Self {
        PublicationRules {
            working_days: 7,
            simplified: false,
            warning_only: false,
            low_fine_fen: Fen(1_000_000),
            person_months: None,
            name_rule: NameRule::SurnameStars,
        }
    }
}

fn default_inspection_limit() -> u32 {
    3
}

fn default_inspection_period() -> u32 {
    365
}

fn default_clue_days() -> u32 {
    15
}

fn default_extension_cap() -> u32 {
    90
}

fn default_exclusion_days() -> u32 {
    180
}

fn default_warning_lead() -> u32 {
    3
}
fn default_five() -> u32 {
    5
}
fn default_review_days() -> u32 {
    10
}
fn default_true() -> bool {
    true
}
fn default_attendees() -> u32 {
    2
}
fn default_extension() -> u32 {
    30
}
fn default_discussion_fine() -> PartyThresholds {
    PartyThresholds {
        person_fen: Fen(5_000_000),
        organization_fen: Fen(50_000_000),
        individual_business_fen: Fen(5_000_000),
    }
}

impl Default for Profile {
    /// SAMR hearing measures (natural person 10,000 yuan, organisation
    /// 100,000 yuan, ⚠️ unverified) and the Gongyi review list (🟡 S13).
    fn default() -> Self {
        let t = PartyThresholds {
            person_fen: Fen(1_000_000),
            organization_fen: Fen(10_000_000),
            individual_business_fen: Fen(1_000_000),
        };
        Profile {
            hearing_fine: t,
            hearing_confiscation: t,
            legal_review_fine: t,
            legal_review_on_revocation_or_suspension: true,
            legal_review_on_hearing: true,
            legal_review_on_benchmark_deviation: true,
            deadline_warning_working_days: default_warning_lead(),
            statement_period_working_days: default_five(),
            legal_review_working_days: default_review_days(),
            collective_discussion_fine: default_discussion_fine(),
            collective_discussion_on_revocation_or_suspension: true,
            collective_discussion_min_attendees: default_attendees(),
            first_extension_max_days: default_extension(),
            document_codes: Default::default(),
            exclusion_max_days: default_exclusion_days(),
            extension_cap_days: default_extension_cap(),
            clue_filing_working_days: default_clue_days(),
            clue_extension_working_days: default_clue_days(),
            publication: PublicationRules::default(),
            enterprise_inspection_limit: default_inspection_limit(),
            enterprise_inspection_period_days: default_inspection_period(),
        }
    }
}

const APL: &str = "《中华人民共和国行政处罚法》";

/// Penalties that give a hearing right whatever their amount (Art 63 ¶1 (3)(4)).
fn hearing_penalty(p: PenaltyType) -> Option<&'static str> {
    match p {
        PenaltyType::DowngradeQualification | PenaltyType::RevokeLicense => {
            Some("第六十三条第一款第（三）项")
        }
        PenaltyType::SuspendBusiness
        | PenaltyType::OrderClosure
        | PenaltyType::RestrictPractice
        | PenaltyType::RestrictBusiness => Some("第六十三条第一款第（四）项"),
        _ => None,
    }
}

/// A proposed penalty, as far as hearing and review care.
#[derive(Debug, Clone, Default)]
pub struct ProposedPenalty {
    pub fine_fen: Fen,
    /// Value of illegal gains or property to be confiscated.
    pub confiscation_fen: Fen,
    pub other: Vec<PenaltyType>,
}

/// Does the party have a hearing right (听证权, APL Art 63)? Returns the
/// reasons in Chinese, each citing its item; empty = no right.
pub fn hearing_reasons(profile: &Profile, party: PartyKind, p: &ProposedPenalty) -> Vec<String> {
    let mut out = vec![];
    let limit = profile.hearing_fine.for_party(party);
    if p.fine_fen >= limit {
        out.push(format!(
            "罚款数额达到较大数额（{}），依据{APL}第六十三条第一款第（一）项，当事人有权要求听证。",
            crate::kernel::money::yuan_text(limit)
        ));
    }
    let limit = profile.hearing_confiscation.for_party(party);
    if p.confiscation_fen >= limit && p.confiscation_fen > Fen::ZERO {
        out.push(format!(
            "没收违法所得或者非法财物价值达到较大数额（{}），依据{APL}第六十三条第一款第（二）项，当事人有权要求听证。",
            crate::kernel::money::yuan_text(limit)
        ));
    }
    let mut cited: Vec<&str> = vec![];
    for item in p.other.iter().filter_map(|x| hearing_penalty(*x)) {
        if !cited.contains(&item) {
            cited.push(item);
            out.push(format!(
                "拟作出降低资质等级、吊销许可证件、责令停产停业、责令关闭或者限制从业等处罚，依据{APL}{item}，当事人有权要求听证。"
            ));
        }
    }
    out
}

/// What decides whether a decision is major (重大执法决定).
#[derive(Debug, Clone, Default)]
pub struct ReviewFacts {
    pub party: Option<PartyKind>,
    pub penalty: ProposedPenalty,
    pub hearing_right: bool,
    /// The penalty lies outside its benchmark tier.
    pub benchmark_deviation: bool,
    /// Art 58 ¶1 (1)–(3), judged by the officers.
    pub major_public_interest: bool,
    pub complex: bool,
}

/// Does the decision need legality review (法制审核, APL Art 58)? One
/// function for the lookup, the decision guard, warnings and evaluation.
/// Returns the reasons in Chinese; empty = not required.
pub fn legal_review_reasons(profile: &Profile, f: &ReviewFacts) -> Vec<String> {
    let mut out = vec![];
    if f.major_public_interest {
        out.push(format!(
            "涉及重大公共利益（{APL}第五十八条第一款第（一）项）。"
        ));
    }
    if f.hearing_right && profile.legal_review_on_hearing {
        out.push(format!(
            "直接关系当事人重大权益，当事人有权要求听证（{APL}第五十八条第一款第（二）项）。"
        ));
    }
    if f.complex {
        out.push(format!(
            "案件情况疑难复杂、涉及多个法律关系（{APL}第五十八条第一款第（三）项）。"
        ));
    }
    if let Some(party) = f.party {
        let limit = profile.legal_review_fine.for_party(party);
        if f.penalty.fine_fen >= limit {
            out.push(format!(
                "罚款数额达到本部门重大执法决定标准（{}，{APL}第五十八条第一款第（四）项）。",
                crate::kernel::money::yuan_text(limit)
            ));
        }
    }
    if profile.legal_review_on_revocation_or_suspension
        && f.penalty.other.iter().any(|p| {
            matches!(
                p,
                PenaltyType::RevokeLicense
                    | PenaltyType::SuspendBusiness
                    | PenaltyType::OrderClosure
                    | PenaltyType::SuspendLicense
            )
        })
    {
        out.push(format!(
            "拟吊销、暂扣许可证件或者责令停产停业、关闭（{APL}第五十八条第一款第（四）项、本部门重大执法决定目录）。"
        ));
    }
    if f.benchmark_deviation && profile.legal_review_on_benchmark_deviation {
        out.push(format!(
            "处罚超出裁量基准确定的阶次（{APL}第五十八条第一款第（四）项、本部门重大执法决定目录）。"
        ));
    }
    out
}

/// Must the heads discuss the case collectively before deciding (集体讨论,
/// APL Art 57 ¶2: complex or major cases)? Returns the reasons; empty = no.
pub fn collective_discussion_reasons(
    profile: &Profile,
    party: PartyKind,
    penalty: &ProposedPenalty,
    complex: bool,
    major: bool,
) -> Vec<String> {
    let mut out = vec![];
    if complex || major {
        out.push(format!(
            "案件情节复杂或者有重大违法行为（{APL}第五十七条第二款）。"
        ));
    }
    let limit = profile.collective_discussion_fine.for_party(party);
    if penalty.fine_fen >= limit {
        out.push(format!(
            "罚款数额达到本部门集体讨论标准（{}，{APL}第五十七条第二款）。",
            crate::kernel::money::yuan_text(limit)
        ));
    }
    if profile.collective_discussion_on_revocation_or_suspension
        && penalty.other.iter().any(|p| {
            matches!(
                p,
                PenaltyType::RevokeLicense
                    | PenaltyType::SuspendBusiness
                    | PenaltyType::OrderClosure
            )
        })
    {
        out.push(format!(
            "拟吊销许可证件、责令停产停业或者责令关闭（{APL}第五十七条第二款、本部门重大案件标准）。"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hearing_at_the_threshold() {
        let p = Profile::default();
        let fine = |f| ProposedPenalty {
            fine_fen: Fen(f),
            ..Default::default()
        };
        assert!(hearing_reasons(&p, PartyKind::Person, &fine(999_999)).is_empty());
        assert_eq!(
            hearing_reasons(&p, PartyKind::Person, &fine(1_000_000)).len(),
            1
        );
        assert!(hearing_reasons(&p, PartyKind::Organization, &fine(9_999_999)).is_empty());
        let revoke = ProposedPenalty {
            other: vec![PenaltyType::RevokeLicense, PenaltyType::RevokeLicense],
            ..Default::default()
        };
        let r = hearing_reasons(&p, PartyKind::Organization, &revoke);
        assert_eq!(r.len(), 1);
        assert!(r[0].contains("第（三）项"));
    }

    #[test]
    fn review_reasons() {
        let p = Profile::default();
        let mut f = ReviewFacts {
            party: Some(PartyKind::Organization),
            ..Default::default()
        };
        assert!(legal_review_reasons(&p, &f).is_empty());
        f.benchmark_deviation = true;
        assert_eq!(legal_review_reasons(&p, &f).len(), 1);
        let off = Profile {
            legal_review_on_benchmark_deviation: false,
            ..p.clone()
        };
        assert!(legal_review_reasons(&off, &f).is_empty());
        f.penalty.fine_fen = Fen(10_000_000);
        f.hearing_right = true;
        assert_eq!(legal_review_reasons(&p, &f).len(), 3);
    }
}

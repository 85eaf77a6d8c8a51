//! The data of discretion benchmarks (行政裁量权基准) and the facts of a
//! case they are applied to. Amounts are integers: fen for money,
//! thousandths for multiples — never floats.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::conditions::Condition;
use crate::items::{Citation, PenaltyType};

/// 裁量阶次 — the tiers of a benchmark.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// 不予处罚
    NoPenalty,
    /// 减轻处罚 — below the statutory minimum.
    Mitigated,
    /// 从轻处罚 — the lower part of the statutory range.
    Lighter,
    /// 一般处罚
    General,
    /// 从重处罚 — the upper part, never above the maximum.
    Heavier,
}

impl Tier {
    pub fn chinese(self) -> &'static str {
        match self {
            Tier::NoPenalty => "不予处罚",
            Tier::Mitigated => "减轻处罚",
            Tier::Lighter => "从轻处罚",
            Tier::General => "一般处罚",
            Tier::Heavier => "从重处罚",
        }
    }
    /// Tiers that stay inside the statutory range.
    pub fn within_law(self) -> bool {
        matches!(self, Tier::Lighter | Tier::General | Tier::Heavier)
    }
}

/// What a clause's fine is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A fixed range in yuan (stored in fen).
    Yuan,
    /// A multiple of the goods' value (货值金额), stored in thousandths.
    TimesGoodsValue,
    /// A multiple of the illegal gains (违法所得), stored in thousandths.
    TimesIllegalGains,
}

impl Unit {
    /// Decimal places of the stored integer: fen, or thousandths of a multiple.
    pub fn scale(self) -> u32 {
        match self {
            Unit::Yuan => 2,
            _ => 3,
        }
    }
    pub fn is_multiple(self) -> bool {
        self != Unit::Yuan
    }
    pub fn base_chinese(self) -> &'static str {
        match self {
            Unit::Yuan => "",
            Unit::TimesGoodsValue => "货值金额",
            Unit::TimesIllegalGains => "违法所得",
        }
    }
}

/// Named conventions that generate tiers from a statutory range
/// (REFERENCE §3.2; not national law — recorded on the version).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// lighter = bottom 30 %, general = middle 40 %, heavier = top 30 %.
    #[serde(rename = "split_30_40_30")]
    Split304030,
    /// lighter below the midpoint, general at it, heavier above it.
    Midpoint,
    /// Only a maximum: lighter ≤ 20 %, general 20–60 %, heavier 60–100 %.
    #[serde(rename = "max_only_40_60")]
    MaxOnly4060,
    /// Only a maximum: lighter ≤ 10 %, general 10–30 %, heavier > 30 %.
    MaxOnlySamr,
    /// Tiers written out by the author.
    Custom,
}

/// One tier of a clause, in the clause's unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierRule {
    pub tier: Tier,
    pub when: Condition,
    pub min: i64,
    pub max: i64,
    pub basis: Citation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A statutory penalty clause: the range the law sets, and when it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    pub id: String,
    pub when: Condition,
    pub unit: Unit,
    pub min: i64,
    pub max: i64,
    pub basis: Citation,
    pub tiers: Vec<TierRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherPenalty {
    pub penalty: PenaltyType,
    pub when: Condition,
    pub note: String,
    pub basis: Citation,
}

/// The lenient lists (轻微违法不予处罚清单、首违不罚清单、减轻/从轻处罚清单).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LenientList {
    /// 不予处罚清单 — APL Art 33 ¶1, first sentence: shall not.
    NoPenalty,
    /// 首违不罚清单 — APL Art 33 ¶1, second sentence: may not.
    FirstViolation,
    /// 减轻处罚清单
    Mitigated,
    /// 从轻处罚清单
    Lighter,
}

impl LenientList {
    pub fn chinese(self) -> &'static str {
        match self {
            LenientList::NoPenalty => "不予处罚清单",
            LenientList::FirstViolation => "首违不罚清单",
            LenientList::Mitigated => "减轻处罚清单",
            LenientList::Lighter => "从轻处罚清单",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LenientEntry {
    pub list: LenientList,
    #[schema(value_type = String)]
    pub when: Condition,
    pub description: String,
    pub basis: Citation,
}

/// One version of the benchmark of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benchmark {
    pub item: String,
    pub version: String,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub published: bool,
    pub convention: Convention,
    pub source: Option<String>,
    /// A law or administrative regulation that holds the party liable
    /// without fault: APL Art 33 ¶2 (no fault, no penalty) then does not apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_fault_exception: Option<Citation>,
    pub clauses: Vec<Clause>,
    pub other_penalties: Vec<OtherPenalty>,
    pub lenient: Vec<LenientEntry>,
}

impl Benchmark {
    /// Is the version in force on `day`?
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.effective_until.is_none_or(|u| day <= u)
    }
}

/// 危害后果
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Harm {
    #[default]
    None,
    Minor,
    Ordinary,
    Serious,
}

/// 辨认、控制能力 (APL Art 31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MentalCapacity {
    #[default]
    Full,
    /// 尚未完全丧失辨认或者控制自己行为能力 — may be lighter or mitigated.
    Limited,
    /// 不能辨认或者不能控制自己行为 — no penalty.
    None,
}

/// Mandatory grounds for a lighter or mitigated penalty, APL Art 32 (1)–(5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MitigatingGround {
    /// (一) 主动消除或者减轻违法行为危害后果
    EliminatedHarm,
    /// (二) 受他人胁迫或者诱骗实施违法行为
    CoercedOrLured,
    /// (三) 主动供述行政机关尚未掌握的违法行为
    ConfessedUnknown,
    /// (四) 配合行政机关查处违法行为有立功表现
    MeritoriousCooperation,
    /// (五) 法律、法规、规章规定其他应当从轻或者减轻行政处罚
    OtherByLaw,
}

impl MitigatingGround {
    /// The item of Art 32 and its words.
    pub fn article_item(self) -> (u32, &'static str) {
        match self {
            MitigatingGround::EliminatedHarm => (1, "主动消除或者减轻违法行为危害后果"),
            MitigatingGround::CoercedOrLured => (2, "受他人胁迫或者诱骗实施违法行为"),
            MitigatingGround::ConfessedUnknown => (3, "主动供述行政机关尚未掌握的违法行为"),
            MitigatingGround::MeritoriousCooperation => (4, "配合行政机关查处违法行为有立功表现"),
            MitigatingGround::OtherByLaw => (
                5,
                "有法律、法规、规章规定的其他应当从轻或者减轻行政处罚的情形",
            ),
        }
    }
}

/// Aggravating circumstances (从重情节). Only `emergency` is named by the
/// APL itself (Art 49); the others are the usual grounds of published
/// benchmarks and are applied within the statutory range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AggravatingGround {
    /// 违反突发事件应对措施 — APL Art 49: 依法快速、从重处罚.
    Emergency,
    /// 屡查屡犯 / 二年内再次违法
    Repeated,
    /// 拒绝、阻碍调查或者提供虚假材料
    ObstructedInvestigation,
    /// 隐匿、销毁违法证据
    DestroyedEvidence,
    /// 造成严重危害后果或者恶劣社会影响
    SeriousConsequences,
    /// 侵害未成年人、老年人、残疾人等群体的权益
    VulnerableVictims,
    /// 胁迫、诱骗他人实施违法行为
    CoercedOthers,
}

impl AggravatingGround {
    pub fn chinese(self) -> &'static str {
        match self {
            AggravatingGround::Emergency => "在突发事件应对期间违反应对措施",
            AggravatingGround::Repeated => "屡查屡犯、多次实施违法行为",
            AggravatingGround::ObstructedInvestigation => "拒绝、阻碍调查或者提供虚假材料",
            AggravatingGround::DestroyedEvidence => "隐匿、销毁违法证据",
            AggravatingGround::SeriousConsequences => "造成严重危害后果或者恶劣社会影响",
            AggravatingGround::VulnerableVictims => "侵害未成年人、老年人、残疾人等群体的权益",
            AggravatingGround::CoercedOthers => "胁迫、诱骗他人实施违法行为",
        }
    }
}

/// The facts of a case a lookup is made on (API.md `facts`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Facts {
    /// 初次违法
    pub first_violation: bool,
    /// 及时改正
    pub corrected_promptly: bool,
    /// 危害后果
    pub harm: Harm,
    /// APL Art 32 grounds.
    pub mitigating: Vec<MitigatingGround>,
    pub aggravating: Vec<AggravatingGround>,
    /// The party proved it had no subjective fault (APL Art 33 ¶2).
    pub no_fault_proven: bool,
    /// Age at the time of the act (a person only).
    pub party_age: Option<u32>,
    pub mental_capacity: MentalCapacity,
    /// 违法所得, fen.
    pub illegal_gains_fen: Option<i64>,
    /// 货值金额, fen.
    pub goods_value_fen: Option<i64>,
    /// 违法行为轻微
    pub minor: bool,
    /// 拒不改正或者逾期未改正
    pub refused_correction: bool,
    /// 情节严重
    pub serious_circumstances: bool,
    /// Violations of the same kind in the two years before.
    pub prior_violations: u32,
}

/// Parses a decimal string into an integer with `scale` decimal places,
/// exactly ("1.6" at scale 3 = 1600). More decimals than the scale = None.
pub fn parse_scaled(s: &str, scale: u32) -> Option<i64> {
    let s = s.trim().replace([',', '，'], "");
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r.to_string()),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > scale as usize
    {
        return None;
    }
    let mut v: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    v = v.checked_mul(10i64.pow(scale))?;
    if !frac.is_empty() {
        let f: i64 = frac.parse().ok()?;
        v = v.checked_add(f * 10i64.pow(scale - frac.len() as u32))?;
    }
    Some(if neg { -v } else { v })
}

/// The inverse of `parse_scaled`, without trailing zeros: 1600 at scale 3 = "1.6".
pub fn show_scaled(v: i64, scale: u32) -> String {
    let p = 10i64.pow(scale);
    let (int, frac) = (v.abs() / p, v.abs() % p);
    let sign = if v < 0 { "-" } else { "" };
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let f = format!("{:0width$}", frac, width = scale as usize);
    format!("{sign}{int}.{}", f.trim_end_matches('0'))
}

pub use crate::kernel::money::yuan_text;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_numbers_are_exact() {
        assert_eq!(parse_scaled("1.6", 3), Some(1600));
        assert_eq!(parse_scaled("50000", 2), Some(5_000_000));
        assert_eq!(parse_scaled("0.01", 2), Some(1));
        assert_eq!(parse_scaled("1,000", 2), Some(100_000));
        assert_eq!(parse_scaled("0.001", 2), None);
        assert_eq!(parse_scaled("abc", 2), None);
        assert_eq!(parse_scaled("", 2), None);
        assert_eq!(show_scaled(1600, 3), "1.6");
        assert_eq!(show_scaled(20_000, 3), "20");
        assert_eq!(show_scaled(5_000_050, 2), "50000.5");
        assert_eq!(yuan_text(5_000_000), "50000元");
        assert_eq!(yuan_text(5_000_050), "50000.50元");
    }
}

//! Applicability conditions of tiers, clauses and list entries, written by
//! benchmark authors as text (`harm = none|minor & corrected_promptly = true`)
//! and checked by machine. Pure.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::model::{Facts, Harm};
use crate::kernel::PartyKind;

/// The facts a condition may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    Harm,
    FirstViolation,
    CorrectedPromptly,
    RefusedCorrection,
    SeriousCircumstances,
    Minor,
    Mitigating,
    Aggravating,
    PriorViolations,
    /// 违法所得, written in yuan.
    IllegalGains,
    /// 货值金额, written in yuan.
    GoodsValue,
    PartyKind,
}

const FACTS: &[(&str, Fact, &str)] = &[
    ("harm", Fact::Harm, "危害后果"),
    ("first_violation", Fact::FirstViolation, "初次违法"),
    ("corrected_promptly", Fact::CorrectedPromptly, "及时改正"),
    (
        "refused_correction",
        Fact::RefusedCorrection,
        "拒不改正或者逾期未改正",
    ),
    (
        "serious_circumstances",
        Fact::SeriousCircumstances,
        "情节严重",
    ),
    ("minor", Fact::Minor, "违法行为轻微"),
    ("mitigating", Fact::Mitigating, "从轻减轻情节数"),
    ("aggravating", Fact::Aggravating, "从重情节数"),
    ("prior_violations", Fact::PriorViolations, "二年内违法次数"),
    ("illegal_gains", Fact::IllegalGains, "违法所得"),
    ("goods_value", Fact::GoodsValue, "货值金额"),
    ("party_kind", Fact::PartyKind, "当事人类型"),
];

impl Fact {
    fn parse(s: &str) -> Option<Fact> {
        FACTS.iter().find(|(n, _, _)| *n == s).map(|(_, f, _)| *f)
    }
    pub fn name(self) -> &'static str {
        FACTS
            .iter()
            .find(|(_, f, _)| *f == self)
            .map_or("", |x| x.0)
    }
    fn chinese(self) -> &'static str {
        FACTS
            .iter()
            .find(|(_, f, _)| *f == self)
            .map_or("", |x| x.2)
    }
    fn kind(self) -> ValueKind {
        match self {
            Fact::Harm => ValueKind::Harm,
            Fact::PartyKind => ValueKind::PartyKind,
            Fact::FirstViolation
            | Fact::CorrectedPromptly
            | Fact::RefusedCorrection
            | Fact::SeriousCircumstances
            | Fact::Minor => ValueKind::Bool,
            Fact::Mitigating | Fact::Aggravating | Fact::PriorViolations => ValueKind::Count,
            Fact::IllegalGains | Fact::GoodsValue => ValueKind::Money,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Harm,
    PartyKind,
    Bool,
    Count,
    Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
    fn chinese(self) -> &'static str {
        match self {
            Op::Eq => "为",
            Op::Ne => "不为",
            Op::Lt => "不足",
            Op::Le => "不超过",
            Op::Gt => "超过",
            Op::Ge => "达到",
        }
    }
    fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => ord == Equal,
            Op::Ne => ord != Equal,
            Op::Lt => ord == Less,
            Op::Le => ord != Greater,
            Op::Gt => ord == Greater,
            Op::Ge => ord != Less,
        }
    }
}

/// One `fact op value(s)` term. Values are kept as typed numbers: money in
/// fen, booleans as 0/1, enums by their index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub fact: Fact,
    pub op: Op,
    pub values: Vec<i64>,
}

/// All terms must hold. Empty = always.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Condition {
    pub terms: Vec<Term>,
}

/// A fact the condition needs but the caller did not give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFact(pub Fact);

const HARMS: [(&str, Harm, &str); 4] = [
    ("none", Harm::None, "无"),
    ("minor", Harm::Minor, "轻微"),
    ("ordinary", Harm::Ordinary, "一般"),
    ("serious", Harm::Serious, "严重"),
];
const KINDS: [(&str, PartyKind, &str); 3] = [
    ("person", PartyKind::Person, "公民"),
    ("organization", PartyKind::Organization, "法人或者其他组织"),
    (
        "individual_business",
        PartyKind::IndividualBusiness,
        "个体工商户",
    ),
];

fn parse_value(kind: ValueKind, s: &str) -> Result<i64, String> {
    match kind {
        ValueKind::Harm => HARMS
            .iter()
            .position(|h| h.0 == s)
            .map(|i| i as i64)
            .ok_or_else(|| format!("harm must be none, minor, ordinary or serious, not {s:?}")),
        ValueKind::PartyKind => KINDS
            .iter()
            .position(|h| h.0 == s)
            .map(|i| i as i64)
            .ok_or_else(|| {
                format!("party_kind must be person, organization or individual_business, not {s:?}")
            }),
        ValueKind::Bool => match s {
            "true" => Ok(1),
            "false" => Ok(0),
            _ => Err(format!("expected true or false, not {s:?}")),
        },
        ValueKind::Count => s
            .parse::<u32>()
            .map(i64::from)
            .map_err(|_| format!("expected a whole number, not {s:?}")),
        ValueKind::Money => super::model::parse_scaled(s, 2)
            .ok_or_else(|| format!("expected an amount in yuan, not {s:?}")),
    }
}

fn show_value(kind: ValueKind, v: i64) -> String {
    match kind {
        ValueKind::Harm => HARMS.get(v as usize).map_or("?", |h| h.0).into(),
        ValueKind::PartyKind => KINDS.get(v as usize).map_or("?", |h| h.0).into(),
        ValueKind::Bool => (v != 0).to_string(),
        ValueKind::Count => v.to_string(),
        ValueKind::Money => super::model::show_scaled(v, 2),
    }
}

fn chinese_value(kind: ValueKind, v: i64) -> String {
    match kind {
        ValueKind::Harm => HARMS.get(v as usize).map_or("?", |h| h.2).into(),
        ValueKind::PartyKind => KINDS.get(v as usize).map_or("?", |h| h.2).into(),
        ValueKind::Bool => if v != 0 { "是" } else { "否" }.into(),
        ValueKind::Count => v.to_string(),
        ValueKind::Money => super::model::yuan_text(v),
    }
}

impl Condition {
    pub fn always() -> Self {
        Condition::default()
    }

    pub fn is_always(&self) -> bool {
        self.terms.is_empty()
    }

    /// Parses `fact op value [& fact op value …]`; `=`/`!=` take `a|b`.
    pub fn parse(text: &str) -> Result<Condition, String> {
        let mut terms = vec![];
        for part in text.split('&').map(str::trim).filter(|p| !p.is_empty()) {
            let ops = [
                ("!=", Op::Ne),
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("=", Op::Eq),
                ("<", Op::Lt),
                (">", Op::Gt),
            ];
            let Some((at, op_text, op)) = ops
                .iter()
                .filter_map(|(t, o)| part.find(t).map(|i| (i, *t, *o)))
                .min_by_key(|(i, t, _)| (*i, std::cmp::Reverse(t.len())))
            else {
                return Err(format!("{part:?}: expected `fact op value`"));
            };
            let name = part[..at].trim();
            let fact = Fact::parse(name).ok_or_else(|| {
                let known: Vec<&str> = FACTS.iter().map(|f| f.0).collect();
                format!("unknown fact {name:?} (known: {})", known.join(", "))
            })?;
            let rhs = part[at + op_text.len()..].trim();
            let kind = fact.kind();
            let values = if matches!(op, Op::Eq | Op::Ne) {
                rhs.split('|')
                    .map(|v| parse_value(kind, v.trim()))
                    .collect::<Result<Vec<_>, _>>()
            } else {
                if matches!(
                    kind,
                    ValueKind::Harm | ValueKind::PartyKind | ValueKind::Bool
                ) {
                    return Err(format!("{name}: only = and != apply"));
                }
                parse_value(kind, rhs).map(|v| vec![v])
            }
            .map_err(|e| format!("{name}: {e}"))?;
            terms.push(Term { fact, op, values });
        }
        Ok(Condition { terms })
    }

    /// Does the condition hold for these facts? A fact it needs that the
    /// caller did not give is an error, never a silent "no".
    pub fn holds(&self, facts: &Facts, party: PartyKind) -> Result<bool, MissingFact> {
        for t in &self.terms {
            let v = fact_value(t.fact, facts, party).ok_or(MissingFact(t.fact))?;
            let ok = match t.op {
                Op::Eq => t.values.contains(&v),
                Op::Ne => !t.values.contains(&v),
                op => op.holds(v.cmp(&t.values[0])),
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The facts the condition reads.
    pub fn facts(&self) -> impl Iterator<Item = Fact> + '_ {
        self.terms.iter().map(|t| t.fact)
    }

    /// 危害后果为轻微或者无，且及时改正为是
    pub fn to_chinese(&self) -> String {
        self.terms
            .iter()
            .map(|t| {
                let kind = t.fact.kind();
                let vals: Vec<String> = t.values.iter().map(|v| chinese_value(kind, *v)).collect();
                format!(
                    "{}{}{}",
                    t.fact.chinese(),
                    t.op.chinese(),
                    vals.join("或者")
                )
            })
            .collect::<Vec<_>>()
            .join("，且")
    }
}

fn fact_value(fact: Fact, f: &Facts, party: PartyKind) -> Option<i64> {
    Some(match fact {
        Fact::Harm => HARMS.iter().position(|h| h.1 == f.harm)? as i64,
        Fact::PartyKind => KINDS.iter().position(|k| k.1 == party)? as i64,
        Fact::FirstViolation => f.first_violation as i64,
        Fact::CorrectedPromptly => f.corrected_promptly as i64,
        Fact::RefusedCorrection => f.refused_correction as i64,
        Fact::SeriousCircumstances => f.serious_circumstances as i64,
        Fact::Minor => f.minor as i64,
        Fact::Mitigating => f.mitigating.len() as i64,
        Fact::Aggravating => f.aggravating.len() as i64,
        Fact::PriorViolations => i64::from(f.prior_violations),
        Fact::IllegalGains => f.illegal_gains_fen?,
        Fact::GoodsValue => f.goods_value_fen?,
    })
}

impl fmt::Display for Condition {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .terms
            .iter()
            .map(|t| {
                let kind = t.fact.kind();
                let vals: Vec<String> = t.values.iter().map(|v| show_value(kind, *v)).collect();
                format!("{} {} {}", t.fact.name(), t.op.text(), vals.join("|"))
            })
            .collect();
        write!(out, "{}", parts.join(" & "))
    }
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Condition::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        let c =
            Condition::parse("harm = none|minor & corrected_promptly = true & goods_value < 10000")
                .unwrap();
        assert_eq!(c.terms.len(), 3);
        assert_eq!(
            c.to_string(),
            "harm = none|minor & corrected_promptly = true & goods_value < 10000"
        );
        assert_eq!(c.terms[2].values, vec![1_000_000]);
        assert!(Condition::parse("").unwrap().is_always());
    }

    #[test]
    fn refuses_bad_text() {
        for bad in [
            "harm = terrible",
            "colour = red",
            "harm < minor",
            "mitigating >= many",
            "goods_value < 1.234",
            "harm",
        ] {
            assert!(Condition::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn evaluates_with_boundaries() {
        let c = Condition::parse("goods_value < 10000").unwrap();
        let mut f = Facts::default();
        assert_eq!(
            c.holds(&f, PartyKind::Person),
            Err(MissingFact(Fact::GoodsValue))
        );
        f.goods_value_fen = Some(999_999);
        assert_eq!(c.holds(&f, PartyKind::Person), Ok(true));
        f.goods_value_fen = Some(1_000_000);
        assert_eq!(c.holds(&f, PartyKind::Person), Ok(false));
        let c = Condition::parse("harm != serious & party_kind = organization").unwrap();
        assert_eq!(c.holds(&f, PartyKind::Organization), Ok(true));
        assert_eq!(c.holds(&f, PartyKind::Person), Ok(false));
    }
}

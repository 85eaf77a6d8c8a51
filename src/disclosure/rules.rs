//! 行政执法公示 — what a published decision may say, pure.
//!
//! - **Masking** (`mask`): the one function every public text passes
//!   through. 市场监督管理行政处罚信息公示规定 (SAMR Order 45) Art 6 and the
//!   Personal Information Protection Law: organisations by name and USCC;
//!   natural persons and individual businesses' operators as 张* (or the
//!   profile's rule), never an ID number, phone or home address; addresses
//!   reduced to the district; minors never named; the spans the officer
//!   marked as trade secret or privacy redacted from the facts; and, last,
//!   every ID-number-shaped or phone-shaped run of digits in any text.
//! - **Periods**: published within the profile's working days (Order 45
//!   Art 9; 国办发〔2018〕118号: 7 working days, the house default 🟡);
//!   withdrawn within 3 working days of a revocation or change (APL Art 48
//!   ¶2, Order 45 Art 11); displayed 3 months for public criticism or a low
//!   fine, 3 years otherwise (Order 45 Art 13).
//! - **What is published**: general-procedure decisions, not warning-only
//!   ones (Order 45 Art 2), each configurable.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult, Code};
use crate::kernel::{Fen, IdType, Party, PartyKind};
pub use crate::profiles::rules::NameRule;

/// A span of the facts the officer marked as trade secret or personal
/// privacy (Order 45 Art 6), in characters, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// What the summary (信息摘要, Order 45 Art 4 ¶3) is drawn from: the case
/// as it is, unmasked. Never leaves the service.
#[derive(Debug, Clone)]
pub struct Source {
    pub number: String,
    pub party: Party,
    pub violation: String,
    pub basis: String,
    pub penalty: String,
    pub organ: String,
    pub decided_on: NaiveDate,
    pub facts: String,
}

/// The summary as the public reads it: the only shape that leaves a
/// public endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicSummary {
    /// 行政处罚决定书文号.
    pub number: String,
    /// 当事人: an organisation's name; a person as 张*.
    pub party_name: String,
    pub party_kind: PartyKind,
    /// 统一社会信用代码 — organisations only.
    pub party_uscc: Option<String>,
    /// The party's address down to the district, organisations only.
    pub party_district: Option<String>,
    /// 违法行为类型.
    pub violation: String,
    /// 处罚依据.
    pub basis: String,
    /// 行政处罚内容.
    pub penalty: String,
    /// 作出决定的行政机关.
    pub organ: String,
    pub decided_on: NaiveDate,
    /// The facts found, with the marked spans redacted.
    pub facts: String,
}

/// The redaction mark.
pub const REDACTED: &str = "＊＊＊";

/// The one masking function: the public summary of `src` under the
/// profile's name rule, with the officer's marked spans redacted.
pub fn mask(src: &Source, rule: NameRule, spans: &[Span]) -> PublicSummary {
    let p = &src.party;
    let minor = p.kind != PartyKind::Organization && is_minor(p, src.decided_on);
    let party_name = match p.kind {
        PartyKind::Organization => scrub(p.name.trim()),
        _ if minor => "未成年人".to_string(),
        _ => person_name(p.name.trim(), rule),
    };
    let organisation = p.kind == PartyKind::Organization;
    let party_uscc = (organisation && p.id_type == IdType::Uscc)
        .then(|| p.id_number.trim().to_uppercase())
        .filter(|u| crate::kernel::party::uscc_problem(u).is_none());
    let party_district = organisation
        .then(|| district(&p.address))
        .flatten()
        .map(|d| scrub(&d));
    // The officer's spans first (they index the text as written), then the
    // party's own identifiers wherever they appear, then any ID- or
    // phone-shaped run.
    let mut facts = redact_spans(&src.facts, spans);
    let mut secrets: Vec<&str> = vec![p.id_number.trim(), p.address.trim()];
    if let Some(ph) = p.phone.as_deref() {
        secrets.push(ph.trim());
    }
    if !organisation {
        secrets.push(p.name.trim());
    }
    if let Some(r) = p.legal_representative.as_deref() {
        secrets.push(r.trim());
    }
    for s in secrets {
        if s.chars().count() >= 2 {
            let with = if !organisation && s == p.name.trim() {
                party_name.clone()
            } else {
                REDACTED.to_string()
            };
            facts = facts.replace(s, &with);
        }
    }
    PublicSummary {
        number: scrub(&src.number),
        party_name,
        party_kind: p.kind,
        party_uscc,
        party_district,
        violation: scrub(&src.violation),
        basis: scrub(&src.basis),
        penalty: scrub(&src.penalty),
        organ: scrub(&src.organ),
        decided_on: src.decided_on,
        facts: scrub(&facts),
    }
}

/// An edit the officer preparing the summary may make: only what the law
/// lets them mask (Order 45 Art 6–7: the published decision is the served
/// one, except what is processed to protect secrets and personal data).
/// The spans must lie inside the facts.
pub fn check_spans(facts: &str, spans: &[Span]) -> AppResult<()> {
    let n = facts.chars().count();
    for (i, s) in spans.iter().enumerate() {
        if s.start >= s.end || s.end > n {
            return Err(AppError::rule_on_field(
                Code::ValidationFailed,
                &format!("redactions[{i}]"),
                format!("a redaction is a span [start, end) inside the facts ({n} characters) (市场监督管理行政处罚信息公示规定第六条)"),
            ));
        }
    }
    Ok(())
}

fn redact_spans(text: &str, spans: &[Span]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut hidden = vec![false; chars.len()];
    for s in spans {
        for h in hidden.iter_mut().take(s.end.min(chars.len())).skip(s.start) {
            *h = true;
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if hidden[i] {
            out.push_str(REDACTED);
            while i < chars.len() && hidden[i] {
                i += 1;
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// A person's name under the rule: 张三 → 张*; two-character surnames
/// (复姓) keep both: 欧阳修 → 欧阳*.
pub fn person_name(name: &str, rule: NameRule) -> String {
    const COMPOUND: [&str; 12] = [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "司徒", "公孙", "尉迟",
        "长孙",
    ];
    let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.is_empty() || rule == NameRule::Withheld {
        return "当事人".into();
    }
    let two: String = chars.iter().take(2).collect();
    let keep = if chars.len() > 2 && COMPOUND.contains(&two.as_str()) {
        2
    } else {
        1
    };
    let surname: String = chars.iter().take(keep).collect();
    if !surname.chars().all(is_han) {
        // Not a Chinese name: nothing of it is published.
        return "当事人".into();
    }
    match rule {
        NameRule::SurnameMou => format!("{surname}某"),
        _ => format!("{surname}{}", "*".repeat((chars.len() - keep).max(1))),
    }
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// A citizen under 18 on the day of the decision (by the ID card's date of
/// birth): never named (未成年人保护法第四条、个人信息保护法第二十八条).
pub fn is_minor(p: &Party, on: NaiveDate) -> bool {
    if p.id_type != IdType::IdCard {
        return false;
    }
    let id: Vec<char> = p.id_number.trim().chars().collect();
    if id.len() != 18 {
        return false;
    }
    let birth: String = id[6..14].iter().collect();
    match NaiveDate::parse_from_str(&birth, "%Y%m%d") {
        Ok(b) => {
            let mut age = on.year() - b.year();
            if (on.month(), on.day()) < (b.month(), b.day()) {
                age -= 1;
            }
            age < 18
        }
        Err(_) => false,
    }
}

/// An address down to its county-level division (区/县/旗/县级市):
/// 昆明市五华区华山西路1号 → 昆明市五华区. None when no district is found
/// (then nothing of the address is published).
pub fn district(address: &str) -> Option<String> {
    let chars: Vec<char> = address.trim().chars().collect();
    let mut cut = None;
    for (i, c) in chars.iter().enumerate() {
        if matches!(c, '区' | '县' | '旗') {
            let before: String = chars[..i].iter().rev().take(2).collect();
            // 自治区 and 地区 are above the county level; 特区 too.
            if before.starts_with('治') || before.starts_with('地') || before.starts_with('特') {
                continue;
            }
            cut = Some(i + 1);
            break;
        }
    }
    let cut = cut?;
    if chars[..cut]
        .iter()
        .any(|c| c.is_ascii_digit() || is_wide_digit(*c))
    {
        return None;
    }
    Some(chars[..cut].iter().collect())
}

fn is_wide_digit(c: char) -> bool {
    ('０'..='９').contains(&c)
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || is_wide_digit(c)
}

fn is_separator(c: char) -> bool {
    matches!(c, '-' | ' ' | '.' | '(' | ')' | '－' | '　' | '（' | '）')
}

/// The shortest run of digits that is withheld from public text: a mobile
/// number has 11 digits, a landline with its area code 10–12, an ID number
/// 15 or 18.
pub const LONGEST_PUBLIC_DIGIT_RUN: usize = 9;

/// Replaces every ID-number-shaped or phone-shaped run of digits with the
/// redaction mark: digits (ASCII or full-width) joined by separators
/// (`-`, space, `.`, brackets) of 10 or more digits, an ID
/// number's final X included. Amounts and dates stay (a fine of 10 billion
/// yuan would be the first amount to go).
pub fn scrub(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits and single separators between digits.
        let start = i;
        let mut end = i;
        let mut digits = 0;
        let mut j = i;
        while j < chars.len() {
            if is_digit(chars[j]) {
                digits += 1;
                j += 1;
                end = j;
            } else if is_separator(chars[j]) {
                // Separators join digits only when more digits follow.
                let mut k = j;
                while k < chars.len() && is_separator(chars[k]) {
                    k += 1;
                }
                if k < chars.len() && is_digit(chars[k]) {
                    j = k;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        if end < chars.len() && matches!(chars[end], 'X' | 'x' | 'Ｘ') {
            end += 1;
        }
        if digits > LONGEST_PUBLIC_DIGIT_RUN {
            out.push_str(REDACTED);
        } else {
            out.extend(&chars[start..end]);
        }
        i = end;
    }
    out
}

/// Does `text` hold a run of digits that would identify a person (an ID
/// number, a phone number)? The property the public side keeps.
pub fn holds_identifier(text: &str) -> bool {
    let digits_only: Vec<Vec<char>> = text
        .split(|c: char| !(is_digit(c) || is_separator(c)))
        .map(|run| run.chars().filter(|c| is_digit(*c)).collect())
        .collect();
    digits_only
        .iter()
        .any(|d| d.len() > LONGEST_PUBLIC_DIGIT_RUN)
}

/// The publication's due day: `working_days` after the decision (Order 45
/// Art 9; 118号: 7 working days for penalties).
pub fn publication_due(
    decided_on: NaiveDate,
    working_days: u32,
    cal: &crate::calendar::Calendar,
) -> NaiveDate {
    cal.working_days_after(decided_on, working_days, &[]).date
}

/// Is a decision published at all (Order 45 Art 2)? Only the general
/// procedure unless the profile says so; warning-only decisions not,
/// unless the profile says so.
pub fn is_published(
    general: bool,
    penalty_kinds: &[crate::kernel::PenaltyType],
    publish_simplified: bool,
    publish_warning_only: bool,
) -> bool {
    if penalty_kinds.is_empty() {
        return false;
    }
    let warning_only = penalty_kinds
        .iter()
        .all(|k| *k == crate::kernel::PenaltyType::Warning);
    (general || publish_simplified) && (!warning_only || publish_warning_only)
}

/// The last day an entry is displayed (Order 45 Art 13): 3 months for
/// public criticism alone or a fine below the profile's low amount, 3 years
/// otherwise; a natural person's entry may be set shorter by the profile.
pub fn display_until(
    released_on: NaiveDate,
    penalty_kinds: &[crate::kernel::PenaltyType],
    fine: Fen,
    low_fine: Fen,
    person_months: Option<u32>,
    person: bool,
) -> NaiveDate {
    use crate::kernel::PenaltyType as P;
    let light = penalty_kinds
        .iter()
        .all(|k| matches!(k, P::Warning | P::PublicCriticism | P::Fine))
        && (fine < low_fine || !penalty_kinds.contains(&P::Fine));
    let mut months = if light { 3 } else { 36 };
    if person {
        if let Some(m) = person_months {
            months = months.min(m);
        }
    }
    released_on
        .checked_add_months(Months::new(months))
        .unwrap_or(released_on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn person(name: &str, id: &str) -> Party {
        Party {
            kind: PartyKind::Person,
            name: name.into(),
            id_type: IdType::IdCard,
            id_number: id.into(),
            address: "昆明市五华区华山西路1号3栋502室".into(),
            phone: Some("13800138000".into()),
            legal_representative: None,
        }
    }

    fn source(p: Party, facts: &str) -> Source {
        Source {
            number: "五市监罚〔2026〕3号".into(),
            party: p,
            violation: "未将营业执照置于醒目位置".into(),
            basis: "《中华人民共和国市场主体登记管理条例》第四十八条第一款".into(),
            penalty: "罚款人民币2000元".into(),
            organ: "昆明市五华区市场监督管理局".into(),
            decided_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            facts: facts.into(),
        }
    }

    #[test]
    fn order_45_art_6_a_person_is_named_by_surname_only() {
        let s = mask(
            &source(
                person("赵某某", "11010519491231002X"),
                "当事人赵某某（身份证号11010519491231002X，电话138 0013 8000）住昆明市五华区华山西路1号3栋502室。",
            ),
            NameRule::SurnameStars,
            &[],
        );
        assert_eq!(s.party_name, "赵**");
        assert_eq!(s.party_uscc, None);
        assert_eq!(s.party_district, None);
        assert!(!s.facts.contains("赵某某"), "{}", s.facts);
        assert!(!s.facts.contains("1949"), "{}", s.facts);
        assert!(!s.facts.contains("8000"), "{}", s.facts);
        assert!(!s.facts.contains("502"), "{}", s.facts);
        assert_eq!(person_name("欧阳修", NameRule::SurnameStars), "欧阳*");
        assert_eq!(person_name("张三", NameRule::SurnameMou), "张某");
        assert_eq!(person_name("张三", NameRule::Withheld), "当事人");
        assert_eq!(person_name("John Smith", NameRule::SurnameStars), "当事人");
    }

    #[test]
    fn order_45_art_4_an_organisation_by_name_uscc_and_district() {
        let p = Party {
            kind: PartyKind::Organization,
            name: "昆明某某餐饮管理有限公司".into(),
            id_type: IdType::Uscc,
            id_number: "915301027000000003".into(),
            address: "昆明市五华区华山西路1号".into(),
            phone: Some("0871-65123456".into()),
            legal_representative: Some("赵某".into()),
        };
        let s = mask(
            &source(p, "法定代表人赵某，电话0871-65123456。"),
            NameRule::SurnameStars,
            &[],
        );
        assert_eq!(s.party_name, "昆明某某餐饮管理有限公司");
        assert_eq!(s.party_uscc.as_deref(), Some("915301027000000003"));
        assert_eq!(s.party_district.as_deref(), Some("昆明市五华区"));
        assert!(
            !s.facts.contains("赵某") && !s.facts.contains("65123456"),
            "{}",
            s.facts
        );
    }

    #[test]
    fn minors_are_never_named() {
        // Born 2012-01-01: 14 on the decision day.
        let s = mask(
            &source(person("李小明", "110105201201010018"), "李小明在店内。"),
            NameRule::SurnameStars,
            &[],
        );
        assert_eq!(s.party_name, "未成年人");
        assert!(!s.facts.contains('李'), "{}", s.facts);
    }

    #[test]
    fn marked_spans_are_redacted() {
        let facts = "当事人使用配方甲乙丙生产。";
        let s = mask(
            &source(person("赵某某", "11010519491231002X"), facts),
            NameRule::SurnameStars,
            &[Span { start: 5, end: 10 }],
        );
        assert_eq!(s.facts, format!("当事人使用{REDACTED}生产。"));
        assert!(check_spans(facts, &[Span { start: 3, end: 99 }]).is_err());
        assert!(check_spans(facts, &[Span { start: 3, end: 3 }]).is_err());
    }

    #[test]
    fn addresses_reduce_to_the_district() {
        assert_eq!(
            district("昆明市五华区华山西路1号").as_deref(),
            Some("昆明市五华区")
        );
        assert_eq!(
            district("广西壮族自治区南宁市青秀区民族大道").as_deref(),
            Some("广西壮族自治区南宁市青秀区")
        );
        assert_eq!(
            district("云南省大理白族自治州宾川县金牛镇").as_deref(),
            Some("云南省大理白族自治州宾川县")
        );
        assert_eq!(district("某街道1号"), None);
    }

    #[test]
    fn order_45_art_2_warnings_and_simplified_are_not_published() {
        use crate::kernel::PenaltyType as P;
        assert!(is_published(true, &[P::Fine], false, false));
        assert!(!is_published(true, &[P::Warning], false, false));
        assert!(is_published(true, &[P::Warning], false, true));
        assert!(!is_published(false, &[P::Fine], false, false));
        assert!(is_published(false, &[P::Fine], true, false));
        assert!(!is_published(true, &[], false, false));
    }

    #[test]
    fn order_45_art_13_display_periods() {
        use crate::kernel::PenaltyType as P;
        let d = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        let low = Fen(1_000_000);
        assert_eq!(
            display_until(d, &[P::Fine], Fen(200_000), low, None, true),
            NaiveDate::from_ymd_opt(2026, 4, 30).unwrap()
        );
        assert_eq!(
            display_until(d, &[P::PublicCriticism], Fen(0), low, None, false),
            NaiveDate::from_ymd_opt(2026, 4, 30).unwrap()
        );
        assert_eq!(
            display_until(d, &[P::Fine], Fen(2_000_000), low, None, false),
            NaiveDate::from_ymd_opt(2029, 1, 31).unwrap()
        );
        assert_eq!(
            display_until(d, &[P::Fine], Fen(2_000_000), low, Some(12), true),
            NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()
        );
    }

    fn id_number() -> impl Strategy<Value = String> {
        (
            "[1-6][0-9]{5}",
            1940u32..2020,
            1u32..13,
            1u32..29,
            "[0-9]{3}",
            "[0-9X]",
        )
            .prop_map(|(a, y, m, d, s, c)| format!("{a}{y}{m:02}{d:02}{s}{c}"))
    }

    fn phone() -> impl Strategy<Value = String> {
        prop_oneof![
            "1[3-9][0-9]{9}",
            "1[3-9][0-9] [0-9]{4} [0-9]{4}",
            "1[3-9][0-9]-[0-9]{4}-[0-9]{4}",
            "0[1-9][0-9]{1,2}-[0-9]{7,8}",
            "\\(0[1-9][0-9]{1,2}\\)[0-9]{7,8}",
            "[０-９]{11}",
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        "[a-z一-龥，。：0-9 -]{0,12}"
    }

    proptest! {
        /// No ID-number-shaped or phone-shaped string survives masking, in
        /// any field, wherever it was written.
        #[test]
        fn no_identifier_survives(
            pre in text(), mid in text(), post in text(),
            id in id_number(), ph in phone(), other_id in id_number(),
            kind in prop_oneof![Just(PartyKind::Person), Just(PartyKind::IndividualBusiness), Just(PartyKind::Organization)],
            name in "[一-龥]{2,4}",
        ) {
            let p = Party {
                kind,
                name: format!("{name}{}", if kind == PartyKind::Organization { "有限公司" } else { "" }),
                id_type: if kind == PartyKind::Organization { IdType::Uscc } else { IdType::IdCard },
                id_number: id.clone(),
                address: format!("{pre}{ph}"),
                phone: Some(ph.clone()),
                legal_representative: None,
            };
            let facts = format!("{pre}{id}{mid}{ph}{post}{other_id}");
            let mut src = source(p, &facts);
            src.violation = format!("{mid}{other_id}");
            src.penalty = format!("{ph}{post}");
            let s = mask(&src, NameRule::SurnameStars, &[]);
            for field in [&s.number, &s.party_name, &s.violation, &s.basis, &s.penalty, &s.organ, &s.facts] {
                prop_assert!(!holds_identifier(field), "{field}");
                prop_assert!(!field.contains(&id), "{field}");
            }
            if let Some(d) = &s.party_district { prop_assert!(!holds_identifier(d)); }
            // A USCC is published only when it is one (GB 32100): a random
            // number is not.
            if let Some(u) = &s.party_uscc { prop_assert!(crate::kernel::party::uscc_problem(u).is_none()); }
            if kind != PartyKind::Organization {
                let json = serde_json::to_string(&s).unwrap();
                prop_assert!(!json.contains(&id));
            }
        }

        #[test]
        fn scrub_keeps_what_is_not_an_identifier(t in "[一-龥，。0-9]{0,30}") {
            let out = scrub(&t);
            prop_assert!(!holds_identifier(&out));
            if !holds_identifier(&t) { prop_assert_eq!(out, t); }
        }
    }
}

//! How the law is cited (条 / 款 / 项, written as statutes write them) and
//! the kinds of penalty it knows (APL Art 9).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A citation of law down to article / paragraph / item (条 / 款 / 项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    pub law: String,
    pub article: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
}

/// Penalty types of APL Art 9 (责令改正 is not one, Art 28).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyType {
    Warning,
    PublicCriticism,
    Fine,
    ConfiscateIllegalGains,
    ConfiscateIllegalProperty,
    SuspendLicense,
    DowngradeQualification,
    RevokeLicense,
    RestrictBusiness,
    SuspendBusiness,
    OrderClosure,
    RestrictPractice,
    Detention,
    Other,
}

/// Chinese numerals as statutes write article numbers (1–9999).
pub fn chinese_number(n: u32) -> String {
    let mut out = String::with_capacity(12);
    push_chinese_number(&mut out, n);
    out
}

/// Writes `chinese_number(n)` into `out` (no allocation of its own: citations
/// are written on every lookup).
fn push_chinese_number(out: &mut String, n: u32) {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    const UNITS: [&str; 4] = ["", "十", "百", "千"];
    if n == 0 {
        out.push('零');
        return;
    }
    if (10..20).contains(&n) {
        out.push('十');
        if !n.is_multiple_of(10) {
            out.push(DIGITS[(n % 10) as usize]);
        }
        return;
    }
    let n = n.min(9999);
    let len = if n >= 1000 {
        4
    } else if n >= 100 {
        3
    } else if n >= 10 {
        2
    } else {
        1
    };
    let start = out.len();
    let mut zero_pending = false;
    for i in (0..len).rev() {
        let d = (n / 10u32.pow(i)) % 10;
        if d == 0 {
            zero_pending = true;
        } else {
            if zero_pending && out.len() > start {
                out.push('零');
            }
            zero_pending = false;
            out.push(DIGITS[d as usize]);
            out.push_str(UNITS[i as usize]);
        }
    }
}

/// Parses Chinese numerals as statutes write them (一百二十二 = 122); also
/// accepts Arabic digits.
pub fn parse_chinese_number(s: &str) -> Option<u32> {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|d| d as u32)
    };
    let (mut total, mut current) = (0u32, 0u32);
    let mut any = false;
    for c in s.chars() {
        any = true;
        if let Some(d) = digit(c) {
            current = d;
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        total += if current == 0 { 1 } else { current } * unit;
        current = 0;
    }
    (any).then_some(total + current)
}

impl Citation {
    /// 《中华人民共和国食品安全法》第一百二十二条第一款第（五）项
    pub fn to_chinese(&self) -> String {
        let mut s = String::with_capacity(self.law.len() + 48);
        s.push('《');
        s.push_str(&self.law);
        s.push_str("》第");
        push_chinese_number(&mut s, self.article);
        s.push('条');
        if let Some(p) = self.paragraph {
            s.push('第');
            push_chinese_number(&mut s, p);
            s.push('款');
        }
        if let Some(i) = self.item {
            s.push_str("第（");
            push_chinese_number(&mut s, i);
            s.push_str("）项");
        }
        s
    }

    /// Reads a citation written out as `to_chinese` writes it:
    /// 《中华人民共和国食品安全法》第一百二十二条第一款第（五）项 (Arabic digits too).
    pub fn parse_chinese(text: &str) -> Option<Citation> {
        static RE: once_cell::sync::Lazy<regex::Regex> = once_cell::sync::Lazy::new(|| {
            regex::Regex::new(
                r"^《([^》]+)》第([零一二三四五六七八九十百千0-9]+)条(?:第([零一二三四五六七八九十百千0-9]+)款)?(?:第[（(]([零一二三四五六七八九十百千0-9]+)[）)]项)?$",
            )
            .expect("valid regex")
        });
        let caps = RE.captures(text.trim())?;
        let num = |i: usize| caps.get(i).map(|m| parse_chinese_number(m.as_str()));
        Some(Citation {
            law: caps[1].trim().to_string(),
            article: num(2)??,
            paragraph: match num(3) {
                Some(v) => Some(v?),
                None => None,
            },
            item: match num(4) {
                Some(v) => Some(v?),
                None => None,
            },
        })
    }

    /// A citation is complete when it names a law and an article ≥ 1.
    pub fn problem(&self) -> Option<&'static str> {
        if self.law.trim().is_empty() {
            return Some("the law is not named");
        }
        if self.article == 0 {
            return Some("the article is missing");
        }
        if self.paragraph == Some(0) || self.item == Some(0) {
            return Some("paragraph and item numbers start at 1");
        }
        None
    }
}

//! Pure rules of enforcement items (执法事项): what makes a legal citation
//! complete, and how one is written in Chinese.

pub use crate::kernel::citation::{chinese_number, parse_chinese_number, Citation, PenaltyType};

/// An item without a violation basis and a penalty basis has no legal
/// basis and must not be imposed (APL Art 38 ¶1: a penalty without legal
/// basis is void). Returns the reason, naming the list.
pub fn legal_basis_problem(violation: &[Citation], penalty: &[Citation]) -> Option<String> {
    if violation.is_empty() {
        return Some("violation_basis: no legal basis cited (行政处罚法第三十八条)".into());
    }
    if penalty.is_empty() {
        return Some("penalty_basis: no legal basis cited (行政处罚法第三十八条)".into());
    }
    for (list, cites) in [("violation_basis", violation), ("penalty_basis", penalty)] {
        for (i, c) in cites.iter().enumerate() {
            if let Some(p) = c.problem() {
                return Some(format!("{list}[{i}]: {p}"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        let cases = [
            (1, "一"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (35, "三十五"),
            (100, "一百"),
            (101, "一百零一"),
            (122, "一百二十二"),
            (110, "一百一十"),
            (1005, "一千零五"),
        ];
        for (n, s) in cases {
            assert_eq!(chinese_number(n), s, "{n}");
        }
    }

    #[test]
    fn numerals_read_back() {
        for n in 1..10_000 {
            assert_eq!(parse_chinese_number(&chinese_number(n)), Some(n), "{n}");
        }
        assert_eq!(parse_chinese_number("63"), Some(63));
        assert_eq!(parse_chinese_number("abc"), None);
        let c =
            Citation::parse_chinese("《中华人民共和国食品安全法》第一百二十四条第一款第（五）项")
                .unwrap();
        assert_eq!((c.article, c.paragraph, c.item), (124, Some(1), Some(5)));
        assert_eq!(Citation::parse_chinese(&c.to_chinese()), Some(c));
        assert_eq!(
            Citation::parse_chinese("《道路运输条例》第63条")
                .unwrap()
                .article,
            63
        );
        assert!(Citation::parse_chinese("食品安全法122").is_none());
    }

    #[test]
    fn citation_text() {
        let c = Citation {
            law: "中华人民共和国食品安全法".into(),
            article: 124,
            paragraph: Some(1),
            item: Some(5),
        };
        assert_eq!(
            c.to_chinese(),
            "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"
        );
    }

    #[test]
    fn basis_required() {
        let c = Citation {
            law: "法".into(),
            article: 1,
            paragraph: None,
            item: None,
        };
        assert!(legal_basis_problem(&[], std::slice::from_ref(&c))
            .unwrap()
            .starts_with("violation_basis"));
        assert!(legal_basis_problem(std::slice::from_ref(&c), &[])
            .unwrap()
            .starts_with("penalty_basis"));
        let bad = Citation {
            article: 0,
            ..c.clone()
        };
        assert!(legal_basis_problem(std::slice::from_ref(&c), &[bad]).is_some());
        assert!(legal_basis_problem(std::slice::from_ref(&c), std::slice::from_ref(&c)).is_none());
    }
}

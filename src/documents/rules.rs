//! The rules of official documents, pure: amounts in words (大写), the
//! document number (文号), line breaking with 避头尾, templates filled from
//! case data with every required field present.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{AppError, Code};

// ------------------------------------------------------------ amounts

/// 人民币伍万元整, 人民币壹仟贰佰叁拾肆元伍角陆分 — the way amounts are
/// written on financial and official documents (GB/T 15835 practice).
pub fn amount_in_words(fen: impl Into<crate::kernel::Fen>) -> String {
    let fen = fen.into().get();
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
    const GROUPS: [&str; 4] = ["", "万", "亿", "万亿"];
    let fen = fen.max(0);
    let yuan = fen / 100;
    let jiao = (fen / 10) % 10;
    let fen_ = fen % 10;
    let mut out = String::from("人民币");
    if yuan == 0 {
        if jiao == 0 && fen_ == 0 {
            return "人民币零元整".into();
        }
    } else {
        // Groups of four digits, high to low.
        let mut groups = vec![];
        let mut n = yuan;
        while n > 0 {
            groups.push(n % 10_000);
            n /= 10_000;
        }
        let mut text = String::new();
        let mut zero_pending = false;
        for (gi, g) in groups.iter().enumerate().rev() {
            if *g == 0 {
                zero_pending = !text.is_empty();
                continue;
            }
            if zero_pending || (!text.is_empty() && *g < 1000) {
                text.push('零');
            }
            zero_pending = false;
            let mut inner_zero = false;
            let mut started = false;
            for pos in (0..4).rev() {
                let d = (g / 10_i64.pow(pos as u32)) % 10;
                if d == 0 {
                    inner_zero = started;
                    continue;
                }
                if inner_zero {
                    text.push('零');
                    inner_zero = false;
                }
                text.push(DIGITS[d as usize]);
                text.push_str(UNITS[pos]);
                started = true;
            }
            text.push_str(GROUPS[gi.min(3)]);
        }
        out.push_str(&text);
        out.push('元');
    }
    match (jiao, fen_) {
        (0, 0) => out.push('整'),
        (j, 0) => {
            out.push(DIGITS[j as usize]);
            out.push_str("角整");
        }
        (j, f) => {
            if j > 0 {
                out.push(DIGITS[j as usize]);
                out.push('角');
            } else if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f as usize]);
            out.push('分');
        }
    }
    out
}

/// 50,000元 / 1,234.56元 — the amount in figures.
pub fn amount_in_figures(fen: impl Into<crate::kernel::Fen>) -> String {
    let fen = fen.into().get();
    let yuan = fen / 100;
    let rest = fen % 100;
    let digits = yuan.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if rest == 0 {
        format!("{grouped}元")
    } else {
        format!("{grouped}.{rest:02}元")
    }
}

/// `{short name}{kind code}〔{year}〕{n}号`, e.g. 五市监罚〔2026〕12号.
pub fn document_number(short_name: &str, code: &str, year: i32, n: i64) -> String {
    format!("{short_name}{code}〔{year}〕{n}号")
}

// ------------------------------------------------------------ line breaking

/// Characters that may not begin a line (避头): closing punctuation.
const NO_LINE_START: &str = "，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}";
/// Characters that may not end a line (避尾): opening punctuation.
const NO_LINE_END: &str = "（《「『【〔〈“‘([{";

/// Breaks `text` into lines no wider than `max` (in the units `width`
/// returns), at any character boundary between CJK characters, keeping runs
/// of Latin letters and digits together when they fit on a line, and
/// honouring 避头尾: a closing mark never starts a line (it is pulled up,
/// even past the margin by one mark, as typesetters do) and an opening mark
/// never ends one. Explicit newlines break.
pub fn wrap(text: &str, max: f32, width: impl Fn(char) -> f32) -> Vec<String> {
    let mut out = vec![];
    for para in text.split('\n') {
        let chars: Vec<char> = para.chars().collect();
        if chars.is_empty() {
            out.push(String::new());
            continue;
        }
        let mut start = 0;
        while start < chars.len() {
            let mut w = 0.0;
            let mut end = start;
            while end < chars.len() && w + width(chars[end]) <= max {
                w += width(chars[end]);
                end += 1;
            }
            if end == start {
                end = start + 1; // a single character wider than the line
            }
            if end < chars.len() {
                // Keep a Latin/digit run whole when it can fit a line.
                let is_word = |c: char| c.is_ascii_alphanumeric();
                if is_word(chars[end]) && is_word(chars[end - 1]) {
                    let mut b = end;
                    while b > start && is_word(chars[b - 1]) {
                        b -= 1;
                    }
                    if b > start {
                        end = b;
                    }
                }
                // 避头: closing marks hang at the end of this line (at most two).
                let mut pulled = 0;
                while end < chars.len() && pulled < 2 && NO_LINE_START.contains(chars[end]) {
                    end += 1;
                    pulled += 1;
                }
                // 避尾: an opening mark goes down to the next line.
                while end > start + 1 && end < chars.len() && NO_LINE_END.contains(chars[end - 1]) {
                    end -= 1;
                }
            }
            out.push(chars[start..end].iter().collect());
            start = end;
        }
    }
    out
}

// ------------------------------------------------------------ templates

/// A document template (`fixtures/templates/<kind>.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub kind: String,
    pub title: String,
    /// The kind code in the number (罚, 罚告, 送 …); configurable per template.
    pub code: String,
    /// Context paths that must be present and non-empty (422 naming the field).
    #[serde(default)]
    pub required: Vec<String>,
    /// The issuing organ's name (`department.name`) above the title, as
    /// the SAMR formats of decisions and notices print it.
    #[serde(default)]
    pub organ_above_title: bool,
    pub blocks: Vec<TemplateBlock>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// Body text, first line indented two characters.
    #[default]
    Paragraph,
    /// A bold-looking heading line (no indent).
    Heading,
    /// A line without indent (party blocks, 落款).
    Line,
    /// Right-aligned (organ, date, seal).
    Right,
    /// A table; `rows` names an array in the context.
    Table,
    /// Vertical space.
    Spacer,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateBlock {
    #[serde(default, rename = "type")]
    pub kind: BlockKind,
    #[serde(default)]
    pub text: String,
    /// Shown only when this context path is truthy ("!path": when falsy).
    #[serde(default)]
    pub when: Option<String>,
    /// Table: the array to iterate; each row sees its element as `row`.
    #[serde(default)]
    pub rows: Option<String>,
    #[serde(default)]
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub header: String,
    pub text: String,
    /// Relative width.
    #[serde(default = "one")]
    pub width: f32,
}

fn one() -> f32 {
    1.0
}

/// A filled block, ready for layout.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(String),
    Heading(String),
    Line(String),
    Right(String),
    Table {
        widths: Vec<f32>,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Spacer,
}

/// The value at a dotted path.
pub fn lookup<'a>(ctx: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(ctx, |v, k| match v {
        Value::Object(m) => m.get(k),
        Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(a) => a.iter().map(text_of).collect::<Vec<_>>().join("、"),
        other => other.to_string(),
    }
}

/// Replaces `{path}` with the context's value; a missing value is an
/// error naming the path (never a blank where the law needs content).
pub fn substitute(text: &str, ctx: &Value) -> Result<String, String> {
    substitute_or(text, ctx, None)
}

/// A blank for a value a draft does not have yet, written in by hand.
pub const BLANK: &str = "＿＿＿＿＿＿";

fn substitute_or(text: &str, ctx: &Value, blank: Option<&str>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed {{ in {text}"))?;
        let path = &after[..close];
        let v = lookup(ctx, path).filter(|v| truthy(Some(v)) || v.is_number() || v.is_boolean());
        match (v, blank) {
            (Some(v), _) => out.push_str(&text_of(v)),
            (None, Some(b)) => out.push_str(b),
            (None, None) => return Err(path.to_string()),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn shown(b: &TemplateBlock, ctx: &Value) -> bool {
    match b.when.as_deref() {
        None => true,
        Some(w) => match w.strip_prefix('!') {
            Some(p) => !truthy(lookup(ctx, p)),
            None => truthy(lookup(ctx, w)),
        },
    }
}

fn missing(field: &str, kind: &str) -> AppError {
    AppError::rule_on_field(
        Code::DocumentFieldMissing,
        field,
        format!("文书「{kind}」缺少必要内容：{field}"),
    )
}

/// Fills a template: every required field present, every placeholder found.
pub fn fill(t: &Template, ctx: &Value) -> Result<Vec<Block>, AppError> {
    fill_inner(t, ctx, None)
}

/// A draft for printing before the step (a 现场笔录 to fill in on site): what
/// the case knows filled in, the rest left as blanks to write by hand; a
/// table without rows gets three empty ones.
pub fn fill_draft(t: &Template, ctx: &Value) -> Vec<Block> {
    let mut blocks = fill_inner(t, ctx, Some(BLANK)).unwrap_or_default();
    for b in &mut blocks {
        if let Block::Table { header, rows, .. } = b {
            if rows.is_empty() {
                *rows = vec![vec![String::new(); header.len()]; 3];
            }
        }
    }
    blocks
}

fn fill_inner(t: &Template, ctx: &Value, blank: Option<&str>) -> Result<Vec<Block>, AppError> {
    for r in t.required.iter().filter(|_| blank.is_none()) {
        if !truthy(lookup(ctx, r)) && !lookup(ctx, r).is_some_and(|v| v.is_number()) {
            return Err(missing(r, &t.title));
        }
    }
    let mut out = vec![];
    for b in t.blocks.iter().filter(|b| shown(b, ctx)) {
        let sub = |s: &str| substitute_or(s, ctx, blank).map_err(|f| missing(&f, &t.title));
        out.push(match b.kind {
            BlockKind::Paragraph => Block::Paragraph(sub(&b.text)?),
            BlockKind::Heading => Block::Heading(sub(&b.text)?),
            BlockKind::Line => Block::Line(sub(&b.text)?),
            BlockKind::Right => Block::Right(sub(&b.text)?),
            BlockKind::Spacer => Block::Spacer,
            BlockKind::Table => {
                let path = b.rows.as_deref().unwrap_or("");
                let items = lookup(ctx, path)
                    .and_then(|v| v.as_array())
                    .cloned()
                    .unwrap_or_default();
                let mut rows = vec![];
                for item in items {
                    let mut scoped = ctx.clone();
                    if let Some(o) = scoped.as_object_mut() {
                        o.insert("row".into(), item);
                    }
                    let row: Result<Vec<String>, AppError> = b
                        .columns
                        .iter()
                        .map(|c| {
                            substitute_or(&c.text, &scoped, blank)
                                .map_err(|f| missing(&f, &t.title))
                        })
                        .collect();
                    rows.push(row?);
                }
                Block::Table {
                    widths: b.columns.iter().map(|c| c.width).collect(),
                    header: b.columns.iter().map(|c| c.header.clone()).collect(),
                    rows,
                }
            }
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_in_words() {
        assert_eq!(amount_in_words(5_000_000), "人民币伍万元整");
        assert_eq!(amount_in_words(6_800_000), "人民币陆万捌仟元整");
        assert_eq!(amount_in_words(123_456), "人民币壹仟贰佰叁拾肆元伍角陆分");
        assert_eq!(amount_in_words(100_005), "人民币壹仟元零伍分");
        assert_eq!(amount_in_words(100_050), "人民币壹仟元伍角整");
        assert_eq!(amount_in_words(1_000_500), "人民币壹万零伍元整");
        assert_eq!(amount_in_words(10_000_000_000), "人民币壹亿元整");
        assert_eq!(amount_in_words(1_001_000_000), "人民币壹仟零壹万元整");
        assert_eq!(amount_in_words(50), "人民币伍角整");
        assert_eq!(amount_in_words(0), "人民币零元整");
        assert_eq!(amount_in_figures(5_000_000), "50,000元");
        assert_eq!(amount_in_figures(123_456), "1,234.56元");
        assert_eq!(
            document_number("五市监", "罚", 2026, 12),
            "五市监罚〔2026〕12号"
        );
    }

    #[test]
    fn lines_break_with_kinsoku() {
        let w = |c: char| if c.is_ascii() { 0.5 } else { 1.0 };
        // 4 characters a line; the comma may not start a line.
        let lines = wrap("当事人甲，于二〇二六年", 4.0, w);
        assert_eq!(lines[0], "当事人甲，", "{lines:?}");
        assert!(lines.iter().all(|l| !l.starts_with('，')));
        // An opening bracket never ends a line.
        let lines = wrap("依据法律《中华人民共和国》", 5.0, w);
        assert!(lines.iter().all(|l| !l.ends_with('《')), "{lines:?}");
        // Latin runs stay whole when they fit.
        let lines = wrap("编号AB12CD", 4.0, w);
        assert_eq!(lines, vec!["编号", "AB12CD"]);
        // Nothing is lost.
        let text = "罚款人民币伍万元整（50,000元），限于收到本决定书之日起十五日内缴纳。";
        assert_eq!(wrap(text, 7.0, w).concat(), text);
    }

    #[test]
    fn templates_fill_or_name_the_missing_field() {
        let t: Template = toml::from_str(
            r#"
kind = "x"
title = "行政处罚决定书"
code = "罚"
required = ["party.name"]
[[blocks]]
text = "当事人：{party.name}"
[[blocks]]
text = "有听证权"
when = "hearing"
[[blocks]]
type = "table"
rows = "penalties"
columns = [{ header = "种类", text = "{row.name}" }, { header = "金额", text = "{row.amount}" }]
"#,
        )
        .unwrap();
        let ctx = json!({"party": {"name": "赵某"}, "hearing": false, "penalties": [{"name": "罚款", "amount": "50,000元"}]});
        let blocks = fill(&t, &ctx).unwrap();
        assert_eq!(blocks[0], Block::Paragraph("当事人：赵某".into()));
        assert_eq!(blocks.len(), 2, "the conditional block is left out");
        let e = fill(&t, &json!({"party": {"name": " "}})).unwrap_err();
        assert_eq!(e.code, Code::DocumentFieldMissing);
        assert_eq!(e.errors[0].field, "party.name");
        let e = fill(
            &t,
            &json!({"party": {"name": "赵某"}, "penalties": [{"name": "罚款"}]}),
        )
        .unwrap_err();
        assert_eq!(e.errors[0].field, "row.amount");
    }
}

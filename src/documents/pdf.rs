//! A4 PDF in the look of GB/T 9704 official documents: the title centred
//! and large, the number under it, body text in 三号 (16 pt) with a
//! two-character first-line indent, 28 characters a line, tables with their
//! header repeated on every page, page numbers "— n —" at the foot. The
//! layout is ours (printpdf places text, it does not wrap): `rules::wrap`
//! breaks lines with 避头尾. Deterministic: the same blocks give the same
//! bytes (fixed font resource name, fixed dates, the trailer /ID derived
//! from the document's own key).

use printpdf::{
    FontId, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, TextItem,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use super::rules::{wrap, Block};
use super::subset::Face;
use crate::error::{AppError, Code};

/// The font, parsed once per process (a 5 MB face takes a while).
pub type FontCell = std::sync::Arc<std::sync::OnceLock<Result<std::sync::Arc<DocFont>, String>>>;

/// The document font, parsed once and shared.
pub struct DocFont {
    /// Indexed once: glyphs, advances and the subset of each document.
    face: Face,
    upem: f32,
}

impl DocFont {
    /// Face 0 of a TrueType font or collection (`.ttf`, `.ttc`).
    pub fn load(path: &std::path::Path) -> Result<DocFont, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("document font {}: {e}", path.display()))?;
        let not_a_font = || format!("document font {}: not a TrueType font", path.display());
        let face = Face::parse(bytes, 0).ok_or_else(not_a_font)?;
        let upem = f32::from(face.units_per_em().max(1));
        let font = DocFont { face, upem };
        // Every document embeds a subset: check on loading that one of
        // this face is a font printpdf reads.
        let mut sample = BTreeMap::new();
        font.add_glyphs("行政处罚决定书 0123456789", &mut sample);
        if sample.is_empty() {
            return Err(format!(
                "document font {}: has no Chinese glyphs",
                path.display()
            ));
        }
        font.embeddable(&sample).ok_or_else(not_a_font)?;
        Ok(font)
    }

    /// The advance of `c` in ems; None when the font has no glyph for it.
    pub fn advance(&self, c: char) -> Option<f32> {
        let gid = self.face.glyph_id(c)?;
        Some(f32::from(self.face.advance(gid)) / self.upem)
    }

    /// Adds every character `ops` show, with its glyph id, to `chars`.
    fn used_glyphs(&self, ops: &[Op], chars: &mut BTreeMap<char, u16>) {
        for op in ops {
            let Op::ShowText { items } = op else { continue };
            for item in items {
                if let TextItem::Text(text) = item {
                    self.add_glyphs(text, chars);
                }
            }
        }
    }

    /// Adds every character of `text` the font can show, with its glyph id.
    fn add_glyphs(&self, text: &str, chars: &mut BTreeMap<char, u16>) {
        for c in text.chars() {
            if let Some(gid) = self.face.glyph_id(c) {
                chars.insert(c, gid);
            }
        }
    }

    /// The subset of `chars` as bytes to embed and as the font printpdf
    /// places text with; None when printpdf cannot read it.
    fn embeddable(&self, chars: &BTreeMap<char, u16>) -> Option<(Vec<u8>, ParsedFont)> {
        let bytes = self.face.subset(chars);
        let parsed = ParsedFont::from_bytes(&bytes, 0, &mut vec![])?;
        Some((bytes, parsed))
    }

    fn width(&self, c: char) -> f32 {
        self.advance(c).unwrap_or(1.0)
    }

    /// Characters the font cannot show (rare name characters of CJK
    /// Extension B and beyond, for instance): reported, never dropped.
    pub fn missing(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace() && self.advance(*c).is_none())
            .collect();
        out.dedup();
        out
    }
}

/// The operation that shows `text` in the current font.
fn show(text: &str) -> Op {
    Op::ShowText {
        items: vec![TextItem::Text(text.to_string())],
    }
}

const PT_PER_MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * PT_PER_MM;
const PAGE_H: f32 = 297.0 * PT_PER_MM;
const LEFT: f32 = 28.0 * PT_PER_MM;
const RIGHT: f32 = 26.0 * PT_PER_MM;
const TOP: f32 = 37.0 * PT_PER_MM;
const BOTTOM: f32 = 35.0 * PT_PER_MM;
const BODY: f32 = 16.0;
const LEADING: f32 = 28.0;
const TITLE: f32 = 22.0;
const CELL: f32 = 12.0;
const CELL_LEADING: f32 = 18.0;

struct Pages<'f> {
    font: &'f DocFont,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'f> Pages<'f> {
    fn new(font: &'f DocFont) -> Self {
        Pages {
            font,
            pages: vec![vec![]],
            y: PAGE_H - TOP,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(vec![]);
        self.y = PAGE_H - TOP;
    }

    /// Room for `h` points on this page, else a new page.
    fn need(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, baseline: f32, size: f32, text: &str) {
        let ops = self.ops();
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(FontId("F1".into())),
            size: Pt(size),
        });
        ops.push(Op::SetTextCursor {
            pos: Point {
                x: Pt(x),
                y: Pt(baseline),
            },
        });
        ops.push(show(text));
        ops.push(Op::EndTextSection);
    }

    fn text_width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.font.width(c)).sum::<f32>() * size
    }

    /// One line of `size` text at the cursor, aligned, advancing by `leading`.
    fn line(&mut self, text: &str, x: f32, size: f32, leading: f32) {
        self.need(leading);
        let baseline = self.y - size;
        self.text_at(x, baseline, size, text);
        self.y -= leading;
    }

    fn centered(&mut self, text: &str, size: f32, leading: f32) {
        let w = self.text_width(text, size);
        self.line(
            text,
            LEFT + ((PAGE_W - LEFT - RIGHT) - w).max(0.0) / 2.0,
            size,
            leading,
        );
    }

    fn paragraph(&mut self, text: &str, indent: bool) {
        let width = PAGE_W - LEFT - RIGHT;
        let prefix = if indent { "\u{3000}\u{3000}" } else { "" };
        let full = format!("{prefix}{text}");
        for l in wrap(&full, width / BODY, |c| self.font.width(c)) {
            self.line(&l, LEFT, BODY, LEADING);
        }
    }

    fn right(&mut self, text: &str) {
        // The organ and the date stay together.
        self.need(text.split('\n').count() as f32 * LEADING);
        for l in text.split('\n') {
            let w = self.text_width(l, BODY);
            let x = PAGE_W - RIGHT - w - 2.0 * BODY;
            self.line(l, x.max(LEFT), BODY, LEADING);
        }
    }

    fn hline(&mut self, x0: f32, x1: f32, y: f32) {
        self.ops().push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint {
                        p: Point {
                            x: Pt(x0),
                            y: Pt(y),
                        },
                        bezier: false,
                    },
                    LinePoint {
                        p: Point {
                            x: Pt(x1),
                            y: Pt(y),
                        },
                        bezier: false,
                    },
                ],
                is_closed: false,
            },
        });
    }

    fn vline(&mut self, x: f32, y0: f32, y1: f32) {
        self.ops().push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint {
                        p: Point {
                            x: Pt(x),
                            y: Pt(y0),
                        },
                        bezier: false,
                    },
                    LinePoint {
                        p: Point {
                            x: Pt(x),
                            y: Pt(y1),
                        },
                        bezier: false,
                    },
                ],
                is_closed: false,
            },
        });
    }

    /// One table row (cells wrapped); returns false when it did not fit.
    fn row(&mut self, cells: &[String], xs: &[f32]) {
        let pad = 3.0;
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(xs.windows(2))
            .map(|(c, w)| {
                wrap(c, (w[1] - w[0] - 2.0 * pad) / CELL, |ch| {
                    self.font.width(ch)
                })
            })
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let h = lines as f32 * CELL_LEADING + 2.0 * pad;
        let top = self.y;
        for (cell, w) in wrapped.iter().zip(xs.windows(2)) {
            for (i, l) in cell.iter().enumerate() {
                let baseline = top - pad - CELL - i as f32 * CELL_LEADING + 2.0;
                self.text_at(w[0] + pad, baseline, CELL, l);
            }
        }
        let bottom = top - h;
        self.hline(xs[0], *xs.last().unwrap_or(&xs[0]), top);
        self.hline(xs[0], *xs.last().unwrap_or(&xs[0]), bottom);
        for x in xs {
            self.vline(*x, top, bottom);
        }
        self.y = bottom;
    }

    fn row_height(&self, cells: &[String], xs: &[f32]) -> f32 {
        let pad = 3.0;
        let lines = cells
            .iter()
            .zip(xs.windows(2))
            .map(|(c, w)| {
                wrap(c, (w[1] - w[0] - 2.0 * pad) / CELL, |ch| {
                    self.font.width(ch)
                })
                .len()
            })
            .max()
            .unwrap_or(1)
            .max(1);
        lines as f32 * CELL_LEADING + 2.0 * pad
    }

    fn table(&mut self, widths: &[f32], header: &[String], rows: &[Vec<String>]) {
        let total: f32 = widths.iter().sum::<f32>().max(0.001);
        let span = PAGE_W - LEFT - RIGHT;
        let mut xs = vec![LEFT];
        for w in widths {
            let last = *xs.last().unwrap_or(&LEFT);
            xs.push(last + span * w / total);
        }
        self.need(self.row_height(header, &xs) * 2.0);
        self.row(header, &xs);
        for r in rows {
            let h = self.row_height(r, &xs);
            if self.y - h < BOTTOM {
                // A new page repeats the header.
                self.new_page();
                self.row(header, &xs);
            }
            self.row(r, &xs);
        }
        self.y -= LEADING / 2.0;
    }
}

/// What the page shows besides the blocks.
pub struct Heading<'a> {
    pub title: &'a str,
    pub number: &'a str,
    /// Printed at the foot of the last page (number + verification code).
    pub verification: &'a str,
    /// Seeds the deterministic trailer /ID (e.g. the document's number and kind).
    pub key: &'a str,
    /// The document date (its metadata carries no clock).
    pub date: chrono::NaiveDate,
}

/// Renders the blocks into a PDF.
pub fn render(font: &DocFont, h: &Heading, blocks: &[Block]) -> Result<Vec<u8>, AppError> {
    // Every character must be printable: nothing dropped silently.
    let mut all = format!("{}{}{}", h.title, h.number, h.verification);
    for b in blocks {
        match b {
            Block::Paragraph(t) | Block::Heading(t) | Block::Line(t) | Block::Right(t) => {
                all.push_str(t)
            }
            Block::Table { header, rows, .. } => {
                all.extend(header.iter().map(String::as_str));
                for r in rows {
                    all.extend(r.iter().map(String::as_str));
                }
            }
            Block::Spacer => {}
        }
    }
    let missing = font.missing(&all);
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|c| format!("{c}（U+{:04X}）", *c as u32))
            .collect();
        return Err(AppError::rule(
            Code::GlyphMissing,
            format!(
                "文书字体缺少这些字符，不能生成（请配置包含这些字符的字体）：{}",
                list.join("、")
            ),
        ));
    }

    let mut p = Pages::new(font);
    p.centered(h.title, TITLE, TITLE * 1.8);
    if !h.number.is_empty() {
        p.centered(h.number, BODY, LEADING * 1.5);
    }
    for b in blocks {
        match b {
            Block::Paragraph(t) => p.paragraph(t, true),
            Block::Heading(t) | Block::Line(t) => p.paragraph(t, false),
            Block::Right(t) => p.right(t),
            Block::Table {
                widths,
                header,
                rows,
            } => p.table(widths, header, rows),
            Block::Spacer => p.y -= LEADING / 2.0,
        }
    }
    p.need(LEADING);
    p.y -= LEADING / 2.0;
    let v = h.verification.to_string();
    let size = 10.5;
    p.line(&v, LEFT, size, size * 1.6);

    // Page numbers (GB/T 9704: "— 1 —").
    let mut pages = vec![];
    let mut chars = BTreeMap::new();
    for (i, mut ops) in std::mem::take(&mut p.pages).into_iter().enumerate() {
        let label = format!("— {} —", i + 1);
        let w = p.text_width(&label, 14.0);
        let mut q = Pages {
            font,
            pages: vec![vec![]],
            y: 0.0,
        };
        q.text_at((PAGE_W - w) / 2.0, 20.0 * PT_PER_MM, 14.0, &label);
        ops.extend(q.pages.remove(0));
        font.used_glyphs(&ops, &mut chars);
        pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
    }
    let (subset, subset_font) = font
        .embeddable(&chars)
        .ok_or_else(|| AppError::internal("pdf: the document's font subset does not parse"))?;

    let mut doc = PdfDocument::new(h.title);
    doc.resources
        .fonts
        .map
        .insert(FontId("F1".into()), PdfFont::new(subset_font));
    let date = h
        .date
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
        .unwrap_or(0);
    if let Ok(t) = printpdf::OffsetDateTime::from_unix_timestamp(date) {
        doc.metadata.info.creation_date = t;
        doc.metadata.info.modification_date = t;
        doc.metadata.info.metadata_date = t;
    }
    doc.metadata.info.identifier = h.number.to_string();
    doc.metadata.info.producer = "zhifa".into();
    // Streams are compressed here, not by printpdf: its `optimize` deflates
    // at the best (slowest) level, which cost more than the font subsetting
    // in a filing's profile for a few per cent of size.
    // The font is subset already (its glyphs renumbered): embedded as given.
    let opts = PdfSaveOptions {
        subset_fonts: false,
        optimize: false,
        ..Default::default()
    };
    let mut warnings = vec![];
    let mut pdf = doc
        .with_pages(pages)
        .to_lopdf_document(&opts, &mut warnings);
    compress_streams(&mut pdf);
    tag_subset_font(&mut pdf, &subset);
    let mut bytes = Vec::new();
    pdf.save_to(&mut bytes)
        .map_err(|e| AppError::internal(format!("pdf: {e}")))?;
    fix_trailer_id(&mut bytes, h.key);
    Ok(bytes)
}

/// Deflates every stream that allows it and has no filter yet, at zlib's
/// default level, keeping the result only when it is smaller (as lopdf does).
fn compress_streams(pdf: &mut lopdf::Document) {
    use std::io::Write;
    for object in pdf.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let Ok(compressed) = z.write_all(&stream.content).and_then(|_| z.finish()) else {
            continue;
        };
        if compressed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
}

/// Names the embedded font as a subset: `/BaseFont` and `/FontName` start
/// with a tag of six capital letters and `+` (PDF 32000-1 §9.6.4), derived
/// from the subset's bytes so that the same document keeps the same name.
fn tag_subset_font(pdf: &mut lopdf::Document, subset: &[u8]) {
    let digest = Sha256::digest(subset);
    let tag: Vec<u8> = digest[..6].iter().map(|b| b'A' + b % 26).collect();
    for object in pdf.objects.values_mut() {
        let lopdf::Object::Dictionary(dict) = object else {
            continue;
        };
        for key in [&b"BaseFont"[..], b"FontName"] {
            if let Ok(lopdf::Object::Name(name)) = dict.get_mut(key) {
                if !name.contains(&b'+') {
                    let mut tagged = tag.clone();
                    tagged.push(b'+');
                    tagged.append(name);
                    *name = tagged;
                }
            }
        }
    }
}

/// printpdf writes a random trailer /ID; replace both strings (same
/// length, so no offset moves) with ones derived from the document's key.
fn fix_trailer_id(bytes: &mut [u8], key: &str) {
    let Some(at) = bytes.windows(3).rposition(|w| w == b"/ID") else {
        return;
    };
    let digest = hex::encode(Sha256::digest(key.as_bytes()));
    let fill = digest.as_bytes();
    let mut i = at + 3;
    for _ in 0..2 {
        let Some(open) = bytes[i..].iter().position(|b| *b == b'(') else {
            return;
        };
        let start = i + open + 1;
        let Some(len) = bytes[start..].iter().position(|b| *b == b')') else {
            return;
        };
        for (k, b) in bytes[start..start + len].iter_mut().enumerate() {
            *b = fill[k % fill.len()];
        }
        i = start + len + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> DocFont {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/fonts/wqy-microhei.ttc");
        DocFont::load(&path).expect("fixture font")
    }

    fn heading() -> Heading<'static> {
        Heading {
            title: "行政处罚决定书",
            number: "五市监罚〔2026〕1号",
            verification: "核验码：ABCDEFGH",
            key: "case/penalty_decision/1",
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        }
    }

    #[test]
    fn same_blocks_same_bytes_and_many_pages_flow() {
        let f = font();
        let long = "当事人未取得食品经营许可从事餐饮服务，违反了《中华人民共和国食品安全法》第三十五条第一款的规定。".repeat(40);
        let blocks = vec![
            Block::Line("当事人：昆明某某餐饮管理有限公司".into()),
            Block::Paragraph(long),
            Block::Table {
                widths: vec![1.0, 2.0],
                header: vec!["处罚种类".into(), "金额".into()],
                rows: (0..60)
                    .map(|i| vec![format!("罚款{i}"), "人民币伍万元整（50,000元）".into()])
                    .collect(),
            },
            Block::Right("五华区市场监督管理局\n2026年11月26日".into()),
        ];
        let a = render(&f, &heading(), &blocks).unwrap();
        let b = render(&f, &heading(), &blocks).unwrap();
        assert_eq!(a, b, "deterministic");
        let text = pdf_extract::extract_text_from_mem(&a).unwrap();
        assert!(text.contains("— 3 —"), "several pages, numbered");
        // The header row repeats on the page the table continues on.
        assert!(text.matches("处罚种类").count() >= 2);

        // The embedded font is this document's subset, named as one.
        let doc = lopdf::Document::load_mem(&a).unwrap();
        let names: Vec<String> = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok()?.get(b"FontName").ok()?.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        let (tag, face) = names[0].split_once('+').expect("subset tag");
        assert!(
            tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()),
            "{tag}"
        );
        assert_eq!(face, "WenQuanYiMicroHei");
        let embedded = doc
            .objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .filter(|s| s.dict.get(b"Length1").is_ok())
            .map(|s| s.decompressed_content().unwrap().len())
            .collect::<Vec<_>>();
        assert_eq!(embedded.len(), 1);
        assert!(
            embedded[0] < 100_000,
            "{} bytes of a 5 MB face",
            embedded[0]
        );
    }

    #[test]
    fn characters_the_font_lacks_are_reported_not_dropped() {
        let f = font();
        // 𠀀 (U+20000, CJK Extension B) is not in the fixture font.
        let e = render(&f, &heading(), &[Block::Line("当事人：𠀀某".into())]).unwrap_err();
        assert_eq!(e.code, Code::GlyphMissing);
        assert!(e.detail.contains("U+20000"), "{}", e.detail);
    }
}

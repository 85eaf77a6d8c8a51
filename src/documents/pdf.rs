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
use std::path::{Path, PathBuf};

use super::rules::{wrap, Block};
use super::subset::Face;
use crate::error::AppError;

/// One face of the chain, indexed for subsetting.
struct LoadedFace {
    face: Face,
    upem: f32,
}

/// A fallback face: read the first time a character needs it (most
/// documents never do), and left out with a logged warning when it cannot
/// be read.
struct Fallback {
    path: PathBuf,
    face: std::sync::OnceLock<Option<LoadedFace>>,
}

/// The document font: the body face and, behind it, the fallback chain
/// (`ZHIFA_DOCUMENT_FALLBACK_FONTS`). Each character is drawn with the
/// first face that has it; a character no face has is drawn as a visible
/// placeholder with its code point and reported (`Drawn::missing`).
pub struct DocFont {
    /// The body face, indexed once: glyphs, advances and the subset of
    /// each document.
    primary: LoadedFace,
    fallbacks: Vec<Fallback>,
}

/// Reads a font file; a name ending in `.gz` is gunzipped (the fallback
/// faces ship compressed to keep a checkout small).
fn read_font(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let bytes =
        std::fs::read(path).map_err(|e| format!("document font {}: {e}", path.display()))?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::with_capacity(bytes.len() * 2);
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| format!("document font {}: {e}", path.display()))?;
        return Ok(out);
    }
    Ok(bytes)
}

fn load_face(path: &Path) -> Result<LoadedFace, String> {
    let bytes = read_font(path)?;
    let face = Face::parse(bytes, 0)
        .ok_or_else(|| format!("document font {}: not a TrueType font", path.display()))?;
    let upem = f32::from(face.units_per_em().max(1));
    Ok(LoadedFace { face, upem })
}

impl LoadedFace {
    fn advance(&self, c: char) -> Option<f32> {
        let gid = self.face.glyph_id(c)?;
        Some(f32::from(self.face.advance(gid)) / self.upem)
    }

    /// The subset of `chars` as bytes to embed and as the font printpdf
    /// places text with; None when printpdf cannot read it.
    fn embeddable(&self, chars: &BTreeMap<char, u16>) -> Option<(Vec<u8>, ParsedFont)> {
        let bytes = self.face.subset(chars);
        let parsed = ParsedFont::from_bytes(&bytes, 0, &mut vec![])?;
        Some((bytes, parsed))
    }
}

impl DocFont {
    /// Face 0 of a TrueType font or collection (`.ttf`, `.ttc`, `.gz`), alone.
    pub fn load(path: &Path) -> Result<DocFont, String> {
        DocFont::load_chain(path, &[])
    }

    /// The body face and its fallbacks, in order. The body face is read
    /// and checked now; the fallbacks when first needed.
    pub fn load_chain(path: &Path, fallbacks: &[PathBuf]) -> Result<DocFont, String> {
        let primary = load_face(path)?;
        let font = DocFont {
            primary,
            fallbacks: fallbacks
                .iter()
                .map(|p| Fallback {
                    path: p.clone(),
                    face: Default::default(),
                })
                .collect(),
        };
        // Every document embeds a subset: check on loading that one of
        // this face is a font printpdf reads.
        let mut sample = BTreeMap::new();
        for c in "行政处罚决定书 0123456789".chars() {
            if let Some(g) = font.primary.face.glyph_id(c) {
                sample.insert(c, g);
            }
        }
        if sample.len() < 8 {
            return Err(format!(
                "document font {}: has no Chinese glyphs",
                path.display()
            ));
        }
        font.primary
            .embeddable(&sample)
            .ok_or_else(|| format!("document font {}: not a TrueType font", path.display()))?;
        Ok(font)
    }

    /// Face `i` of the chain (0: the body face); None when a fallback
    /// cannot be read.
    fn face(&self, i: usize) -> Option<&LoadedFace> {
        if i == 0 {
            return Some(&self.primary);
        }
        let f = self.fallbacks.get(i - 1)?;
        f.face
            .get_or_init(|| match load_face(&f.path) {
                Ok(face) => Some(face),
                Err(e) => {
                    tracing::warn!(error = %e, "fallback document font left out");
                    None
                }
            })
            .as_ref()
    }

    /// The first face of the chain that draws `c`.
    fn face_of(&self, c: char) -> Option<usize> {
        (0..=self.fallbacks.len())
            .find(|i| self.face(*i).is_some_and(|f| f.face.glyph_id(c).is_some()))
    }

    /// The advance of `c` in ems; None when no face of the chain has it.
    pub fn advance(&self, c: char) -> Option<f32> {
        if let Some(a) = self.primary.advance(c) {
            return Some(a);
        }
        self.face(self.face_of(c)?)?.advance(c)
    }

    fn width(&self, c: char) -> f32 {
        self.advance(c).unwrap_or(1.0)
    }

    /// Characters no face of the chain can show (beyond every configured
    /// face): drawn as placeholders and reported, never dropped.
    pub fn missing(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace() && self.advance(*c).is_none())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Splits `text` into runs drawn by one face each (None: no face has
    /// the character; a placeholder per character).
    fn runs(&self, text: &str) -> Vec<(Option<usize>, String)> {
        let mut runs: Vec<(Option<usize>, String)> = vec![];
        for c in text.chars() {
            let face = if self.primary.face.glyph_id(c).is_some() || c.is_whitespace() {
                Some(0)
            } else {
                self.face_of(c)
            };
            match runs.last_mut() {
                Some((f, s)) if *f == face && face.is_some() => s.push(c),
                _ => runs.push((face, c.to_string())),
            }
        }
        runs
    }

    /// Adds every character `ops` show in face `i` (the resource `F<i+1>`).
    fn used_glyphs(&self, ops: &[Op], chars: &mut BTreeMap<usize, BTreeMap<char, u16>>) {
        let mut current = 0usize;
        for op in ops {
            match op {
                Op::SetFont {
                    font: PdfFontHandle::External(FontId(id)),
                    ..
                } => {
                    current = id
                        .strip_prefix('F')
                        .and_then(|n| n.parse::<usize>().ok())
                        .map_or(0, |n| n.saturating_sub(1));
                }
                Op::ShowText { items } => {
                    let Some(face) = self.face(current) else {
                        continue;
                    };
                    for item in items {
                        if let TextItem::Text(text) = item {
                            for c in text.chars() {
                                if let Some(g) = face.face.glyph_id(c) {
                                    chars.entry(current).or_default().insert(c, g);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// The resource name of face `i` of the chain.
fn font_id(i: usize) -> FontId {
    FontId(format!("F{}", i + 1))
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

    /// `text` at (x, baseline): a run per face of the chain; a character
    /// no face has is a framed placeholder showing its code point.
    fn text_at(&mut self, x: f32, baseline: f32, size: f32, text: &str) {
        let font = self.font;
        let mut x = x;
        for (face, run) in font.runs(text) {
            let w = run.chars().map(|c| font.width(c)).sum::<f32>() * size;
            match face {
                Some(i) => self.show_run(i, x, baseline, size, &run),
                None => {
                    // A square of one em, framed, with U+XXXXX inside.
                    let (x0, x1) = (x + size * 0.05, x + size * 0.95);
                    let (y0, y1) = (baseline - size * 0.12, baseline + size * 0.8);
                    self.hline(x0, x1, y0);
                    self.hline(x0, x1, y1);
                    self.vline(x0, y0, y1);
                    self.vline(x1, y0, y1);
                    let c = run.chars().next().unwrap_or('?');
                    let small = size * 0.22;
                    self.show_run(0, x0 + size * 0.04, baseline + size * 0.45, small, "U+");
                    self.show_run(
                        0,
                        x0 + size * 0.04,
                        baseline + size * 0.12,
                        small,
                        &format!("{:X}", c as u32),
                    );
                }
            }
            x += w;
        }
    }

    fn show_run(&mut self, face: usize, x: f32, baseline: f32, size: f32, text: &str) {
        let ops = self.ops();
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(font_id(face)),
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
    /// The issuing organ, printed above the title (SAMR formats of
    /// decisions and notices); empty: none.
    pub organ: &'a str,
    pub title: &'a str,
    pub number: &'a str,
    /// Printed at the foot of the last page (number + verification code).
    pub verification: &'a str,
    /// Seeds the deterministic trailer /ID (e.g. the document's number and kind).
    pub key: &'a str,
    /// The document date (its metadata carries no clock).
    pub date: chrono::NaiveDate,
}

/// A rendered PDF and the characters no face of the chain had (drawn as
/// placeholders with their code points).
pub struct Drawn {
    pub bytes: Vec<u8>,
    pub missing: Vec<char>,
}

/// Renders the blocks into a PDF.
pub fn render(font: &DocFont, h: &Heading, blocks: &[Block]) -> Result<Vec<u8>, AppError> {
    render_drawn(font, h, blocks).map(|d| d.bytes)
}

/// Renders the blocks into a PDF, saying which characters no face had.
/// Nothing is dropped and nothing refused: a character missing from every
/// face of the chain is a visible placeholder with its code point.
pub fn render_drawn(font: &DocFont, h: &Heading, blocks: &[Block]) -> Result<Drawn, AppError> {
    let mut all = format!("{}{}{}{}", h.organ, h.title, h.number, h.verification);
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

    let mut p = Pages::new(font);
    if !h.organ.is_empty() {
        p.centered(h.organ, TITLE, TITLE * 1.6);
    }
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
    let mut chars: BTreeMap<usize, BTreeMap<char, u16>> = BTreeMap::new();
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
    chars.entry(0).or_default();

    let mut doc = PdfDocument::new(h.title);
    let mut subsets = vec![];
    for (i, used) in &chars {
        let face = font
            .face(*i)
            .ok_or_else(|| AppError::internal("pdf: a face of the chain vanished"))?;
        let (subset, subset_font) = face
            .embeddable(used)
            .ok_or_else(|| AppError::internal("pdf: the document's font subset does not parse"))?;
        doc.resources
            .fonts
            .map
            .insert(font_id(*i), PdfFont::new(subset_font));
        subsets.push(subset);
    }
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
    // The fonts are subset already (their glyphs renumbered): embedded as given.
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
    tag_subset_font(&mut pdf, &subsets.concat());
    let mut bytes = Vec::new();
    pdf.save_to(&mut bytes)
        .map_err(|e| AppError::internal(format!("pdf: {e}")))?;
    fix_trailer_id(&mut bytes, h.key);
    Ok(Drawn { bytes, missing })
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
    for object in pdf.objects.values_mut() {
        let lopdf::Object::Dictionary(dict) = object else {
            continue;
        };
        for key in [&b"BaseFont"[..], b"FontName"] {
            if let Ok(lopdf::Object::Name(name)) = dict.get_mut(key) {
                if !name.contains(&b'+') {
                    // One tag per face: the subsets' bytes and the face's name.
                    let digest = Sha256::new()
                        .chain_update(subset)
                        .chain_update(&name[..])
                        .finalize();
                    let mut tagged: Vec<u8> = digest[..6].iter().map(|b| b'A' + b % 26).collect();
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
            organ: "",
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

    fn chain() -> DocFont {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fonts");
        let fallbacks: Vec<_> = crate::config::DEFAULT_FALLBACK_FONTS
            .iter()
            .map(|f| dir.join(f))
            .collect();
        DocFont::load_chain(&dir.join(crate::config::DEFAULT_DOCUMENT_FONT), &fallbacks)
            .expect("fixture fonts")
    }

    fn font_names(pdf: &[u8]) -> Vec<String> {
        let doc = lopdf::Document::load_mem(pdf).unwrap();
        let mut names: Vec<String> = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok()?.get(b"FontName").ok()?.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .map(|n| n.split_once('+').map(|(_, f)| f.to_string()).unwrap_or(n))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_character_the_body_face_lacks_is_drawn_by_the_first_fallback_that_has_it() {
        let f = chain();
        // 张 (GB 2312: the 宋体), 堃 (GBK only: WenQuanYi), 㐀 (Ext A:
        // HanaMinA), 𠀾 (Ext B: HanaMinB).
        let d = render_drawn(
            &f,
            &heading(),
            &[Block::Line("当事人：张𠀾、王堃、李㐀".into())],
        )
        .unwrap();
        assert!(d.missing.is_empty(), "{:?}", d.missing);
        assert_eq!(
            font_names(&d.bytes),
            [
                "BousungEG-Light-GB",
                "HanaMinA",
                "HanaMinB",
                "WenQuanYiMicroHei"
            ]
        );
        let text = pdf_extract::extract_text_from_mem(&d.bytes).unwrap();
        assert!(text.contains("张𠀾"), "{text}");
        // A document the body face covers embeds the body face alone.
        let plain = render_drawn(&f, &heading(), &[Block::Line("当事人：张某".into())]).unwrap();
        assert_eq!(font_names(&plain.bytes), ["BousungEG-Light-GB"]);
    }

    #[test]
    fn characters_no_face_has_are_placeholders_never_refusals() {
        let f = font();
        // 𠀀 (U+20000, CJK Extension B) is not in WenQuanYi alone.
        let d = render_drawn(&f, &heading(), &[Block::Line("当事人：𠀀某".into())]).unwrap();
        assert_eq!(d.missing, ['𠀀']);
        let text = pdf_extract::extract_text_from_mem(&d.bytes).unwrap();
        assert!(text.contains("20000"), "the code point is shown: {text}");
    }
}

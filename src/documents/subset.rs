//! A TrueType subsetter for the document font. A PDF embeds only the glyphs
//! it shows (PDF 32000-1 §9.9, 9.6.4), so every document carries a small
//! font of its own. printpdf's generic subsetter (allsorts) walks the whole
//! 49,531-glyph face each time — every cmap mapping, every `post` name —
//! and was a quarter of a filing's CPU. Here the face is indexed once, at
//! load (table ranges, glyph offsets, metrics), and a document's font is
//! copied out of that index: only its own glyphs are touched.
//!
//! The font built keeps what a renderer of an embedded TrueType program
//! needs (`glyf`, `loca`, `head`, `hhea`, `hmtx`, `maxp`, hinting tables
//! `cvt `/`fpgm`/`prep`/`gasp`) plus `cmap`, `OS/2`, `name` and a glyph-name-less
//! `post` 3.0 so that it is a complete font file. Layout tables
//! (`GSUB`/`GPOS`/`GDEF`) and vertical metrics are left out: documents are
//! written horizontally and placed glyph by glyph from the cmap.

use std::collections::{BTreeMap, HashMap};

/// The tables copied unchanged into every subset font.
const COPIED: [&[u8; 4]; 6] = [b"OS/2", b"name", b"cvt ", b"fpgm", b"prep", b"gasp"];

/// Composite glyph flags (OpenType `glyf`, composite glyph description).
const ARG_1_AND_2_ARE_WORDS: u16 = 0x0001;
const WE_HAVE_A_SCALE: u16 = 0x0008;
const MORE_COMPONENTS: u16 = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE: u16 = 0x0040;
const WE_HAVE_A_TWO_BY_TWO: u16 = 0x0080;

/// One face of a TrueType font, indexed for subsetting.
pub struct Face {
    bytes: Vec<u8>,
    /// Byte range of each table in `bytes`, by tag.
    tables: HashMap<[u8; 4], (usize, usize)>,
    /// `glyf`-relative start of every glyph and the end of the last one.
    glyph_offsets: Vec<u32>,
    /// (advance width, left side bearing) of every glyph.
    metrics: Vec<(u16, i16)>,
    /// The glyph of every BMP character (0: none), read once from the
    /// font's cmap: layout asks for every character several times.
    bmp: Vec<u16>,
    /// The glyphs of characters beyond the BMP.
    astral: HashMap<u32, u16>,
    units_per_em: u16,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

impl Face {
    /// Face `index` of a font file or collection; None when the bytes are
    /// not a TrueType-outline font.
    pub fn parse(bytes: Vec<u8>, index: usize) -> Option<Face> {
        let start = if bytes.get(..4)? == b"ttcf" {
            u32_at(&bytes, 12 + 4 * index)? as usize
        } else {
            0
        };
        let count = usize::from(u16_at(&bytes, start + 4)?);
        let mut tables = HashMap::new();
        for i in 0..count {
            let rec = start + 12 + 16 * i;
            let tag: [u8; 4] = bytes.get(rec..rec + 4)?.try_into().ok()?;
            let off = u32_at(&bytes, rec + 8)? as usize;
            let len = u32_at(&bytes, rec + 12)? as usize;
            bytes.get(off..off.checked_add(len)?)?;
            tables.insert(tag, (off, len));
        }
        let table = |tag: &[u8; 4]| -> Option<&[u8]> {
            let (off, len) = *tables.get(tag)?;
            bytes.get(off..off + len)
        };
        let head = table(b"head")?;
        let glyphs = usize::from(u16_at(table(b"maxp")?, 4)?);
        let long_loca = u16_at(head, 50)? == 1;
        let loca = table(b"loca")?;
        let glyph_offsets = (0..=glyphs)
            .map(|g| {
                if long_loca {
                    u32_at(loca, 4 * g)
                } else {
                    u16_at(loca, 2 * g).map(|o| u32::from(o) * 2)
                }
            })
            .collect::<Option<Vec<u32>>>()?;
        table(b"glyf")?.get(..*glyph_offsets.last()? as usize)?;
        let long_metrics = usize::from(u16_at(table(b"hhea")?, 34)?).clamp(1, glyphs.max(1));
        let hmtx = table(b"hmtx")?;
        let metrics = (0..glyphs)
            .map(|g| {
                let (advance, lsb) = if g < long_metrics {
                    (u16_at(hmtx, 4 * g)?, u16_at(hmtx, 4 * g + 2)?)
                } else {
                    let at = 4 * long_metrics + 2 * (g - long_metrics);
                    (u16_at(hmtx, 4 * (long_metrics - 1))?, u16_at(hmtx, at)?)
                };
                Some((advance, lsb as i16))
            })
            .collect::<Option<Vec<_>>>()?;
        table(b"hhea")?.get(..36)?;
        table(b"post")?.get(..32)?;
        let units_per_em = u16_at(head, 18)?;
        let mut bmp = vec![0u16; 0x10000];
        let mut astral = HashMap::new();
        read_cmap(table(b"cmap")?, |c, g| {
            if usize::from(g) < glyphs {
                match bmp.get_mut(c as usize) {
                    Some(slot) => *slot = g,
                    None => {
                        astral.insert(c, g);
                    }
                }
            }
        })?;
        Some(Face {
            bytes,
            tables,
            glyph_offsets,
            metrics,
            bmp,
            astral,
            units_per_em,
        })
    }

    pub fn units_per_em(&self) -> u16 {
        self.units_per_em
    }

    /// The glyph the font draws `c` with; None when it has none.
    pub fn glyph_id(&self, c: char) -> Option<u16> {
        let gid = match self.bmp.get(c as usize) {
            Some(g) => *g,
            None => *self.astral.get(&(c as u32))?,
        };
        (gid != 0).then_some(gid)
    }

    /// The advance width of a glyph, in font units.
    pub fn advance(&self, gid: u16) -> u16 {
        self.metrics.get(usize::from(gid)).map_or(0, |m| m.0)
    }

    fn table(&self, tag: &[u8; 4]) -> Option<&[u8]> {
        let (off, len) = *self.tables.get(tag)?;
        self.bytes.get(off..off + len)
    }

    fn glyph(&self, gid: u16) -> &[u8] {
        let g = usize::from(gid);
        let (Some(&from), Some(&to)) = (self.glyph_offsets.get(g), self.glyph_offsets.get(g + 1))
        else {
            return &[];
        };
        let glyf = self.table(b"glyf").unwrap_or_default();
        glyf.get(from as usize..to as usize).unwrap_or_default()
    }

    /// A font holding exactly `chars` (each with its glyph id in this face)
    /// and `.notdef`. Glyphs are renumbered in the order of their ids here,
    /// the components of composite glyphs added after them.
    pub fn subset(&self, chars: &BTreeMap<char, u16>) -> Vec<u8> {
        let mut order: Vec<u16> = std::iter::once(0)
            .chain(chars.values().copied().filter(|g| *g != 0))
            .collect();
        order[1..].sort_unstable();
        order.dedup();
        let mut new_id: HashMap<u16, u16> = (0u16..)
            .zip(order.iter().copied())
            .map(|(i, g)| (g, i))
            .collect();
        let mut i = 0;
        while i < order.len() {
            for component in components(self.glyph(order[i])) {
                new_id.entry(component).or_insert_with(|| {
                    order.push(component);
                    (order.len() - 1) as u16
                });
            }
            i += 1;
        }

        let mut glyf = Vec::new();
        let mut loca = Vec::with_capacity(4 * (order.len() + 1));
        let mut hmtx = Vec::with_capacity(4 * order.len());
        for &gid in &order {
            loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
            let start = glyf.len();
            glyf.extend_from_slice(self.glyph(gid));
            renumber_components(&mut glyf[start..], &new_id);
            while glyf.len() % 4 != 0 {
                glyf.push(0);
            }
            let (advance, lsb) = self
                .metrics
                .get(usize::from(gid))
                .copied()
                .unwrap_or_default();
            hmtx.extend_from_slice(&advance.to_be_bytes());
            hmtx.extend_from_slice(&lsb.to_be_bytes());
        }
        loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
        let glyph_count = order.len() as u16;

        let mut head = self.table(b"head").unwrap_or_default().to_vec();
        head[8..12].fill(0); // checkSumAdjustment, set once the file is whole
        head[50..52].copy_from_slice(&1u16.to_be_bytes()); // long loca
        let mut hhea = self.table(b"hhea").unwrap_or_default().to_vec();
        hhea[34..36].copy_from_slice(&glyph_count.to_be_bytes());
        let mut maxp = self.table(b"maxp").unwrap_or_default().to_vec();
        maxp[4..6].copy_from_slice(&glyph_count.to_be_bytes());
        let mut post = self.table(b"post").unwrap_or_default()[..32].to_vec();
        post[..4].copy_from_slice(&0x0003_0000u32.to_be_bytes()); // no glyph names

        let mapped: Vec<(u32, u16)> = chars
            .iter()
            .filter_map(|(c, g)| Some((*c as u32, *new_id.get(g)?)))
            .collect();
        let mut tables: Vec<([u8; 4], Vec<u8>)> = vec![
            (*b"cmap", cmap(&mapped)),
            (*b"glyf", glyf),
            (*b"head", head),
            (*b"hhea", hhea),
            (*b"hmtx", hmtx),
            (*b"loca", loca),
            (*b"maxp", maxp),
            (*b"post", post),
        ];
        for tag in COPIED {
            if let Some(t) = self.table(tag) {
                tables.push((*tag, t.to_vec()));
            }
        }
        tables.sort_by_key(|t| t.0);
        sfnt(tables)
    }
}

/// Calls `f` with every (character, glyph) of the font's Unicode cmap:
/// the Windows full-repertoire subtable (format 12) when there is one,
/// else the Windows or Unicode BMP one (format 4). None when neither is.
fn read_cmap(cmap: &[u8], mut f: impl FnMut(u32, u16)) -> Option<()> {
    let count = usize::from(u16_at(cmap, 2)?);
    let mut best: Option<(u8, usize)> = None;
    for i in 0..count {
        let rec = 4 + 8 * i;
        let (platform, encoding) = (u16_at(cmap, rec)?, u16_at(cmap, rec + 2)?);
        let offset = u32_at(cmap, rec + 4)? as usize;
        let rank = match (platform, encoding, u16_at(cmap, offset)?) {
            (3, 10, 12) | (0, 4, 12) => 2,
            (3, 1, 4) | (0, 3, 4) => 1,
            _ => continue,
        };
        if best.is_none_or(|(r, _)| rank > r) {
            best = Some((rank, offset));
        }
    }
    let (_, at) = best?;
    let t = cmap.get(at..)?;
    if u16_at(t, 0)? == 12 {
        let groups = u32_at(t, 12)? as usize;
        for i in 0..groups {
            let g = 16 + 12 * i;
            let (first, last, glyph) = (u32_at(t, g)?, u32_at(t, g + 4)?, u32_at(t, g + 8)?);
            for c in first..=last.min(0x10FFFF) {
                f(c, u16::try_from(glyph + (c - first)).ok()?);
            }
        }
    } else {
        let segments = usize::from(u16_at(t, 6)? / 2);
        let ends = 14;
        let starts = ends + 2 * segments + 2;
        let deltas = starts + 2 * segments;
        let range_offsets = deltas + 2 * segments;
        for s in 0..segments {
            let (first, last) = (u16_at(t, starts + 2 * s)?, u16_at(t, ends + 2 * s)?);
            let delta = u16_at(t, deltas + 2 * s)?;
            let range_offset = usize::from(u16_at(t, range_offsets + 2 * s)?);
            for c in first..=last {
                if c == 0xFFFF {
                    break;
                }
                let glyph = if range_offset == 0 {
                    c.wrapping_add(delta)
                } else {
                    let at = range_offsets + 2 * s + range_offset + 2 * usize::from(c - first);
                    match u16_at(t, at)? {
                        0 => 0,
                        g => g.wrapping_add(delta),
                    }
                };
                if glyph != 0 {
                    f(u32::from(c), glyph);
                }
            }
        }
    }
    Some(())
}

/// The glyph ids a composite glyph is built from (none for a simple glyph).
fn components(glyph: &[u8]) -> Vec<u16> {
    let mut out = vec![];
    walk_components(glyph, |at| {
        if let Some(g) = u16_at(glyph, at) {
            out.push(g);
        }
    });
    out
}

/// Points a composite glyph's components at their new ids.
fn renumber_components(glyph: &mut [u8], new_id: &HashMap<u16, u16>) {
    let mut at_list = vec![];
    walk_components(glyph, |at| at_list.push(at));
    for at in at_list {
        if let Some(new) = u16_at(glyph, at).and_then(|old| new_id.get(&old)) {
            glyph[at..at + 2].copy_from_slice(&new.to_be_bytes());
        }
    }
}

/// Calls `f` with the offset of every component's glyph index.
fn walk_components(glyph: &[u8], mut f: impl FnMut(usize)) {
    let Some(contours) = u16_at(glyph, 0) else {
        return;
    };
    if (contours as i16) >= 0 {
        return;
    }
    let mut at = 10;
    while let Some(flags) = u16_at(glyph, at) {
        f(at + 2);
        at += 4;
        at += if flags & ARG_1_AND_2_ARE_WORDS != 0 {
            4
        } else {
            2
        };
        at += if flags & WE_HAVE_A_SCALE != 0 {
            2
        } else if flags & WE_HAVE_AN_X_AND_Y_SCALE != 0 {
            4
        } else if flags & WE_HAVE_A_TWO_BY_TWO != 0 {
            8
        } else {
            0
        };
        if flags & MORE_COMPONENTS == 0 {
            break;
        }
    }
}

/// Runs of consecutive characters with consecutive glyph ids:
/// (first char, last char, first glyph).
fn runs(mapped: &[(u32, u16)]) -> Vec<(u32, u32, u16)> {
    let mut out: Vec<(u32, u32, u16)> = vec![];
    for &(c, g) in mapped {
        match out.last_mut() {
            Some((first, last, g0))
                if c == *last + 1 && u32::from(*g0) + (c - *first) == u32::from(g) =>
            {
                *last = c
            }
            _ => out.push((c, c, g)),
        }
    }
    out
}

/// A `cmap` with a format 4 subtable (Windows, BMP) and a format 12 one
/// (Windows, full repertoire), the latter for characters beyond the BMP.
fn cmap(mapped: &[(u32, u16)]) -> Vec<u8> {
    let bmp: Vec<(u32, u16)> = mapped
        .iter()
        .copied()
        .filter(|(c, _)| *c < 0xFFFF)
        .collect();
    let mut segments: Vec<(u16, u16, u16)> = runs(&bmp)
        .into_iter()
        .map(|(first, last, g)| (first as u16, last as u16, g.wrapping_sub(first as u16)))
        .collect();
    segments.push((0xFFFF, 0xFFFF, 1));
    // Format 4 counts its length in 16 bits; a document with more distinct
    // runs than that is served by format 12 alone.
    let format4 = (16 + 8 * segments.len() <= usize::from(u16::MAX)).then(|| {
        let n = segments.len() as u16;
        let power = 1u16 << (15 - n.leading_zeros() as u16).min(15);
        let mut t = Vec::with_capacity(16 + 8 * segments.len());
        for v in [
            4,
            16 + 8 * n,
            0,
            2 * n,
            2 * power,
            power.trailing_zeros() as u16,
            2 * n - 2 * power,
        ] {
            t.extend_from_slice(&v.to_be_bytes());
        }
        segments
            .iter()
            .for_each(|s| t.extend_from_slice(&s.1.to_be_bytes()));
        t.extend_from_slice(&0u16.to_be_bytes());
        segments
            .iter()
            .for_each(|s| t.extend_from_slice(&s.0.to_be_bytes()));
        segments
            .iter()
            .for_each(|s| t.extend_from_slice(&s.2.to_be_bytes()));
        segments
            .iter()
            .for_each(|_| t.extend_from_slice(&0u16.to_be_bytes()));
        t
    });
    let groups = runs(mapped);
    let mut format12 = Vec::with_capacity(16 + 12 * groups.len());
    format12.extend_from_slice(&12u16.to_be_bytes());
    format12.extend_from_slice(&0u16.to_be_bytes());
    for v in [16 + 12 * groups.len() as u32, 0, groups.len() as u32] {
        format12.extend_from_slice(&v.to_be_bytes());
    }
    for (first, last, g) in groups {
        for v in [first, last, u32::from(g)] {
            format12.extend_from_slice(&v.to_be_bytes());
        }
    }

    let subtables: Vec<(u16, Vec<u8>)> = format4
        .map(|t| (1, t))
        .into_iter()
        .chain([(10, format12)])
        .collect();
    let mut out = vec![0, 0];
    out.extend_from_slice(&(subtables.len() as u16).to_be_bytes());
    let mut offset = 4 + 8 * subtables.len() as u32;
    for (encoding, t) in &subtables {
        out.extend_from_slice(&3u16.to_be_bytes());
        out.extend_from_slice(&encoding.to_be_bytes());
        out.extend_from_slice(&offset.to_be_bytes());
        offset += t.len() as u32;
    }
    for (_, t) in subtables {
        out.extend_from_slice(&t);
    }
    out
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut word = [0u8; 4];
        word[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// An sfnt file of `tables` (sorted by tag), with its directory and the
/// `head` table's whole-file checksum adjustment.
fn sfnt(tables: Vec<([u8; 4], Vec<u8>)>) -> Vec<u8> {
    let n = tables.len() as u16;
    let power = 1u16 << (15 - n.leading_zeros() as u16);
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for v in [
        n,
        16 * power,
        power.trailing_zeros() as u16,
        16 * n - 16 * power,
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in &tables {
        if tag == b"head" {
            head_at = Some(offset);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(4) * 4, 0);
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face() -> Face {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/fonts/wqy-microhei.ttc");
        Face::parse(std::fs::read(path).unwrap(), 0).expect("fixture font")
    }

    #[test]
    fn the_subset_maps_each_character_to_its_own_outline_and_advance() {
        let face = face();
        let font = printpdf::ParsedFont::from_bytes(&face.bytes, 0, &mut vec![]).unwrap();
        let text = "行政处罚决定书 No.12 （五市监罚〔2026〕12号）";
        let chars: BTreeMap<char, u16> = text
            .chars()
            .filter_map(|c| Some((c, font.lookup_glyph_index(c as u32)?)))
            .collect();
        let bytes = face.subset(&chars);
        assert!(bytes.len() < 60_000, "{} bytes", bytes.len());
        assert_eq!(checksum(&bytes), 0xB1B0_AFBA, "whole-file checksum");

        let sub = printpdf::ParsedFont::from_bytes(&bytes, 0, &mut vec![]).expect("parses");
        // .notdef, one per character, and the parts of composite glyphs
        // (the face builds its full-width forms from others).
        let parts: std::collections::BTreeSet<u16> = chars
            .values()
            .flat_map(|g| components(face.glyph(*g)))
            .filter(|g| !chars.values().any(|own| own == g))
            .collect();
        assert!(!parts.is_empty(), "the text uses composite glyphs");
        assert_eq!(usize::from(sub.num_glyphs), 1 + chars.len() + parts.len());
        for (c, old) in &chars {
            let new = sub
                .lookup_glyph_index(*c as u32)
                .unwrap_or_else(|| panic!("{c} unmapped"));
            assert_ne!(new, 0, "{c}");
            assert_eq!(
                sub.get_horizontal_advance(new),
                font.get_horizontal_advance(*old),
                "advance of {c}"
            );
            let outline = |f: &printpdf::ParsedFont, g: u16| {
                f.get_or_decode_glyph(g).map(|o| format!("{:?}", o.outline))
            };
            assert_eq!(outline(&sub, new), outline(&font, *old), "outline of {c}");
        }
        assert_eq!(sub.lookup_glyph_index('字' as u32), None, "not in the text");
    }

    #[test]
    fn cmap_runs_merge_only_consecutive_characters_and_glyphs() {
        assert_eq!(
            runs(&[(0x41, 3), (0x42, 4), (0x43, 9), (0x45, 10)]),
            vec![(0x41, 0x42, 3), (0x43, 0x43, 9), (0x45, 0x45, 10)]
        );
    }

    #[test]
    fn composite_components_are_found_and_renumbered() {
        // numberOfContours -1, bbox, then two components (word args, the
        // first with a scale) pointing at glyphs 7 and 300.
        let mut g = vec![0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0];
        g.extend_from_slice(
            &(ARG_1_AND_2_ARE_WORDS | WE_HAVE_A_SCALE | MORE_COMPONENTS).to_be_bytes(),
        );
        g.extend_from_slice(&7u16.to_be_bytes());
        g.extend_from_slice(&[0, 0, 0, 0, 0x40, 0]);
        g.extend_from_slice(&0u16.to_be_bytes());
        g.extend_from_slice(&300u16.to_be_bytes());
        g.extend_from_slice(&[0, 0]);
        assert_eq!(components(&g), vec![7, 300]);
        renumber_components(&mut g, &HashMap::from([(7, 1), (300, 2)]));
        assert_eq!(components(&g), vec![1, 2]);
    }
}

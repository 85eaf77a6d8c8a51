//! The electronic case file (电子执法档案): `GET /cases/{id}/archive.zip`.
//! The cover and the index, every document in legal order (filing →
//! investigation → notice and hearing → review → decision → service →
//! enforcement), the evidence files, the record chain as JSON and a
//! manifest with every file's SHA-256 and the chain head — verifiable
//! offline with `zhifa archive verify <zip>` (`verify_zip`).

use std::io::{Read, Seek, Write};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use super::register::DocRow;
use super::*;
use crate::auth::Caller;
use crate::state::AppState;

/// Where a kind of document sits in the file.
pub fn legal_order(kind: &str) -> u8 {
    match kind {
        "filing_approval" => 0,
        "onsite_record" | "inquiry_record" => 1,
        "penalty_notice" | "hearing_notice" | "hearing_transcript" => 2,
        "review_opinion" | "discussion_record" => 3,
        "penalty_decision" | "no_penalty_decision" | "on_the_spot_decision" => 4,
        "service_receipt" => 5,
        _ => 6,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub case_id: String,
    pub case_no: String,
    pub chain_head: String,
    pub chain_entries: usize,
    pub files: Vec<ManifestFile>,
}

fn options() -> SimpleFileOptions {
    // A fixed timestamp: the same case gives the same archive.
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
}

fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if "/\\:*?\"<>|".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// Builds the case file into `out` (a temporary file the handler streams).
pub fn write_zip<W: Write + Seek>(
    conn: &mut DbConn,
    iss: &Issuer,
    case_id: &str,
    today: NaiveDate,
    out: W,
) -> AppResult<Manifest> {
    let zerr = |e: zip::result::ZipError| AppError::internal(format!("zip: {e}"));
    let ioerr = |e: std::io::Error| AppError::internal(format!("zip: {e}"));
    let ctx = crate::cases::view::document_context(conn, case_id, today)?;
    let case_no = ctx["case"]["case_no"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Documents in legal order, then their issue time.
    let mut docs: Vec<DocRow> = documents::table
        .filter(documents::case_id.eq(case_id))
        .order((documents::generated_at.asc(), documents::id.asc()))
        .select(DocRow::as_select())
        .load(conn)?;
    docs.sort_by_key(|d| legal_order(&d.kind));
    let docs: Vec<DocumentRef> = docs.into_iter().map(DocumentRef::from).collect();
    let evidence = crate::evidence::of_case(conn, case_id)?;
    let chain = crate::records::load(conn, case_id)?;

    let mut files: Vec<(String, Vec<u8>)> = vec![];
    let mut index_rows = vec![];
    for (i, d) in docs.iter().enumerate() {
        let bytes = crate::blobs::read_verified(&iss.data_dir, &d.sha256)?;
        let path = format!("documents/{:02}-{}-{}.pdf", i + 1, d.title, safe(&d.number));
        index_rows.push(json!([
            format!("{}", i + 1),
            d.title,
            d.number,
            d.generated_at.get(..10).unwrap_or("")
        ]));
        files.push((path, bytes));
    }
    for (i, e) in evidence.iter().enumerate() {
        let bytes = crate::blobs::read_verified(&iss.data_dir, &e.sha256)?;
        let ext = e
            .file_name
            .as_deref()
            .and_then(|f| f.rsplit_once('.').map(|(_, x)| x.to_string()))
            .unwrap_or_else(|| "bin".into());
        let path = format!(
            "evidence/{:02}-{}-{}.{}",
            i + 1,
            e.kind_name,
            safe(&e.title),
            safe(&ext)
        );
        index_rows.push(json!([
            format!("{}", docs.len() + i + 1),
            format!("{}：{}", e.kind_name, e.title),
            "—",
            e.collected_at.get(..10).unwrap_or("")
        ]));
        files.push((path, bytes));
    }
    let chain_json: Vec<Value> = chain
        .iter()
        .map(|e| {
            json!({
                "case_id": e.case_id, "seq": e.seq, "at": e.at, "actor_id": e.actor_id,
                "actor_role": e.actor_role, "actor_certificate": e.actor_certificate,
                "action": e.action, "detail": e.detail, "request_id": e.request_id,
                "prev_hash": e.prev_hash, "hash": e.hash,
            })
        })
        .collect();
    let chain_head = chain
        .last()
        .map(|e| e.hash.clone())
        .unwrap_or_else(|| crate::records::GENESIS.to_string());
    files.push((
        "records.json".into(),
        serde_json::to_vec_pretty(&chain_json).map_err(|e| AppError::internal(e.to_string()))?,
    ));

    // The cover and the index, written now.
    let cover_rows = json!([
        ["案号", case_no],
        [
            "案由",
            format!(
                "{}涉嫌{}",
                ctx["party"]["name"].as_str().unwrap_or(""),
                ctx["case"]["item_name"].as_str().unwrap_or("")
            )
        ],
        ["当事人", ctx["party"]["name"]],
        ["立案日期", ctx["case"]["filed_on"]],
        ["承办人", ctx["officers"]],
        ["文书", format!("{}件", docs.len())],
        ["证据", format!("{}件", evidence.len())],
        [
            "全过程记录",
            format!(
                "{}条，链头 {}",
                chain.len(),
                &chain_head[..chain_head.len().min(16)]
            )
        ],
    ]);
    let mut extra = ctx.clone();
    if let Some(o) = extra.as_object_mut() {
        o.insert("cover_rows".into(), cover_rows);
        o.insert("index_rows".into(), Value::Array(index_rows));
    }
    let mut front = vec![];
    for (kind, name) in [
        ("case_cover", "00-卷宗封面.pdf"),
        ("case_index", "01-卷内文件目录.pdf"),
    ] {
        let t = load_template(&iss.templates, kind)?;
        let blocks = rules::fill(&t, &extra)?;
        let bytes = pdf::render(
            &iss.font,
            &pdf::Heading {
                organ: "",
                title: &t.title,
                number: &case_no,
                verification: "",
                key: &format!("{case_id}/{kind}"),
                date: today,
            },
            &blocks,
        )?;
        front.push((name.to_string(), bytes));
    }
    front.extend(files);

    let mut zip = zip::ZipWriter::new(out);
    let mut manifest = Manifest {
        case_id: case_id.to_string(),
        case_no: case_no.clone(),
        chain_head,
        chain_entries: chain.len(),
        files: vec![],
    };
    for (path, bytes) in &front {
        zip.start_file(path.as_str(), options()).map_err(zerr)?;
        zip.write_all(bytes).map_err(ioerr)?;
        manifest.files.push(ManifestFile {
            path: path.clone(),
            sha256: hex::encode(Sha256::digest(bytes)),
            size: bytes.len() as u64,
        });
    }
    zip.start_file("manifest.json", options()).map_err(zerr)?;
    zip.write_all(
        &serde_json::to_vec_pretty(&manifest).map_err(|e| AppError::internal(e.to_string()))?,
    )
    .map_err(ioerr)?;
    zip.finish().map_err(zerr)?;
    Ok(manifest)
}

/// The case file of a case, written to a temporary file under the data
/// directory; returns its path and a download name.
pub async fn export(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
) -> AppResult<(tempfile::NamedTempFile, String)> {
    let scope_ =
        crate::cases::readable_case(state, caller, case_id, crate::cases::Access::ReadEvidence)
            .await?;
    let iss = super::issuer(&state.settings, &state.document_font).await?;
    let today = state.clock.today();
    let tmp_dir = state.settings.data_dir.join("tmp");
    state
        .db
        .run(move |conn| {
            std::fs::create_dir_all(&tmp_dir).map_err(|e| AppError::internal(e.to_string()))?;
            let file = tempfile::NamedTempFile::new_in(&tmp_dir)
                .map_err(|e| AppError::internal(e.to_string()))?;
            let m = write_zip(
                conn,
                &iss,
                &scope_.case_id,
                today,
                file.reopen()
                    .map_err(|e| AppError::internal(e.to_string()))?,
            )?;
            Ok((file, format!("{}.zip", m.case_no)))
        })
        .await
}

/// What `verify_zip` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZipReport {
    pub ok: bool,
    pub files: usize,
    pub problems: Vec<String>,
}

/// Checks a case file offline: every file listed with its hash, nothing
/// extra, the chain linked from genesis to the manifest's head (and, with
/// the record key, every entry's keyed hash).
pub fn verify_zip<R: Read + Seek>(reader: R, key: Option<&[u8]>) -> Result<ZipReport, String> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| format!("not a zip: {e}"))?;
    fn read<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Result<Vec<u8>, String> {
        let mut f = zip.by_name(name).map_err(|e| format!("{name}: {e}"))?;
        let mut buf = vec![];
        f.read_to_end(&mut buf)
            .map_err(|e| format!("{name}: {e}"))?;
        Ok(buf)
    }
    let manifest: Manifest = serde_json::from_slice(&read(&mut zip, "manifest.json")?)
        .map_err(|e| format!("manifest.json: {e}"))?;
    let mut problems = vec![];
    for f in &manifest.files {
        match read(&mut zip, &f.path) {
            Ok(bytes) => {
                let sha = hex::encode(Sha256::digest(&bytes));
                if sha != f.sha256 {
                    problems.push(format!(
                        "{}: SHA-256 {} ≠ manifest {}",
                        f.path, sha, f.sha256
                    ));
                }
            }
            Err(e) => problems.push(format!("missing {e}")),
        }
    }
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    for n in names {
        if n != "manifest.json" && !manifest.files.iter().any(|f| f.path == n) {
            problems.push(format!("{n}: not in the manifest"));
        }
    }
    // The chain: linked, and ending at the manifest's head.
    let chain: Vec<Value> = read(&mut zip, "records.json")
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut prev = crate::records::GENESIS.to_string();
    for (i, e) in chain.iter().enumerate() {
        let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
        if e["seq"].as_i64() != Some(i as i64 + 1) || s("prev_hash") != prev {
            problems.push(format!(
                "records.json: entry {} is not linked to the one before",
                i + 1
            ));
            break;
        }
        if let Some(key) = key {
            let entry = crate::records::chain::ChainEntry {
                case_id: s("case_id"),
                seq: i as i64 + 1,
                at: s("at"),
                actor_id: s("actor_id"),
                actor_role: s("actor_role"),
                actor_certificate: e["actor_certificate"].as_str().map(str::to_string),
                action: s("action"),
                detail: s("detail"),
                request_id: e["request_id"].as_str().map(str::to_string),
                prev_hash: s("prev_hash"),
                hash: s("hash"),
            };
            if crate::records::chain::entry_hash(key, &entry) != entry.hash {
                problems.push(format!(
                    "records.json: entry {} does not carry its keyed hash",
                    i + 1
                ));
                break;
            }
        }
        prev = s("hash");
    }
    if prev != manifest.chain_head || chain.len() != manifest.chain_entries {
        problems.push(format!(
            "records.json: the chain ends at {prev}, the manifest says {}",
            manifest.chain_head
        ));
    }
    Ok(ZipReport {
        ok: problems.is_empty(),
        files: manifest.files.len(),
        problems,
    })
}

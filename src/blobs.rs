//! Content-addressed storage of files (evidence, issued documents): a file
//! is kept once under its SHA-256 in the data directory and verified on
//! every read. The one storage interface: a deployment on several machines
//! points the data directory at shared storage.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult, Code};

/// The largest file accepted (an evidence upload).
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// Where a blob with this hash lives.
pub fn blob_path(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir
        .join("blobs")
        .join("sha256")
        .join(&sha256[..2])
        .join(sha256)
}

/// A file being received: written to a temporary file while hashed.
pub struct Incoming {
    tmp: PathBuf,
    file: std::fs::File,
    hasher: Sha256,
    pub size: u64,
}

impl Incoming {
    pub fn new(data_dir: &Path) -> AppResult<Incoming> {
        let dir = data_dir.join("blobs").join("tmp");
        std::fs::create_dir_all(&dir).map_err(|e| AppError::internal(format!("blob dir: {e}")))?;
        let tmp = dir.join(uuid::Uuid::now_v7().to_string());
        let file =
            std::fs::File::create(&tmp).map_err(|e| AppError::internal(format!("blob: {e}")))?;
        Ok(Incoming {
            tmp,
            file,
            hasher: Sha256::new(),
            size: 0,
        })
    }

    pub fn write(&mut self, chunk: &[u8]) -> AppResult<()> {
        self.size += chunk.len() as u64;
        if self.size > MAX_FILE_BYTES {
            return Err(AppError::new(
                Code::PayloadTooLarge,
                format!("an evidence file may be at most {MAX_FILE_BYTES} bytes"),
            ));
        }
        self.hasher.update(chunk);
        self.file
            .write_all(chunk)
            .map_err(|e| AppError::internal(format!("blob write: {e}")))
    }

    /// Moves the file to its content address (kept once if it was already
    /// there); returns its SHA-256.
    pub fn finish(mut self, data_dir: &Path) -> AppResult<String> {
        self.file
            .sync_all()
            .map_err(|e| AppError::internal(format!("blob sync: {e}")))?;
        let sha = hex::encode(self.hasher.finalize_reset());
        let dest = blob_path(data_dir, &sha);
        if dest.exists() {
            let _ = std::fs::remove_file(&self.tmp);
        } else {
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| AppError::internal(format!("blob dir: {e}")))?;
            }
            std::fs::rename(&self.tmp, &dest)
                .map_err(|e| AppError::internal(format!("blob rename: {e}")))?;
        }
        Ok(sha)
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        // A refused or broken upload leaves nothing behind.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Reads a blob and checks it still has its hash.
pub fn read_verified(data_dir: &Path, sha256: &str) -> AppResult<Vec<u8>> {
    let mut bytes = vec![];
    std::fs::File::open(blob_path(data_dir, sha256))
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| integrity(format!("the stored file is missing or unreadable ({e})")))?;
    let actual = hex::encode(Sha256::digest(&bytes));
    if actual != sha256 {
        return Err(integrity(format!(
            "the stored file no longer matches its SHA-256 {sha256} (now {actual})"
        )));
    }
    Ok(bytes)
}

fn integrity(detail: String) -> AppError {
    AppError::new(Code::EvidenceIntegrityFailed, detail)
}

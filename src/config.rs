//! Settings: environment variables `ZHIFA_*` over an optional TOML file
//! (`ZHIFA_CONFIG`). Local mode fills in what is missing (SQLite under the
//! data dir, secrets generated once and kept there); production mode refuses
//! to start without an explicit database URL, JWT secret and record key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Local,
    Production,
}

/// What an operator may put in the TOML file; every key has an env twin.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    mode: Option<Mode>,
    jwt_secret: Option<String>,
    record_key: Option<String>,
    reporter_key: Option<String>,
    token_ttl_seconds: Option<u64>,
    pool_size: Option<u32>,
    fixtures_dir: Option<PathBuf>,
    document_font: Option<PathBuf>,
    document_fallback_fonts: Option<Vec<PathBuf>>,
    department_fonts: Option<std::collections::BTreeMap<String, PathBuf>>,
    login_max_failures: Option<u32>,
    login_lock_seconds: Option<u64>,
    login_address_max_failures: Option<u32>,
    login_address_lock_seconds: Option<u64>,
    instance_name: Option<String>,
    log_format: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    pub database_url: String,
    pub bind: String,
    pub data_dir: PathBuf,
    pub jwt_secret: String,
    pub record_key: String,
    /// The AES-256-GCM key that seals complaint reporters' identities
    /// (`ZHIFA_REPORTER_KEY`; production: required; local: derived from the
    /// record key when unset).
    pub reporter_key: ReporterKey,
    pub token_ttl_seconds: u64,
    pub pool_size: u32,
    pub fixtures_dir: PathBuf,
    /// The body face documents are printed with (`ZHIFA_DOCUMENT_FONT`;
    /// default `<fixtures>/fonts/gbsn00lp.ttf`, AR PL SungtiL GB, a 宋体):
    /// an agency may configure its own licensed 仿宋.
    pub document_font: Option<PathBuf>,
    /// The faces behind it, in order, for characters it lacks
    /// (`ZHIFA_DOCUMENT_FALLBACK_FONTS`, paths separated by `:`; default
    /// `DEFAULT_FALLBACK_FONTS` under `<fixtures>/fonts`).
    pub document_fallback_fonts: Option<Vec<PathBuf>>,
    /// A department's own body face (its licensed 仿宋), by department
    /// code (`ZHIFA_DEPARTMENT_FONTS=code=path,code=path`); the fallback
    /// chain stays behind it. The rest print with `document_font`.
    pub department_fonts: std::collections::BTreeMap<String, PathBuf>,
    /// Local mode only: the service clock starts at this instant (`ZHIFA_CLOCK`).
    pub clock_start: Option<DateTime<Utc>>,
    /// Failed logins in the window before a username is throttled.
    pub login_max_failures: u32,
    /// How long a throttled username waits, and the failure window.
    pub login_lock_seconds: u64,
    /// Failed logins from one client address in the window before the
    /// address is throttled (0: no per-address throttle).
    pub login_address_max_failures: u32,
    /// How long a throttled address waits, and its failure window.
    pub login_address_lock_seconds: u64,
    /// This instance's name (`ZHIFA_INSTANCE_NAME`; default the host name):
    /// at start-up, number reservations left by an earlier process of the
    /// same name are voided at once. Instances sharing a database must have
    /// different names.
    pub instance_name: String,
    /// `json` (production default) or `text`.
    pub log_format: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {0}: {1}")]
    File(PathBuf, String),
    #[error("invalid setting {0}: {1}")]
    Invalid(&'static str, String),
    #[error("production mode needs {0} to be set explicitly")]
    MissingInProduction(&'static str),
    #[error("cannot keep local secrets in {0}: {1}")]
    Secrets(PathBuf, String),
}

pub const MIN_SECRET_LEN: usize = 32;

/// 32 bytes that seal reporters' identities. Its `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct ReporterKey(pub [u8; 32]);

impl std::fmt::Debug for ReporterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReporterKey(***)")
    }
}

impl ReporterKey {
    /// 64 hex digits, or standard base64 of 32 bytes.
    pub fn parse(text: &str) -> Result<ReporterKey, String> {
        use base64::Engine;
        let t = text.trim();
        let bytes = if t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(t).map_err(|e| e.to_string())?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(t)
                .map_err(|_| "expected 32 bytes as 64 hex digits or base64".to_string())?
        };
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "expected 32 bytes as 64 hex digits or base64".to_string())?;
        Ok(ReporterKey(key))
    }

    /// Local mode without `ZHIFA_REPORTER_KEY`: SHA-256 of a fixed label and
    /// the record key (kept in the data directory), so a local database's
    /// reporters stay readable across restarts. Never in production.
    pub fn derive_local(record_key: &str) -> ReporterKey {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"zhifa local reporter key\0");
        h.update(record_key.as_bytes());
        ReporterKey(h.finalize().into())
    }
}

impl Settings {
    /// Settings from the process environment.
    pub fn from_env() -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("ZHIFA_"))
            .collect();
        Settings::from_map(&env)
    }

    /// Settings from a map of `ZHIFA_*` variables (the environment, or a test's).
    pub fn from_map(env: &HashMap<String, String>) -> Result<Settings, ConfigError> {
        let get = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
        let file: FileSettings = match get("ZHIFA_CONFIG") {
            Some(p) => {
                let path = PathBuf::from(p);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError::File(path.clone(), e.to_string()))?;
                toml::from_str(&text).map_err(|e| ConfigError::File(path, e.to_string()))?
            }
            None => FileSettings::default(),
        };
        let mode = match get("ZHIFA_MODE") {
            Some(m) => match m.as_str() {
                "local" => Mode::Local,
                "production" => Mode::Production,
                other => {
                    return Err(ConfigError::Invalid(
                        "ZHIFA_MODE",
                        format!("{other:?}: expected local or production"),
                    ))
                }
            },
            None => file.mode.unwrap_or(Mode::Local),
        };
        let parse_u64 = |k: &'static str,
                         v: Option<String>,
                         d: Option<u64>,
                         default: u64|
         -> Result<u64, ConfigError> {
            match v {
                Some(s) => s
                    .parse()
                    .map_err(|_| ConfigError::Invalid(k, format!("{s:?} is not a number"))),
                None => Ok(d.unwrap_or(default)),
            }
        };
        let data_dir = get("ZHIFA_DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./zhifa-data"));
        let database_url = get("ZHIFA_DATABASE_URL").or(file.database_url);
        let jwt_secret = get("ZHIFA_JWT_SECRET").or(file.jwt_secret);
        let record_key = get("ZHIFA_RECORD_KEY").or(file.record_key);
        let clock_start = match get("ZHIFA_CLOCK") {
            None => None,
            Some(_) if mode == Mode::Production => {
                return Err(ConfigError::Invalid(
                    "ZHIFA_CLOCK",
                    "a fixed clock is refused in production mode".into(),
                ))
            }
            Some(s) => Some(
                DateTime::parse_from_rfc3339(&s)
                    .map_err(|e| ConfigError::Invalid("ZHIFA_CLOCK", format!("{s:?}: {e}")))?
                    .with_timezone(&Utc),
            ),
        };

        let (database_url, jwt_secret, record_key) = match mode {
            Mode::Production => {
                let db =
                    database_url.ok_or(ConfigError::MissingInProduction("ZHIFA_DATABASE_URL"))?;
                let jwt = jwt_secret.ok_or(ConfigError::MissingInProduction("ZHIFA_JWT_SECRET"))?;
                let key = record_key.ok_or(ConfigError::MissingInProduction("ZHIFA_RECORD_KEY"))?;
                (db, jwt, key)
            }
            Mode::Local => {
                let db = database_url
                    .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("zhifa.db").display()));
                let (jwt, key) = match (jwt_secret, record_key) {
                    (Some(j), Some(k)) => (j, k),
                    (j, k) => {
                        let kept = local_secrets(&data_dir)?;
                        (j.unwrap_or(kept.jwt_secret), k.unwrap_or(kept.record_key))
                    }
                };
                (db, jwt, key)
            }
        };
        let reporter_key = match get("ZHIFA_REPORTER_KEY").or(file.reporter_key) {
            Some(k) => {
                ReporterKey::parse(&k).map_err(|e| ConfigError::Invalid("ZHIFA_REPORTER_KEY", e))?
            }
            None if mode == Mode::Production => {
                return Err(ConfigError::MissingInProduction("ZHIFA_REPORTER_KEY"))
            }
            None => ReporterKey::derive_local(&record_key),
        };
        for (name, value) in [
            ("ZHIFA_JWT_SECRET", &jwt_secret),
            ("ZHIFA_RECORD_KEY", &record_key),
        ] {
            if value.len() < MIN_SECRET_LEN {
                return Err(ConfigError::Invalid(
                    name,
                    format!("must be at least {MIN_SECRET_LEN} characters"),
                ));
            }
        }
        let fixtures_dir = get("ZHIFA_FIXTURES_DIR")
            .map(PathBuf::from)
            .or(file.fixtures_dir)
            .unwrap_or_else(|| PathBuf::from("fixtures"));
        let document_font = get("ZHIFA_DOCUMENT_FONT")
            .map(PathBuf::from)
            .or(file.document_font);
        let document_fallback_fonts = get("ZHIFA_DOCUMENT_FALLBACK_FONTS")
            .map(|v| {
                std::env::split_paths(&v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .or(file.document_fallback_fonts);
        let department_fonts = match get("ZHIFA_DEPARTMENT_FONTS") {
            Some(v) => {
                let mut m = std::collections::BTreeMap::new();
                for pair in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let (code, path) = pair.split_once('=').ok_or_else(|| {
                        ConfigError::Invalid(
                            "ZHIFA_DEPARTMENT_FONTS",
                            format!("{pair:?}: expected <department code>=<font path>"),
                        )
                    })?;
                    m.insert(code.trim().to_string(), PathBuf::from(path.trim()));
                }
                m
            }
            None => file.department_fonts.unwrap_or_default(),
        };
        let pool_size = parse_u64(
            "ZHIFA_POOL_SIZE",
            get("ZHIFA_POOL_SIZE"),
            file.pool_size.map(u64::from),
            16,
        )?;
        if pool_size == 0 || pool_size > 1000 {
            return Err(ConfigError::Invalid(
                "ZHIFA_POOL_SIZE",
                "must be between 1 and 1000".into(),
            ));
        }
        let token_ttl_seconds = parse_u64(
            "ZHIFA_TOKEN_TTL_SECONDS",
            get("ZHIFA_TOKEN_TTL_SECONDS"),
            file.token_ttl_seconds,
            8 * 3600,
        )?;
        if token_ttl_seconds == 0 {
            return Err(ConfigError::Invalid(
                "ZHIFA_TOKEN_TTL_SECONDS",
                "must be positive".into(),
            ));
        }
        let login_max_failures = parse_u64(
            "ZHIFA_LOGIN_MAX_FAILURES",
            get("ZHIFA_LOGIN_MAX_FAILURES"),
            file.login_max_failures.map(u64::from),
            5,
        )?;
        if login_max_failures == 0 || login_max_failures > 1000 {
            return Err(ConfigError::Invalid(
                "ZHIFA_LOGIN_MAX_FAILURES",
                "must be between 1 and 1000".into(),
            ));
        }
        let login_address_max_failures = parse_u64(
            "ZHIFA_LOGIN_ADDRESS_MAX_FAILURES",
            get("ZHIFA_LOGIN_ADDRESS_MAX_FAILURES"),
            file.login_address_max_failures.map(u64::from),
            100,
        )?;
        if login_address_max_failures > 1_000_000 {
            return Err(ConfigError::Invalid(
                "ZHIFA_LOGIN_ADDRESS_MAX_FAILURES",
                "must be between 0 and 1000000".into(),
            ));
        }
        let instance_name = get("ZHIFA_INSTANCE_NAME")
            .or(file.instance_name)
            .or_else(|| std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()))
            .or_else(|| {
                std::fs::read_to_string("/etc/hostname")
                    .ok()
                    .map(|h| h.trim().to_string())
                    .filter(|h| !h.is_empty())
            })
            .unwrap_or_else(|| "zhifa".into());
        let bind = get("ZHIFA_BIND")
            .or(file.bind)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        if bind.parse::<std::net::SocketAddr>().is_err() && !bind.contains(':') {
            return Err(ConfigError::Invalid(
                "ZHIFA_BIND",
                format!("{bind:?}: expected host:port"),
            ));
        }
        Ok(Settings {
            mode,
            database_url,
            bind,
            data_dir,
            jwt_secret,
            record_key,
            reporter_key,
            token_ttl_seconds,
            pool_size: pool_size as u32,
            fixtures_dir,
            document_font,
            document_fallback_fonts,
            department_fonts,
            clock_start,
            login_max_failures: login_max_failures as u32,
            login_lock_seconds: parse_u64(
                "ZHIFA_LOGIN_LOCK_SECONDS",
                get("ZHIFA_LOGIN_LOCK_SECONDS"),
                file.login_lock_seconds,
                900,
            )?,
            login_address_max_failures: login_address_max_failures as u32,
            login_address_lock_seconds: parse_u64(
                "ZHIFA_LOGIN_ADDRESS_LOCK_SECONDS",
                get("ZHIFA_LOGIN_ADDRESS_LOCK_SECONDS"),
                file.login_address_lock_seconds,
                900,
            )?,
            instance_name,
            log_format: get("ZHIFA_LOG_FORMAT")
                .or(file.log_format)
                .unwrap_or_else(|| {
                    if mode == Mode::Production {
                        "json".into()
                    } else {
                        "text".into()
                    }
                }),
        })
    }

    /// The fixtures directory: `ZHIFA_FIXTURES_DIR`, else `./fixtures`.
    pub fn fixtures(&self) -> &Path {
        &self.fixtures_dir
    }

    /// The document's body face.
    pub fn document_font(&self) -> PathBuf {
        self.document_font
            .clone()
            .unwrap_or_else(|| self.fixtures_dir.join("fonts").join(DEFAULT_DOCUMENT_FONT))
    }

    /// The fallback chain behind the body face, in order.
    pub fn document_fallback_fonts(&self) -> Vec<PathBuf> {
        match &self.document_fallback_fonts {
            Some(list) => list.clone(),
            None => DEFAULT_FALLBACK_FONTS
                .iter()
                .map(|f| self.fixtures_dir.join("fonts").join(f))
                .collect(),
        }
    }
}

/// The body face shipped in `fixtures/fonts`: AR PL SungtiL GB, a free
/// 宋体 (serif, GB/T 9704) of the GB 2312 repertoire, Arphic Public License.
pub const DEFAULT_DOCUMENT_FONT: &str = "gbsn00lp.ttf";

/// The fallback chain shipped in `fixtures/fonts`, in order: WenQuanYi Micro
/// Hei for the rest of the BMP's unified ideographs (GBK and beyond GB 2312),
/// then Hanazono Mincho A cut to CJK Extension A, and Hanazono Mincho B for
/// Extensions B–F (the supplementary plane; both gzipped).
pub const DEFAULT_FALLBACK_FONTS: [&str; 3] = [
    "wqy-microhei.ttc",
    "HanaMinA-extA.ttf.gz",
    "HanaMinB.ttf.gz",
];

#[derive(Serialize, Deserialize)]
struct LocalSecrets {
    jwt_secret: String,
    record_key: String,
}

/// Local mode keeps generated secrets in `<data_dir>/secrets.toml` (0600),
/// created once, so tokens and the record chain survive restarts.
fn local_secrets(data_dir: &Path) -> Result<LocalSecrets, ConfigError> {
    let path = data_dir.join("secrets.toml");
    let err = |e: &dyn std::fmt::Display| ConfigError::Secrets(path.clone(), e.to_string());
    if let Ok(text) = std::fs::read_to_string(&path) {
        return toml::from_str(&text).map_err(|e| err(&e));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| err(&e))?;
    let secrets = LocalSecrets {
        jwt_secret: random_secret(),
        record_key: random_secret(),
    };
    let text = toml::to_string(&secrets).map_err(|e| err(&e))?;
    write_private(&path, text.as_bytes()).map_err(|e| err(&e))?;
    Ok(secrets)
}

fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn production_refuses_missing_secrets() {
        let long = "x".repeat(40);
        let e = Settings::from_map(&map(&[("ZHIFA_MODE", "production")])).unwrap_err();
        assert!(matches!(
            e,
            ConfigError::MissingInProduction("ZHIFA_DATABASE_URL")
        ));
        let e = Settings::from_map(&map(&[
            ("ZHIFA_MODE", "production"),
            ("ZHIFA_DATABASE_URL", "postgres://x/y"),
        ]))
        .unwrap_err();
        assert!(matches!(
            e,
            ConfigError::MissingInProduction("ZHIFA_JWT_SECRET")
        ));
        let e = Settings::from_map(&map(&[
            ("ZHIFA_MODE", "production"),
            ("ZHIFA_DATABASE_URL", "postgres://x/y"),
            ("ZHIFA_JWT_SECRET", &long),
        ]))
        .unwrap_err();
        assert!(matches!(
            e,
            ConfigError::MissingInProduction("ZHIFA_RECORD_KEY")
        ));
        let e = Settings::from_map(&map(&[
            ("ZHIFA_MODE", "production"),
            ("ZHIFA_DATABASE_URL", "postgres://x/y"),
            ("ZHIFA_JWT_SECRET", &long),
            ("ZHIFA_RECORD_KEY", &long),
        ]))
        .unwrap_err();
        assert!(matches!(
            e,
            ConfigError::MissingInProduction("ZHIFA_REPORTER_KEY")
        ));
        let e = Settings::from_map(&map(&[
            ("ZHIFA_MODE", "production"),
            ("ZHIFA_DATABASE_URL", "postgres://x/y"),
            ("ZHIFA_JWT_SECRET", &long),
            ("ZHIFA_RECORD_KEY", &long),
            ("ZHIFA_REPORTER_KEY", "too short"),
        ]))
        .unwrap_err();
        assert!(matches!(e, ConfigError::Invalid("ZHIFA_REPORTER_KEY", _)));
        let ok = Settings::from_map(&map(&[
            ("ZHIFA_MODE", "production"),
            ("ZHIFA_DATABASE_URL", "postgres://x/y"),
            ("ZHIFA_JWT_SECRET", &long),
            ("ZHIFA_RECORD_KEY", &long),
            ("ZHIFA_REPORTER_KEY", &"ab".repeat(32)),
        ]))
        .unwrap();
        assert_eq!(ok.reporter_key.0, [0xab; 32]);
        assert_eq!(format!("{:?}", ok.reporter_key), "ReporterKey(***)");
        assert_eq!(ok.mode, Mode::Production);
        assert_eq!(ok.log_format, "json");
    }

    #[test]
    fn production_refuses_fixed_clock_and_short_secrets() {
        let e = Settings::from_map(&map(&[
            ("ZHIFA_MODE", "production"),
            ("ZHIFA_CLOCK", "2026-01-01T00:00:00Z"),
        ]))
        .unwrap_err();
        assert!(matches!(e, ConfigError::Invalid("ZHIFA_CLOCK", _)));
        let e = Settings::from_map(&map(&[
            ("ZHIFA_MODE", "production"),
            ("ZHIFA_DATABASE_URL", "postgres://x/y"),
            ("ZHIFA_JWT_SECRET", "short"),
            ("ZHIFA_RECORD_KEY", &"x".repeat(40)),
            ("ZHIFA_REPORTER_KEY", &"ab".repeat(32)),
        ]))
        .unwrap_err();
        assert!(matches!(e, ConfigError::Invalid("ZHIFA_JWT_SECRET", _)));
    }

    #[test]
    fn local_mode_generates_secrets_once_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let m = map(&[("ZHIFA_DATA_DIR", dir.path().to_str().unwrap())]);
        let a = Settings::from_map(&m).unwrap();
        let b = Settings::from_map(&m).unwrap();
        assert_eq!(a.jwt_secret, b.jwt_secret);
        assert_eq!(a.record_key, b.record_key);
        assert_ne!(a.jwt_secret, a.record_key);
        assert!(a.database_url.starts_with("sqlite://"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secrets.toml"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn document_fonts_default_to_the_shipped_chain_and_may_be_set_per_department() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let s = Settings::from_map(&map(&[("ZHIFA_DATA_DIR", d)])).unwrap();
        assert!(s.document_font().ends_with("fonts/gbsn00lp.ttf"));
        let chain = s.document_fallback_fonts();
        assert!(chain[2].ends_with("fonts/HanaMinB.ttf.gz"), "{chain:?}");
        assert!(s.department_fonts.is_empty());
        let s = Settings::from_map(&map(&[
            ("ZHIFA_DATA_DIR", d),
            ("ZHIFA_DOCUMENT_FALLBACK_FONTS", "/a.ttf:/b.ttf.gz"),
            (
                "ZHIFA_DEPARTMENT_FONTS",
                "530102-scjgj=/srv/fs.ttf, 530103-scjgj=/srv/fs2.ttf",
            ),
        ]))
        .unwrap();
        assert_eq!(
            s.document_fallback_fonts(),
            [PathBuf::from("/a.ttf"), PathBuf::from("/b.ttf.gz")]
        );
        assert_eq!(
            s.department_fonts.get("530102-scjgj"),
            Some(&PathBuf::from("/srv/fs.ttf"))
        );
        let e = Settings::from_map(&map(&[
            ("ZHIFA_DATA_DIR", d),
            ("ZHIFA_DEPARTMENT_FONTS", "530102-scjgj"),
        ]))
        .unwrap_err();
        assert!(matches!(
            e,
            ConfigError::Invalid("ZHIFA_DEPARTMENT_FONTS", _)
        ));
    }

    #[test]
    fn toml_file_is_read_and_env_wins() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("zhifa.toml");
        std::fs::write(&cfg, "bind = \"127.0.0.1:9999\"\npool_size = 3\n").unwrap();
        let m = map(&[
            ("ZHIFA_CONFIG", cfg.to_str().unwrap()),
            ("ZHIFA_DATA_DIR", dir.path().to_str().unwrap()),
            ("ZHIFA_POOL_SIZE", "7"),
        ]);
        let s = Settings::from_map(&m).unwrap();
        assert_eq!(s.bind, "127.0.0.1:9999");
        assert_eq!(s.pool_size, 7);
        std::fs::write(&cfg, "bogus = 1\n").unwrap();
        assert!(matches!(Settings::from_map(&m), Err(ConfigError::File(..))));
    }
}

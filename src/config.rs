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
    token_ttl_seconds: Option<u64>,
    pool_size: Option<u32>,
    fixtures_dir: Option<PathBuf>,
    document_font: Option<PathBuf>,
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
    pub token_ttl_seconds: u64,
    pub pool_size: u32,
    pub fixtures_dir: PathBuf,
    /// The font documents are printed with (`ZHIFA_DOCUMENT_FONT`; default
    /// `<fixtures>/fonts/wqy-microhei.ttc`): an agency may configure its own.
    pub document_font: Option<PathBuf>,
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
            token_ttl_seconds,
            pool_size: pool_size as u32,
            fixtures_dir,
            document_font,
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

    /// The document font file.
    pub fn document_font(&self) -> PathBuf {
        self.document_font
            .clone()
            .unwrap_or_else(|| self.fixtures_dir.join("fonts").join("wqy-microhei.ttc"))
    }
}

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
        let ok = Settings::from_map(&map(&[
            ("ZHIFA_MODE", "production"),
            ("ZHIFA_DATABASE_URL", "postgres://x/y"),
            ("ZHIFA_JWT_SECRET", &long),
            ("ZHIFA_RECORD_KEY", &long),
        ]))
        .unwrap();
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

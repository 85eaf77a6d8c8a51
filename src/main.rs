//! The `zhifa` command: serve | migrate | import | user add | records verify |
//! reporter-key rotate.

use std::io::{BufRead, IsTerminal};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use zhifa::auth::Role;
use zhifa::{Mode, Settings};

#[derive(Parser)]
#[command(
    name = "zhifa",
    version,
    about = "执法 — administrative law-enforcement case management"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (migrates, and seeds a new database from fixtures/).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import departments, enforcement items, rule profiles and discretion
    /// benchmarks from a fixtures directory (all or nothing).
    Import { dir: PathBuf },
    /// Write the stored discretion benchmarks as CSV, XLSX or TOML (the
    /// formats `POST /discretion/benchmarks:import` and fixtures read).
    ExportBenchmarks {
        /// csv, xlsx or toml
        #[arg(long, default_value = "csv")]
        format: String,
        /// Only this enforcement item.
        #[arg(long)]
        item: Option<String>,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The full-process record.
    Records {
        #[command(subcommand)]
        command: RecordsCommand,
    },
    /// The electronic case file (archive.zip).
    Archive {
        #[command(subcommand)]
        command: ArchiveCommand,
    },
    /// The key that seals complaint reporters (ZHIFA_REPORTER_KEY).
    ReporterKey {
        #[command(subcommand)]
        command: ReporterKeyCommand,
    },
}

#[derive(Subcommand)]
enum ReporterKeyCommand {
    /// Re-seal every complaint's reporter from the current key
    /// (ZHIFA_REPORTER_KEY) to the new one (ZHIFA_REPORTER_KEY_NEW), in one
    /// transaction: all or nothing. Then set ZHIFA_REPORTER_KEY to the new
    /// key and restart the service.
    Rotate,
}

#[derive(Subcommand)]
enum ArchiveCommand {
    /// Verify a case file offline: every file against the manifest's
    /// SHA-256, nothing extra, the record chain linked to the manifest's
    /// head (and, when ZHIFA_RECORD_KEY is set, every entry's keyed hash).
    /// Exits 1 when anything is wrong. Needs no database.
    Verify { zip: PathBuf },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from ZHIFA_NEW_PASSWORD or the first line of standard input.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// Department code (see fixtures/departments.toml).
        #[arg(long)]
        department: String,
        /// A role: officer, auxiliary, head, legal_reviewer, supervisor, admin (repeatable).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        legal_qualification: bool,
    },
}

#[derive(Subcommand)]
enum RecordsCommand {
    /// Verify every case's hash chain (or one case's); exits 1 when any is broken.
    Verify {
        #[arg(long = "case")]
        case_id: Option<String>,
    },
}

fn init_logging(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ZHIFA_LOG")
        .unwrap_or_else(|_| "info,actix_server=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if settings.log_format == "json" {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Archive {
        command: ArchiveCommand::Verify { zip },
    } = &cli.command
    {
        return verify_archive(zip);
    }
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("zhifa: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&settings);
    match run(cli, settings) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zhifa: {e}");
            ExitCode::from(1)
        }
    }
}

fn open(settings: &Settings) -> Result<zhifa::Db, String> {
    zhifa::db::connect(&settings.database_url, settings.pool_size).map_err(|e| e.to_string())
}

/// One connection for a one-shot command (see `db::connect_once`).
fn open_once(settings: &Settings) -> Result<zhifa::db::DbConn, String> {
    zhifa::db::connect_once(&settings.database_url).map_err(|e| e.to_string())
}

fn run(cli: Cli, settings: Settings) -> Result<ExitCode, String> {
    match cli.command {
        Command::Serve => serve(settings),
        Command::ReporterKey {
            command: ReporterKeyCommand::Rotate,
        } => {
            let new = std::env::var("ZHIFA_REPORTER_KEY_NEW")
                .map_err(|_| "set ZHIFA_REPORTER_KEY_NEW to the new key (64 hex digits or base64 of 32 bytes)".to_string())
                .and_then(|k| {
                    zhifa::config::ReporterKey::parse(&k)
                        .map_err(|e| format!("ZHIFA_REPORTER_KEY_NEW: {e}"))
                })?;
            if new == settings.reporter_key {
                return Err("ZHIFA_REPORTER_KEY_NEW is the current key".into());
            }
            let mut conn = open_once(&settings)?;
            let n = zhifa::complaints::rotate_key(&mut conn, &settings.reporter_key, &new)
                .map_err(|e| e.detail)?;
            println!("{n} reporters re-sealed under the new key; set ZHIFA_REPORTER_KEY to it and restart");
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            open_once(&settings)?;
            println!(
                "migrations applied ({})",
                zhifa::db::backend_of(&settings.database_url).0.name()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { dir } => {
            let mut conn = open_once(&settings)?;
            let clock = zhifa::Clock::system();
            let r = zhifa::seed::import(&mut conn, &dir, clock.now_naive()).map_err(|e| {
                let rows: Vec<String> = e
                    .errors
                    .iter()
                    .map(|f| {
                        format!(
                            "  {}{} [{}]: {}",
                            f.file.as_deref().unwrap_or(""),
                            f.line.map(|l| format!(":{l}")).unwrap_or_default(),
                            f.field,
                            f.message
                        )
                    })
                    .collect();
                if rows.is_empty() {
                    e.detail
                } else {
                    format!("{}\n{}", e.detail, rows.join("\n"))
                }
            })?;
            println!(
                "departments: {} added, {} updated; enforcement items: {} added, {} updated; \
                 rule profiles: {} changed; holiday years: {} changed; benchmark versions: {} added, {} updated; \
                 rubrics: {} changed",
                r.departments_added,
                r.departments_updated,
                r.items_added,
                r.items_updated,
                r.profiles_changed,
                r.holiday_years_changed,
                r.benchmarks_added,
                r.benchmarks_updated,
                r.rubrics_changed
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::ExportBenchmarks { format, item, out } => {
            let format = zhifa::discretion::formats::Format::from_name(&format)
                .ok_or("--format must be csv, xlsx or toml")?;
            let mut conn = open_once(&settings)?;
            let versions = zhifa::discretion::load_versions(&mut conn, item.as_deref())
                .map_err(|e| e.detail)?;
            let list: Vec<_> = versions.into_iter().map(|v| v.benchmark).collect();
            let bytes = zhifa::discretion::encode(&list, format).map_err(|e| e.detail)?;
            std::fs::write(&out, bytes).map_err(|e| format!("{}: {e}", out.display()))?;
            println!(
                "{} benchmark versions written to {}",
                list.len(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    display_name,
                    department,
                    roles,
                    legal_qualification,
                },
        } => {
            let roles: Vec<Role> = roles
                .iter()
                .map(|r| Role::parse(r).ok_or(format!("unknown role {r:?}")))
                .collect::<Result<_, _>>()?;
            let password = match std::env::var("ZHIFA_NEW_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    if std::io::stdin().is_terminal() {
                        eprint!("password for {username}: ");
                    }
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .map_err(|e| e.to_string())?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            if !zhifa::org::rules::username_ok(&username) {
                return Err(format!(
                    "username refused: {}",
                    zhifa::org::rules::USERNAME_RULE
                ));
            }
            let problems = zhifa::auth::rules::password_problems(&password, &username);
            if !problems.is_empty() {
                return Err(format!("password refused: {}", problems.join("; ")));
            }
            let mut conn = open_once(&settings)?;
            let clock = zhifa::Clock::system();
            let hash = zhifa::auth::password::hash(&password).map_err(|e| e.detail)?;
            let user = zhifa::db::write_tx(&mut conn, |c| {
                let dept = zhifa::org::department_by_code(c, &department)?.ok_or_else(|| {
                    zhifa::error::AppError::not_found(format!(
                        "no department with code {department}"
                    ))
                })?;
                let u = zhifa::org::insert_user(
                    c,
                    &username,
                    &display_name,
                    &hash,
                    &dept.department.id,
                    &roles,
                    legal_qualification,
                    clock.now_naive(),
                )?;
                let e = zhifa::audit::AuditEvent::system(
                    "zhifa user add",
                    "user.created",
                    format!("user:{username}"),
                );
                zhifa::audit::write(c, clock.now_naive(), &e.change::<(), _>(None, Some(&u)))?;
                Ok::<_, zhifa::error::AppError>(u)
            })
            .map_err(|e| e.detail)?;
            println!("user {} added ({})", user.username, user.id);
            Ok(ExitCode::SUCCESS)
        }
        Command::Archive {
            command: ArchiveCommand::Verify { zip },
        } => Ok(verify_archive(&zip)),
        Command::Records {
            command: RecordsCommand::Verify { case_id },
        } => {
            let mut conn = open_once(&settings)?;
            let results = zhifa::records::verify_all(
                &mut conn,
                settings.record_key.as_bytes(),
                case_id.as_deref(),
            )
            .map_err(|e| e.detail)?;
            let mut broken = 0;
            for (id, no, v) in &results {
                if v.valid {
                    println!(
                        "ok      {id} {no} entries={} head={}",
                        v.entries, v.head_hash
                    );
                } else {
                    broken += 1;
                    println!(
                        "BROKEN  {id} {no} first_bad_seq={}",
                        v.first_bad_seq.unwrap_or(0)
                    );
                }
            }
            println!("{} cases verified, {} broken", results.len(), broken);
            Ok(if broken == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

fn verify_archive(path: &std::path::Path) -> ExitCode {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("zhifa: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let key = std::env::var("ZHIFA_RECORD_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    match zhifa::documents::archive::verify_zip(file, key.as_deref().map(str::as_bytes)) {
        Ok(r) => {
            for p in &r.problems {
                println!("BAD  {p}");
            }
            println!(
                "{}: {} files, {}",
                path.display(),
                r.files,
                if r.ok { "ok" } else { "BROKEN" }
            );
            if r.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("zhifa: {e}");
            ExitCode::from(2)
        }
    }
}

fn serve(settings: Settings) -> Result<ExitCode, String> {
    let db = open(&settings)?;
    let state = zhifa::AppState::new(settings.clone(), db);
    {
        let mut conn = state.db.pool.get().map_err(|e| e.to_string())?;
        let boot = zhifa::seed::bootstrap(
            &mut conn,
            settings.fixtures(),
            settings.mode,
            state.clock.now_naive(),
            state.clock.today(),
        )
        .map_err(|e| {
            format!(
                "seeding from {}: {}",
                settings.fixtures().display(),
                e.detail
            )
        })?;
        if let Some(r) = &boot.imported {
            println!(
                "imported fixtures: {} departments, {} enforcement items, {} benchmark versions",
                r.departments_added, r.items_added, r.benchmarks_added
            );
        }
        if let Some((accounts, password)) = &boot.demo {
            println!("demo accounts (local mode only), password {password}:");
            for a in accounts {
                let roles: Vec<&str> = a.roles.iter().map(|r| r.as_str()).collect();
                println!(
                    "  {:<16} {:<16} {}",
                    a.username,
                    roles.join(","),
                    a.department
                );
            }
        }
    }
    let listener = TcpListener::bind(&settings.bind)
        .map_err(|e| format!("cannot bind {}: {e}", settings.bind))?;
    let mode = match settings.mode {
        Mode::Local => "local",
        Mode::Production => "production",
    };
    println!(
        "zhifa listening on http://{} ({mode} mode, {} database); API docs at /docs",
        listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default(),
        state.db.backend.name()
    );
    actix_rt::System::new().block_on(async move {
        let running = zhifa::start(state, listener, None).map_err(|e| e.to_string())?;
        let result = running.server.await.map_err(|e| e.to_string());
        zhifa::shutdown(&running.state).await;
        result
    })?;
    Ok(ExitCode::SUCCESS)
}

//! The SQLite store: one file in the data dir, shared by the TUI, the daemon and one-shot commands.
//!
//! Owns the schema (versioned migrations with `rusqlite_migration`), connection set-up (WAL, foreign
//! keys, busy timeout) and typed, idempotent reads and writes for every entity of the product. It
//! knows nothing of tokio, HTTP or the terminal.
//!
//! Concurrency rule: every write transaction is `BEGIN IMMEDIATE` (see [`write_tx`]), so a writer
//! takes the lock up front and waits on the busy timeout instead of failing with "database is
//! locked" when a read transaction would have to be upgraded.

pub mod api_usage;
pub mod campaigns;
pub mod clients;
pub mod contacts;
pub mod credentials;
pub mod ctct_contacts;
pub mod events;
pub mod interactions;
pub mod jobs;
pub mod layouts;
pub mod leases;
pub mod lists;
pub mod outbox;
pub mod settings;
pub mod sync_state;
pub mod time;
pub mod users;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

pub use rusqlite;

/// How long a connection waits for another process's write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The store file's name inside the data dir.
pub const DB_FILE: &str = "ctctsync.db";

static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| Migrations::new(vec![M::up(include_str!("sql/0001_init.sql"))]));

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the store {path} could not be migrated: {source}")]
    Migrate {
        path: PathBuf,
        #[source]
        source: rusqlite_migration::Error,
    },
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the store file. Cheap to clone; each thread or task opens its own [`Connection`].
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed, mode 0600) and migrates the store at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if dir.exists() && !dir.is_dir() {
                return Err(StoreError::Io {
                    path: dir.to_path_buf(),
                    source: std::io::Error::other(
                        "it is a file, not a folder: give --data-dir (or CTCTSYNC_DATA_DIR) a folder",
                    ),
                });
            }
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        create_private_file(&path)?;
        let store = Store { path };
        let mut conn = store.connect()?;
        MIGRATIONS
            .to_latest(&mut conn)
            .map_err(|source| StoreError::Migrate {
                path: store.path.clone(),
                source,
            })?;
        // WAL side files are created by SQLite with the main file's permissions, but make sure.
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", store.path.display()));
            restrict_permissions(&side);
        }
        Ok(store)
    }

    /// Opens the store in a data dir (`<dir>/ctctsync.db`).
    pub fn open_in(data_dir: impl AsRef<Path>) -> Result<Store> {
        Store::open(data_dir.as_ref().join(DB_FILE))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A read-write connection with the product's pragmas.
    pub fn connect(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|source| StoreError::Open {
            path: self.path.clone(),
            source,
        })?;
        configure(&conn)?;
        Ok(conn)
    }

    /// A read-only connection (the TUI's query worker uses one).
    pub fn connect_read_only(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|source| StoreError::Open {
            path: self.path.clone(),
            source,
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(conn)
    }

    /// Current schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64> {
        let conn = self.connect()?;
        Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // journal_mode returns a row; pragma_update_and_check reads it.
    let _mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// Starts a write transaction that takes the write lock at once (`BEGIN IMMEDIATE`).
pub fn write_tx(conn: &mut Connection) -> Result<Transaction<'_>> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

fn create_private_file(path: &Path) -> Result<()> {
    if !path.exists() {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        opts.open(path).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    }
    restrict_permissions(path);
    Ok(())
}

/// Sets mode 0600 on a file that holds secrets (best effort: a missing file is fine).
pub fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if path.exists() {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Tells whether an optional row was found.
pub trait OptionalRow<T> {
    fn optional_row(self) -> rusqlite::Result<Option<T>>;
}

impl<T> OptionalRow<T> for rusqlite::Result<T> {
    fn optional_row(self) -> rusqlite::Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

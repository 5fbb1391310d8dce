//! Where ctctsync keeps its files: the data dir (store, logs) chosen by `--data-dir`,
//! `CTCTSYNC_DATA_DIR`, or the platform default from the `directories` crate.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub data_dir: PathBuf,
}

impl Paths {
    /// `explicit` is `--data-dir` / `CTCTSYNC_DATA_DIR` (clap reads both).
    pub fn resolve(explicit: Option<&Path>) -> Paths {
        let data_dir = match explicit {
            Some(p) => p.to_path_buf(),
            None => directories::ProjectDirs::from("", "", "ctctsync")
                .map(|d| d.data_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from(".ctctsync")),
        };
        Paths { data_dir }
    }

    pub fn new(data_dir: impl Into<PathBuf>) -> Paths {
        Paths {
            data_dir: data_dir.into(),
        }
    }

    pub fn db_file(&self) -> PathBuf {
        self.data_dir.join(crate::store::DB_FILE)
    }

    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// The current log file (daily rotation: `ctctsync.log.YYYY-MM-DD`).
    pub fn log_file_today(&self) -> PathBuf {
        let day = chrono::Utc::now().format("%Y-%m-%d");
        self.log_dir().join(format!("ctctsync.log.{day}"))
    }
}

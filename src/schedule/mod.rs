//! Scheduling: cron expressions and next fire times (`cron`, `fire`), the single-daemon lock
//! (`lock`) and the daemon loop (`daemon`).

pub mod cron;
pub mod daemon;
pub mod fire;
pub mod lock;

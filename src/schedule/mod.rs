//! Scheduling: cron expressions, next fire times, and (later) the daemon loop and its lock.

pub mod cron;

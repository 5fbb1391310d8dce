//! Leases: named exclusive locks with an expiry, held by one process (the daemon, a job run).
//! A lease whose expiry has passed, or whose holder pid no longer exists on this host, is taken
//! over — so a crashed daemon never blocks the next one.

use rusqlite::{Connection, params};

use super::{OptionalRow, Result, time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    pub holder: String,
    pub pid: i64,
    pub acquired_at: String,
    pub expires_at: String,
}

pub fn get(conn: &Connection, name: &str) -> Result<Option<Lease>> {
    Ok(conn
        .query_row(
            "SELECT name, holder, pid, acquired_at, expires_at FROM leases WHERE name = ?1",
            [name],
            |r| {
                Ok(Lease {
                    name: r.get(0)?,
                    holder: r.get(1)?,
                    pid: r.get(2)?,
                    acquired_at: r.get(3)?,
                    expires_at: r.get(4)?,
                })
            },
        )
        .optional_row()?)
}

/// Whether a process with this pid exists on this machine.
pub fn pid_alive(pid: i64) -> bool {
    if pid <= 0 {
        return false;
    }
    if pid == i64::from(std::process::id()) {
        return true;
    }
    #[cfg(target_os = "linux")]
    {
        // A zombie (crashed but not reaped) counts as dead.
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Ok(stat) => !stat
                .rsplit(')')
                .next()
                .map(|rest| rest.trim_start().starts_with('Z'))
                .unwrap_or(false),
            Err(_) => false,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

/// Tries to take (or renew, if already ours) a lease for `ttl_secs`. Returns Ok(None) when taken,
/// or Ok(Some(current holder)) when someone else holds it. Call inside an IMMEDIATE transaction.
pub fn try_acquire(
    conn: &Connection,
    name: &str,
    holder: &str,
    ttl_secs: i64,
) -> Result<Option<Lease>> {
    let now = chrono::Utc::now();
    let now_s = time::fmt(now);
    if let Some(cur) = get(conn, name)? {
        let expired = cur.expires_at.as_str() <= now_s.as_str();
        if cur.holder != holder && !expired && pid_alive(cur.pid) {
            return Ok(Some(cur));
        }
    }
    let expires = time::fmt(now + chrono::Duration::seconds(ttl_secs));
    conn.execute(
        "INSERT INTO leases (name, holder, pid, acquired_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, pid = excluded.pid,
           acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END,
           expires_at = excluded.expires_at",
        params![name, holder, std::process::id(), now_s, expires],
    )?;
    Ok(None)
}

pub fn release(conn: &Connection, name: &str, holder: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM leases WHERE name = ?1 AND holder = ?2",
        params![name, holder],
    )?;
    Ok(())
}

/// A holder id unique to this process and call.
pub fn new_holder() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    format!(
        "{host}:{}:{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    )
}

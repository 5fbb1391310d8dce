//! TUI startup and idle cost, measured on the real binary in a pseudo-terminal.
//!
//! - startup to first frame: from spawning `ctctsync` (fresh data dir: store created and
//!   migrated) until the wizard's first frame is on the screen (target < 150 ms);
//! - idle CPU: user + system time of the process over 10 s with the wizard open and nothing
//!   animating, from /proc/<pid>/stat (target < 1 %).
//!
//! Run: `cargo bench --bench tui_startup` (or `--profile dev` to skip the release build).

#[path = "../tests/support/pty.rs"]
mod pty;

use std::time::{Duration, Instant};

const RUNS: usize = 15;

fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 overall, i.e. 11 and 12 after the name and state.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn clock_ticks_per_sec() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

fn spawn(dir: &std::path::Path) -> pty::Pty {
    pty::Pty::spawn(
        env!("CARGO_BIN_EXE_ctctsync"),
        &[],
        &[
            ("CTCTSYNC_DATA_DIR", dir.to_str().unwrap()),
            ("CTCTSYNC_USER", "bench"),
        ],
        80,
        24,
    )
}

/// Time from spawn until `needle` is on screen, polling every 0.5 ms.
fn time_to(t: &pty::Pty, needle: &str) -> Duration {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if t.screen().contains(needle) {
            return t.started.elapsed();
        }
        assert!(Instant::now() < deadline, "no {needle:?}:\n{}", t.screen());
        std::thread::sleep(Duration::from_micros(500));
    }
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.1} ms, min {:.1} ms, max {:.1} ms (n={})",
        ms(v[v.len() / 2]),
        ms(v[0]),
        ms(v[v.len() - 1]),
        v.len()
    )
}

fn main() {
    // Warm the page cache (first exec of a fresh binary).
    {
        let dir = tempfile::tempdir().unwrap();
        let mut t = spawn(dir.path());
        time_to(&t, "ctctsync setup");
        t.send(pty::keys::CTRL_C);
        t.wait_exit(Duration::from_secs(5));
    }

    let mut fresh = Vec::new();
    let mut existing = Vec::new();
    let keep = tempfile::tempdir().unwrap();
    for i in 0..RUNS {
        let dir = tempfile::tempdir().unwrap();
        let mut t = spawn(dir.path());
        fresh.push(time_to(&t, "ctctsync setup"));
        t.send(pty::keys::CTRL_C);
        t.wait_exit(Duration::from_secs(5));

        let mut t = spawn(keep.path());
        let d = time_to(&t, "ctctsync setup");
        if i > 0 {
            existing.push(d);
        }
        t.send(pty::keys::CTRL_C);
        t.wait_exit(Duration::from_secs(5));
    }
    println!("tui_startup/first_frame_fresh_store:    {}", stats(fresh));
    println!(
        "tui_startup/first_frame_existing_store: {}",
        stats(existing)
    );

    // Idle CPU over 10 s.
    let dir = tempfile::tempdir().unwrap();
    let mut t = spawn(dir.path());
    time_to(&t, "ctctsync setup");
    std::thread::sleep(Duration::from_secs(1));
    let pid = t.pid().expect("pid");
    let hz = clock_ticks_per_sec();
    let before = cpu_ticks(pid).expect("read /proc/<pid>/stat");
    let window = Duration::from_secs(10);
    let start = Instant::now();
    std::thread::sleep(window);
    let after = cpu_ticks(pid).expect("read /proc/<pid>/stat");
    let secs = start.elapsed().as_secs_f64();
    let cpu = (after - before) as f64 / hz as f64;
    println!(
        "tui_startup/idle_cpu_10s: {:.3} % ({} ticks of 1/{hz} s over {:.1} s; target < 1 %)",
        cpu / secs * 100.0,
        after - before,
        secs
    );
    t.send(pty::keys::CTRL_C);
    t.wait_exit(Duration::from_secs(5));
}

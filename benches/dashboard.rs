//! Dashboard benchmark: a store with 100,000 contacts and 1,000,000 interactions.
//!
//! Measures, through the dashboard's real update → query → render path (queries answered by the
//! UI's own worker function on a read-only connection, frames drawn into a ratatui TestBackend
//! at 120×40):
//! - opening a contact's Constant Contact tab (three queries + one frame), p50/p99;
//! - each scroll step on that tab (one frame, plus a keyset query when a window boundary is
//!   crossed), on a typical contact and on one with 20,000 interactions;
//! - filtering the Contacts table, per keystroke (one query + one frame);
//! - idle CPU of the real binary showing the dashboard in a pseudo-terminal, over 10 s,
//!   from /proc/<pid>/stat.
//!
//! `cargo bench --bench dashboard` (release). Prints figures; asserts nothing.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ctctsync::config;
use ctctsync::store::rusqlite::params;
use ctctsync::store::{self, Store, credentials, users};
use ctctsync::tui::action::Action;
use ctctsync::tui::dashboard::contact::{ContactView, Section};
use ctctsync::tui::dashboard::{Clock, DashboardScreen, Tab};
use ctctsync::tui::effect::Effect;
use ctctsync::tui::screen::{Screen, ScreenEvent};
use ctctsync::tui::theme::Theme;
use ctctsync::tui::worker;

#[path = "../tests/support/pty.rs"]
mod pty;

const CONTACTS: i64 = 100_000;
const INTERACTIONS: i64 = 1_000_000;
const HEAVY: i64 = 20_000;

const FIRST: [&str; 20] = [
    "Ada",
    "Alan",
    "Grace",
    "Marie",
    "Emmy",
    "Carl",
    "Rosalind",
    "Niels",
    "Lise",
    "Enrico",
    "Dorothy",
    "Richard",
    "Barbara",
    "Edsger",
    "Katherine",
    "Claude",
    "Hedy",
    "John",
    "Sophie",
    "Tim",
];
const LAST: [&str; 25] = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Curie",
    "Noether",
    "Gauss",
    "Franklin",
    "Bohr",
    "Meitner",
    "Fermi",
    "Hodgkin",
    "Feynman",
    "Liskov",
    "Dijkstra",
    "Johnson",
    "Shannon",
    "Lamarr",
    "Neumann",
    "Germain",
    "Berners-Lee",
    "Smith",
    "Garcia",
    "Nguyen",
    "Okafor",
    "Tanaka",
];

fn build(dir: &std::path::Path) -> Store {
    let store = Store::open_in(dir).expect("store");
    let mut conn = store.connect().expect("conn");
    let t = Instant::now();
    let tx = store::write_tx(&mut conn).expect("tx");
    config::set(&tx, "schedule.timezone", "America/New_York").expect("tz");
    config::set(
        &tx,
        "ctct.client_id",
        "5a1d0b6e-3c8f-4e2a-9d71-0c5b8e4f2a93",
    )
    .expect("id");
    for k in [
        ctctsync::setup::KEY_PROVIDER_CONFIRMED,
        ctctsync::setup::KEY_REDIRECT_CONFIRMED,
        ctctsync::setup::KEY_REMOTE_SITES_OK,
    ] {
        store::settings::set(&tx, k, "true").expect("flag");
    }
    users::upsert(&tx, "bench", "Bench").expect("user");
    users::set_permission(&tx, "bench", true).expect("perm");
    credentials::save_login(
        &tx,
        &credentials::Tokens {
            access_token: "at".into(),
            access_expires_at: "2099-01-01T00:00:00Z".into(),
            refresh_token: Some("rt".into()),
            scopes: Some(config::DEFAULT_SCOPES.into()),
            token_url: None,
        },
        Some("Bench Advisors"),
        None,
    )
    .expect("login");
    {
        let mut cl = tx
            .prepare("INSERT INTO clients (id, name, name_key, kind, created_at, updated_at) VALUES (?1, ?2, ?3, 'household', 'x', 'x')")
            .expect("prep");
        for i in 1..=CONTACTS / 3 + 1 {
            let name = format!("{} household {i}", LAST[(i % 25) as usize]);
            cl.execute(params![i, name, name.to_lowercase()])
                .expect("client");
        }
        let mut ct = tx
            .prepare(
                "INSERT INTO contacts (id, client_id, first_name, last_name, email, email_norm, do_not_email,
                   ctct_id, ctct_status, last_activity_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, 'implicit', '2026-11-30T12:00:00Z', 'x', 'x')",
            )
            .expect("prep");
        for i in 1..=CONTACTS {
            let f = FIRST[(i % 20) as usize];
            let l = LAST[((i / 20) % 25) as usize];
            let email = format!("{}.{}{i}@example.com", f.to_lowercase(), l.to_lowercase());
            ct.execute(params![
                i,
                1 + (i - 1) / 3,
                f,
                l,
                email,
                i % 17 == 0,
                format!("ct-{i}")
            ])
            .expect("contact");
        }
        let mut camp = tx
            .prepare("INSERT INTO campaign_activities (campaign_activity_id, name, synced_at) VALUES (?1, ?2, 'x')")
            .expect("prep");
        for c in 0..60 {
            camp.execute(params![format!("a-{c}"), format!("Newsletter {c}")])
                .expect("camp");
        }
        let mut it = tx
            .prepare(
                "INSERT INTO interactions (contact_id, ctct_contact_id, campaign_activity_id, kind, occurred_at, link_url)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .expect("prep");
        let kinds = [
            "em_sends",
            "em_opens",
            "em_clicks",
            "em_opens",
            "em_sends",
            "em_bounces",
            "em_forwards",
            "em_sends",
            "em_opens",
            "em_optouts",
        ];
        let base = Utc
            .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
            .single()
            .expect("time");
        // Contact 1 is heavy; the rest share the remainder (9 or 10 each).
        let mut n = 0i64;
        let mut put = |contact: i64, j: i64| {
            let kind = kinds[(j % 10) as usize];
            let t = base + chrono::Duration::minutes(j * 37 + contact % 1000);
            let link = if kind == "em_clicks" {
                format!("https://example.com/l/{j}")
            } else {
                String::new()
            };
            it.execute(params![
                contact,
                format!("ct-{contact}"),
                format!("a-{}", j % 60),
                kind,
                store::time::fmt_ms(t),
                link
            ])
            .expect("interaction");
        };
        for j in 0..HEAVY {
            put(1, j);
            n += 1;
        }
        let per = (INTERACTIONS - HEAVY) as f64 / (CONTACTS - 1) as f64;
        let mut acc = 0.0;
        for c in 2..=CONTACTS {
            acc += per;
            let k = acc.floor() as i64;
            acc -= k as f64;
            for j in 0..k {
                put(c, j);
                n += 1;
            }
        }
        println!("built {CONTACTS} contacts and {n} interactions");
    }
    tx.commit().expect("commit");
    conn.execute_batch("ANALYZE").expect("analyze");
    println!("store built in {:.1} s", t.elapsed().as_secs_f64());
    store
}

/// Runs the screen's queries synchronously on `conn` (as the query worker would).
fn drive(screen: &mut DashboardScreen, conn: &store::rusqlite::Connection, effects: Vec<Effect>) {
    let mut queue: std::collections::VecDeque<Effect> = effects.into();
    while let Some(e) = queue.pop_front() {
        if let Effect::Query { generation, query } = e {
            let reply = worker::run_query(conn, generation, query);
            queue.extend(screen.update(ScreenEvent::Reply(reply)));
        }
    }
}

fn frame(term: &mut Terminal<TestBackend>, screen: &DashboardScreen) {
    let theme = Theme::default();
    term.draw(|f| screen.render(f.area(), f.buffer_mut(), &theme))
        .expect("draw");
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

fn report(name: &str, mut v: Vec<Duration>) {
    let n = v.len();
    println!(
        "{name:<44} n={n:<6} p50 {:>7.3} ms   p99 {:>7.3} ms   max {:>7.3} ms",
        pct(&mut v, 0.5),
        pct(&mut v, 0.99),
        pct(&mut v, 1.0)
    );
}

fn idle_cpu(dir: &std::path::Path) {
    let bin = env!("CARGO_BIN_EXE_ctctsync");
    let d = dir.to_string_lossy().to_string();
    let mut t = pty::Pty::spawn(
        bin,
        &["--user", "bench"],
        &[("CTCTSYNC_DATA_DIR", d.as_str())],
        120,
        40,
    );
    t.wait_for("API requests today");
    let Some(pid) = t.pid() else {
        println!("idle CPU: no pid");
        return;
    };
    std::thread::sleep(Duration::from_secs(2));
    let ticks = || -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let rest = s.rsplit_once(')')?.1;
        let f: Vec<&str> = rest.split_whitespace().collect();
        Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
    };
    let (Some(a), t0) = (ticks(), Instant::now()) else {
        return;
    };
    std::thread::sleep(Duration::from_secs(10));
    let Some(b) = ticks() else { return };
    let secs = t0.elapsed().as_secs_f64();
    // Linux reports in clock ticks of 1/100 s.
    let cpu = (b - a) as f64 / 100.0 / secs * 100.0;
    println!(
        "idle CPU of the dashboard (real binary, pty, {secs:.1} s): {cpu:.2} %  ({} ticks)",
        b - a
    );
    t.send("q");
    let _ = t.wait_exit(Duration::from_secs(5));
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = build(dir.path());
    let conn = store.connect_read_only().expect("ro");
    let now = Utc
        .with_ymd_and_hms(2026, 12, 3, 19, 0, 0)
        .single()
        .expect("now");
    let mut screen = DashboardScreen::with_clock("bench", Clock::Fixed(now));
    let fx = screen.init();
    drive(&mut screen, &conn, fx);
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("term");
    frame(&mut term, &screen);

    // Opening a contact's Constant Contact tab.
    let mut open = Vec::new();
    let mut rng: u64 = 0x9e3779b97f4a7c15;
    for _ in 0..500 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let id = 2 + (rng % (CONTACTS as u64 - 1)) as i64;
        let t = Instant::now();
        screen.tab = Tab::Contacts;
        let mut v = ContactView::new(id);
        v.section = Section::Activity;
        let fx = v.open(&mut screen.sh);
        screen.contact = Some(v);
        drive(&mut screen, &conn, fx);
        frame(&mut term, &screen);
        open.push(t.elapsed());
    }
    report("open a contact's Constant Contact tab", open);

    // Scrolling: a typical contact (≈10 rows) and the heavy one (20,000 rows, crossing windows).
    for (name, id, steps) in [
        ("scroll step, typical contact", 4242i64, 200usize),
        ("scroll step, 20,000-interaction contact", 1, 3000),
    ] {
        let mut v = ContactView::new(id);
        v.section = Section::Activity;
        let fx = v.open(&mut screen.sh);
        screen.contact = Some(v);
        drive(&mut screen, &conn, fx);
        frame(&mut term, &screen);
        let mut steps_t = Vec::new();
        for i in 0..steps {
            let a = if i < steps * 2 / 3 {
                Action::Down
            } else {
                Action::Up
            };
            let t = Instant::now();
            let fx = screen.update(ScreenEvent::Action(a));
            drive(&mut screen, &conn, fx);
            frame(&mut term, &screen);
            steps_t.push(t.elapsed());
        }
        report(name, steps_t);
    }
    let mut pages = Vec::new();
    for i in 0..300 {
        let a = if i < 200 {
            Action::NextPage
        } else {
            Action::PrevPage
        };
        let t = Instant::now();
        let fx = screen.update(ScreenEvent::Action(a));
        drive(&mut screen, &conn, fx);
        frame(&mut term, &screen);
        pages.push(t.elapsed());
    }
    report("page step (PgDn/PgUp), 20,000-interaction contact", pages);

    // Filtering the contacts table as one types.
    screen.contact = None;
    let fx = screen.update(ScreenEvent::Action(Action::GoTab(2)));
    drive(&mut screen, &conn, fx);
    let mut keys = Vec::new();
    let words = [
        "lovelace",
        "ada.turing123",
        "hopper",
        "smith",
        "noether9999@",
        "zzzq",
        "ana",
        "tanaka",
        "qx",
        "e",
        // The Name column's own "Last, First" form, including a short last-name part.
        "lovelace, ada",
        "n, p",
    ];
    let mut worst_words = Vec::new();
    for w in words {
        let fx = screen.update(ScreenEvent::Action(Action::Filter));
        drive(&mut screen, &conn, fx);
        let mut worst = (Duration::ZERO, String::new());
        let mut typed = String::new();
        let strokes = w
            .chars()
            .map(|c| (KeyCode::Char(c), Some(c)))
            .chain(w.chars().map(|_| (KeyCode::Backspace, None)));
        for (code, ch) in strokes {
            match ch {
                Some(c) => typed.push(c),
                None => {
                    typed.pop();
                }
            }
            let t = Instant::now();
            let fx = screen.update(ScreenEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)));
            drive(&mut screen, &conn, fx);
            frame(&mut term, &screen);
            let e = t.elapsed();
            if e > worst.0 {
                worst = (e, typed.clone());
            }
            keys.push(e);
        }
        worst_words.push(format!(
            "{:?} {:.1} ms",
            worst.1,
            worst.0.as_secs_f64() * 1000.0
        ));
        let fx = screen.update(ScreenEvent::Action(Action::Confirm));
        drive(&mut screen, &conn, fx);
    }
    report("filter contacts, per keystroke (type + erase)", keys);
    println!(
        "  slowest keystroke per word (filter after it): {}",
        worst_words.join(", ")
    );

    drop(conn);
    idle_cpu(dir.path());
}

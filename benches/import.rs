//! Benchmark: import a 100,000-row CRM export (households, organizations, accents, some rows
//! without email) into a fresh store, then re-import it (nothing changes). Prints rows/s.
//! Target: the whole file in under 5 s.
//!
//! Run: `cargo bench --bench import`

use std::io::Write;
use std::time::Instant;

use ctctsync::import::{ImportOptions, import_contacts_file};
use ctctsync::store::Store;

const ROWS: usize = 100_000;

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("crm.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
    w.write_all(b"\xef\xbb\xbfContact ID,First Name,Last Name,Preferred Email,Account Name,Account Type,Email Opt Out,Phone\r\n")
        .expect("write");
    let firsts = [
        "Zoë", "Liam", "José", "D'Arcy", "Ann", "美咲", "Øyvind", "Chloé",
    ];
    let lasts = [
        "O'Brien",
        "Núñez",
        "Smith",
        "佐藤",
        "Lee",
        "García-López",
        "Müller",
    ];
    for i in 0..ROWS {
        let f = firsts[i % firsts.len()];
        let l = lasts[i % lasts.len()];
        let email = if i % 50 == 0 {
            String::new()
        } else {
            format!("user{i}+crm@example.com")
        };
        let (client, kind) = if i % 7 == 0 {
            (format!("\"Company {}, Inc.\"", i / 20), "Organization")
        } else {
            (format!("{l} Household {}", i / 3), "Household")
        };
        writeln!(
            w,
            "C{i:06},{f},{l},{email},{client},{kind},{},555-{i:04}\r",
            if i % 13 == 0 { "true" } else { "false" }
        )
        .expect("write");
    }
    w.flush().expect("flush");
    drop(w);

    let store = Store::open_in(dir.path().join("data")).expect("store");
    let t = Instant::now();
    let r = import_contacts_file(&store, &file, ImportOptions::default()).expect("import");
    let first = t.elapsed();
    assert_eq!(r.inserted as usize, ROWS, "{:?}", r.problems.first());
    let t = Instant::now();
    let again = import_contacts_file(&store, &file, ImportOptions::default()).expect("re-import");
    let second = t.elapsed();
    assert_eq!(again.unchanged as usize, ROWS);
    println!(
        "import: {ROWS} rows in {:.2} s = {:.0} rows/s (target: < 5 s); {} clients",
        first.as_secs_f64(),
        ROWS as f64 / first.as_secs_f64(),
        r.clients_created
    );
    println!(
        "re-import (no changes): {ROWS} rows in {:.2} s = {:.0} rows/s",
        second.as_secs_f64(),
        ROWS as f64 / second.as_secs_f64()
    );
}

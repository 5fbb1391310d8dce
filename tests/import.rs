//! The CRM importer on good, bad and mixed files, one of them a real CRM export layout
//! (UTF-8 BOM, CRLF, quoted commas and line breaks, accents, apostrophes, CJK).

use std::path::{Path, PathBuf};
use std::process::Command;

use ctctsync::import::{ImportOptions, import_contacts_file};
use ctctsync::store::{Store, clients, contacts};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ctctsync"))
}

#[test]
fn real_crm_export_imports_whole_and_reimport_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_in(dir.path()).expect("store");
    let file = data("crm-export-salesforce.csv");
    let r = import_contacts_file(&store, &file, ImportOptions::default()).expect("import");
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!((r.rows, r.inserted, r.skipped), (5, 5, 0));
    assert_eq!(r.without_email, 1);
    assert_eq!(r.clients_created, 4);
    let mapped: Vec<&str> = r.mapped.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(
        mapped,
        [
            "Contact ID",
            "First Name",
            "Last Name",
            "Preferred Email",
            "Account Name",
            "Account Type",
            "Email Opt Out"
        ]
    );
    assert_eq!(r.ignored, ["Mailing Street", "Phone"]);

    let conn = store.connect().expect("connect");
    let jose = contacts::get_by_crm_id(&conn, "003A3")
        .expect("get")
        .expect("José");
    assert_eq!(jose.first_name, "José");
    assert_eq!(jose.last_name, "Núñez-García");
    assert_eq!(jose.email.as_deref(), Some("Jose.Nunez+news@Example.COM"));
    assert!(jose.do_not_email);
    let client = clients::get(&conn, jose.client_id.expect("client"))
        .expect("get")
        .expect("client");
    assert_eq!(client.name, "Núñez Family Trust");
    assert_eq!(client.kind, clients::ClientKind::Organization);
    let darcy = contacts::get_by_crm_id(&conn, "003A4")
        .expect("get")
        .expect("D'Arcy");
    assert_eq!(darcy.first_name, "D'Arcy");
    let acme = clients::get(&conn, darcy.client_id.expect("client"))
        .expect("get")
        .expect("acme");
    assert_eq!(acme.name, "Acme, Inc.");
    let liam = contacts::get_by_crm_id(&conn, "003A2")
        .expect("get")
        .expect("Liam");
    assert_eq!(
        liam.email, None,
        "a contact without email is a valid CRM contact"
    );
    // Matching is case-insensitive on email.
    assert_eq!(
        contacts::find_by_email(&conn, "jose.nunez+news@example.com")
            .expect("find")
            .len(),
        1
    );

    let before: Vec<_> = contacts::page_after(&conn, None, "", 100).expect("page");
    let again = import_contacts_file(&store, &file, ImportOptions::default()).expect("re-import");
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 5));
    assert_eq!(again.clients_created, 0);
    assert_eq!(
        contacts::page_after(&conn, None, "", 100).expect("page"),
        before
    );
}

#[test]
fn mixed_file_imports_good_rows_and_names_each_bad_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bin()
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["import", "contacts"])
        .arg(data("crm-mixed.csv"))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code is 0 only when every row is good\n{stdout}"
    );
    assert!(
        stdout.contains("line 3: email: `bob@@example.com`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line 4: do not email: `perhaps` is not a yes/no value"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line 5: row: has 3 fields but the header has 5"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line 8: email: `ANN@example.com` is also on line 2"),
        "{stdout}"
    );
    assert!(stdout.contains("first → first name"), "{stdout}");
    assert!(stdout.contains("household → client"), "{stdout}");
    let store = Store::open_in(dir.path()).expect("store");
    let conn = store.connect().expect("connect");
    let c = contacts::counts(&conn).expect("counts");
    assert_eq!(c.contacts, 2, "Ann and Eve are imported");
    assert_eq!(c.do_not_email, 1);
}

#[test]
fn bad_file_writes_nothing_and_dry_run_never_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |file: &str, dry: bool| {
        let mut cmd = bin();
        cmd.arg("--data-dir")
            .arg(dir.path())
            .args(["import", "contacts"])
            .arg(data(file));
        if dry {
            cmd.arg("--dry-run");
        }
        cmd.output().expect("run")
    };
    let out = run("crm-bad.csv", false);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout.contains("line 2: Email Address: `not an email` contains a space"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line 3: Email Address: `c@` has no valid domain"),
        "{stdout}"
    );
    let out = run("crm-export-salesforce.csv", true);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Dry run: nothing was written."));
    let store = Store::open_in(dir.path()).expect("store");
    let conn = store.connect().expect("connect");
    assert_eq!(contacts::counts(&conn).expect("counts").contacts, 0);
    assert_eq!(clients::count(&conn).expect("count"), 0);
}

#[test]
fn a_file_without_contact_columns_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("x.csv");
    std::fs::write(&f, "Phone,City\n555,Paris\n").expect("write");
    let out = bin()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["import", "contacts"])
        .arg(&f)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("needs at least First Name / Last Name or Email"),
        "{err}"
    );
    let missing = bin()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["import", "contacts", "/nonexistent/file.csv"])
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(2));
}

//! The command line (clap definitions only; `main.rs` dispatches).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ctctsync",
    version,
    about = "Connect your CRM contacts with Constant Contact — set it up and watch it work in one terminal UI",
    long_about = "ctctsync links a firm's CRM contacts to its Constant Contact account, syncs lists, \
contacts and email engagement (sent, opened, clicked, …) into a local SQLite store, pushes contact \
edits to Constant Contact immediately, and shows it all in a full-screen terminal UI.\n\n\
Run with no subcommand to open the UI: the setup wizard until setup is complete, then the dashboard.",
    after_help = "Examples:\n  ctctsync demo                      try everything against the built-in sandbox\n  \
ctctsync                           open the wizard / dashboard\n  ctctsync run all                   run the three sync jobs now\n  \
ctctsync status --json             machine-readable status"
)]
pub struct Cli {
    /// Where the store and logs live [default: the platform data dir, e.g. ~/.local/share/ctctsync]
    #[arg(long, global = true, env = "CTCTSYNC_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The CRM user running the UI (decides whether Constant Contact tabs show) [default: the OS user]
    #[arg(long, global = true, env = "CTCTSYNC_USER", value_name = "NAME")]
    pub user: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Try the whole product against a local sandbox of Constant Contact
    #[command(after_help = "Example:\n  cargo run --release -- demo")]
    Demo(DemoArgs),

    /// Run the local Constant Contact sandbox (API + OAuth2 server)
    #[command(after_help = "Example:\n  ctctsync sandbox --addr 127.0.0.1:8911 --auto-approve")]
    Sandbox(crate::sandbox::SandboxArgs),

    /// Authorize ctctsync with Constant Contact, check or forget the authorization
    #[command(
        subcommand,
        after_help = "Example:\n  ctctsync auth login --no-browser"
    )]
    Auth(AuthCommand),

    /// Run a sync job now, in the foreground, with a progress line
    #[command(after_help = "Examples:\n  ctctsync run synccontacts\n  ctctsync run all")]
    Run(RunArgs),

    /// Run the scheduler: the three jobs on their schedules, and the push outbox
    #[command(
        after_help = "Example:\n  ctctsync daemon   (see assets/ctctsync.service for systemd)"
    )]
    Daemon(DaemonArgs),

    /// Setup progress, authorization, jobs, counts and file locations
    #[command(after_help = "Example:\n  ctctsync status --json")]
    Status(StatusArgs),

    /// Import CRM data from a file
    #[command(subcommand)]
    Import(ImportCommand),

    /// List and show CRM contacts with their Constant Contact state
    #[command(subcommand)]
    Contacts(ContactsCommand),

    /// Read or change a configuration key
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo's data dir afterwards (it is printed at the end)
    #[arg(long)]
    pub keep: bool,
    /// Complete the Authorize step in the terminal instead of opening a browser
    #[arg(long)]
    pub no_browser: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Open the browser to allow ctctsync access (Authorization Code + PKCE)
    #[command(
        after_help = "Examples:\n  ctctsync auth login\n  ctctsync auth login --no-browser   (SSH: paste the redirected URL)"
    )]
    Login {
        /// Print the URL and read the redirected URL from standard input instead of opening a browser
        #[arg(long)]
        no_browser: bool,
    },
    /// Who ctctsync is authorized as, token expiry, scopes
    #[command(after_help = "Example:\n  ctctsync auth status")]
    Status {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Forget the stored tokens
    #[command(after_help = "Example:\n  ctctsync auth logout")]
    Logout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobArg {
    /// Copy Constant Contact's lists into the store
    Synccontactlists,
    /// Link CRM contacts to Constant Contact contacts by email
    Synccontacts,
    /// Download engagement activities into interactions
    Syncactivities,
    /// All three, in that order
    All,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Which job
    #[arg(value_enum)]
    pub job: JobArg,
}

#[derive(Debug, Args)]
pub struct DaemonArgs {}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Machine-readable output (documented in README)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import contacts and their households / organizations from a CRM CSV export
    #[command(
        after_help = "Examples:\n  ctctsync import contacts export.csv --dry-run\n  ctctsync import contacts export.csv"
    )]
    Contacts {
        /// The CSV file
        file: PathBuf,
        /// Check the file and report, without writing anything
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// List CRM contacts
    #[command(after_help = "Examples:\n  ctctsync contacts list\n  ctctsync contacts list --json")]
    List {
        /// Only contacts whose name or email contains this
        #[arg(long)]
        filter: Option<String>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Show one contact: details, link, lists and Constant Contact activity
    #[command(
        after_help = "Examples:\n  ctctsync contacts show ann@example.com\n  ctctsync contacts show 42 --refresh"
    )]
    Show {
        /// An email, a CRM id, a Constant Contact id or the local number
        email_or_id: String,
        /// Fetch this contact's activity from Constant Contact first
        #[arg(long)]
        refresh: bool,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a key's value (its default when unset)
    #[command(after_help = "Example:\n  ctctsync config get schedule.syncactivities")]
    Get {
        /// The key (see `ctctsync config list`)
        key: String,
    },
    /// Set a key; a VALUE of `-` reads it from standard input (for secrets)
    #[command(
        after_help = "Examples:\n  ctctsync config set schedule.timezone America/New_York\n  ctctsync config set ctct.client_secret -   (then paste, Enter)"
    )]
    Set {
        /// The key (see `ctctsync config list`)
        key: String,
        /// The value, or `-` to read standard input
        value: String,
    },
    /// Every key with its value and what it is for
    #[command(after_help = "Example:\n  ctctsync config list")]
    List,
}

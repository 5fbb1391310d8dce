//! CRM files → store. Today: contacts with their households / organizations from a CSV export.

pub mod contacts;
pub mod headers;

pub use contacts::{
    ImportOptions, ImportReport, Problem, import_contacts_file, import_contacts_reader,
};

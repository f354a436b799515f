//! arxiv-daily: an incremental, searchable archive of arXiv's daily announcements.
//!
//! The pipeline reads as the tree: `source` turns bytes (RSS feeds, legacy report folders, OAI-PMH
//! pages, Kaggle lines) into `model` values; `ingest` is the only module that writes, committing each
//! batch to the SQLite `store` (the source of truth) and then to the Tantivy `index` (derived, always
//! rebuildable); readers open the archive through `archive` (the one read path), and `report` and
//! `index` answer the queries; `cli` is the thin command-line front.

#![warn(unreachable_pub)]

pub mod archive;
pub mod atom;
pub mod bibtex;
pub mod cli;
pub mod config;
pub mod digest;
pub(crate) mod files;
pub mod index;
pub mod ingest;
pub mod legacy_format;
pub mod library;
pub mod model;
pub mod recommend;
pub mod report;
pub(crate) mod retry;
pub mod serve;
pub mod site;
pub mod source;
pub(crate) mod sqlite;
pub mod store;
pub(crate) mod textarchive;
pub(crate) mod views;

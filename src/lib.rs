//! arxiv-daily: an incremental, searchable archive of arXiv's daily announcements.
//!
//! The pipeline reads as the tree: `source` turns bytes (RSS feeds, legacy report folders, OAI-PMH
//! pages, Kaggle lines) into `model` values; `ingest` is the only module that writes the archive,
//! committing each batch to the SQLite `store` (the source of truth) and then to the Tantivy
//! `index` (derived, always rebuildable); readers open the archive through `archive` (the one read
//! path), and `report`, `index`, `recommend` and `views` answer the queries. Beside the archive,
//! `library` keeps the reader's own tags in its own SQLite file, with the rules of importing into
//! it; `digest` mails a tag's new recommendations and decides what counts as sent; `serve` is the
//! web reader and JSON API, `site` writes the same pages as a static site, `textarchive` the
//! archive as text.
//!
//! The library never sees the command line: the binary (`src/main.rs` and its `cli` module) owns
//! it, parses the arguments and prints; what it calls here is public, the rest `pub(crate)`.

#![warn(unreachable_pub)]

pub mod archive;
pub mod atom;
pub mod bibtex;
pub mod config;
pub mod digest;
pub mod embed;
pub mod files;
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
pub mod textarchive;
pub mod views;

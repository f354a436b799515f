//! Integration tests: the built binary on fixtures the tests write themselves, a real SQLite file
//! and a real Tantivy index in a temporary archive, and HTTP through a server on 127.0.0.1.

mod api_fetch;
mod backfill;
mod browser;
mod cli;
mod compat;
mod crash;
mod determinism;
mod discovery;
mod embed;
mod fixtures;
mod ingest;
mod init;
mod layout;
mod legacy;
mod library;
mod mcp;
mod reliability;
mod report_repo;
mod router;
mod search;
mod serve;
mod shared;
mod site;
mod text_archive;
mod util;
mod web_library;

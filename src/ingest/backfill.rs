//! Bulk history: the OAI-PMH harvester (resumable: a checkpoint is written in the same
//! transaction as each page's records) and the Kaggle snapshot import (streamed, parsed in
//! parallel, written in large batches). Both file each version under its estimated listing day:
//! v1 as `new` in the primary category and `cross` in the others, later versions as `replace` and
//! `replace-cross`.

use std::io::BufRead;
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::Session;
use crate::model::{AnnounceType, Day, Provenance};
use crate::source::http::PoliteClient;
use crate::source::{Record, SourceError, kaggle, oai};
use crate::store::text::PackedText;
use crate::store::{Checkpoint, ListingRow, WriteStats, Writer};

/// Stores records as papers, snapshots and estimated listings.
/// `packed` optionally carries each record's abstract already packed. With `days`, only versions
/// whose estimated listing day falls inside it are listed, and only records with one are stored.
fn store_records(
    w: &mut Writer<'_>,
    records: &[Record],
    packed: Option<&[PackedText]>,
    provenance: Provenance,
    days: Option<(Day, Day)>,
) -> crate::store::Result<()> {
    let inside = |day: Day| days.is_none_or(|(from, to)| from <= day && day <= to);
    for (i, r) in records.iter().enumerate() {
        // The snapshot is filed under its first listed day inside the days filled; a record
        // with none there is not stored at all, so a harvest never touches another day.
        let Some(first_day) = r.versions.iter().map(|(_, d)| *d).find(|d| inside(*d)) else {
            continue;
        };
        let pid = w.paper(&r.id)?;
        let sid = w.snapshot_packed(pid, &r.snapshot, first_day, packed.and_then(|p| p.get(i)))?;
        for (i, (_, day)) in r.versions.iter().enumerate() {
            if !inside(*day) {
                continue;
            }
            for (c, category) in r.snapshot.categories.iter().enumerate() {
                let announce_type = match (i == 0, c == 0) {
                    (true, true) => AnnounceType::New,
                    (true, false) => AnnounceType::Cross,
                    (false, true) => AnnounceType::Replace,
                    (false, false) => AnnounceType::ReplaceCross,
                };
                w.add_listing(
                    *day,
                    category,
                    provenance,
                    ListingRow {
                        pid,
                        sid,
                        announce_type: Some(announce_type),
                    },
                )?;
            }
        }
    }
    Ok(())
}

/// The OAI request of a window.
#[derive(Debug, Clone)]
pub struct Window {
    pub base_url: String,
    pub set: String,
    /// First and last datestamp day.
    pub from: String,
    pub until: String,
    pub format: String,
    /// The announcement days to fill: versions estimated to be listed outside them are not
    /// listed. A window of datestamps holds papers first listed long before it (their latest
    /// version is recent), so without this a harvest would write partial days anywhere.
    pub days: Option<(Day, Day)>,
}

impl Window {
    /// The checkpoint's key: the same request, the same key.
    fn key(&self) -> String {
        let mut key = format!("{} {} {} {}", self.set, self.from, self.until, self.format);
        if let Some((from, to)) = self.days {
            key.push_str(&format!(" days {from}..{to}"));
        }
        key
    }

    /// How far `datestamp` is through the window, 0..=1.
    fn fraction(&self, datestamp: &str) -> Option<f64> {
        let day = |s: &str| {
            crate::model::Day::parse(s.get(..10)?)
                .ok()
                .map(|d| d.date())
        };
        let (from, until, at) = (day(&self.from)?, day(&self.until)?, day(datestamp)?);
        let total = (until - from).get_days() as f64 + 1.0;
        let done = (at - from).get_days() as f64 + 1.0;
        Some((done / total).clamp(0.0, 1.0))
    }

    fn url(&self, token: Option<&str>, from: &str) -> Result<String, SourceError> {
        let mut url = reqwest::Url::parse(&self.base_url).map_err(|e| SourceError::Http {
            url: self.base_url.clone(),
            message: format!("not a URL: {e}"),
        })?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("verb", "ListRecords");
            match token {
                Some(t) => {
                    q.append_pair("resumptionToken", t);
                }
                None => {
                    q.append_pair("metadataPrefix", &self.format);
                    if !self.set.is_empty() {
                        q.append_pair("set", &self.set);
                    }
                    q.append_pair("from", from);
                    q.append_pair("until", &self.until);
                }
            }
        }
        Ok(url.to_string())
    }
}

/// What a harvest did.
#[derive(Debug, Default, Serialize)]
pub struct HarvestSummary {
    pub set: String,
    pub skipped_done: bool,
    pub pages: u64,
    pub records: u64,
    pub deleted: u64,
    pub restarts: u64,
    pub retries: u64,
    pub seconds: f64,
    /// Records that could not be read: kept in the archive (`doctor` lists them), named on
    /// stderr, and skipped, so that the harvest goes on.
    pub rejected: u64,
    #[serde(flatten)]
    pub stats: WriteStats,
}

/// Harvests one window to its end, resuming from its checkpoint.
pub fn harvest(
    archive: &mut Session<'_>,
    client: &mut PoliteClient,
    window: &Window,
    force: bool,
    mut progress: impl FnMut(u64, Option<f64>),
) -> anyhow::Result<HarvestSummary> {
    let started = Instant::now();
    let key = window.key();
    let mut summary = HarvestSummary {
        set: window.set.clone(),
        ..HarvestSummary::default()
    };
    let (mut token, mut last_datestamp) = match archive.store.read().checkpoint(&key)? {
        Some(c) if c.done && !force => {
            summary.skipped_done = true;
            return Ok(summary);
        }
        Some(c) if !force => (c.resumption, c.last_datestamp),
        _ => (None, None),
    };
    let mut from = window.from.clone();
    if token.is_none()
        && let Some(last) = &last_datestamp
    {
        // A harvest stopped between pages without a token to resume: restart from the newest
        // stored datestamp (records are idempotent).
        from = last.clone();
    }
    loop {
        let url = window.url(token.as_deref(), &from)?;
        let page = fetch_page(client, &url)?;
        if let Some((code, message)) = &page.error {
            match code.as_str() {
                "noRecordsMatch" => {
                    let end = Checkpoint {
                        resumption: None,
                        last_datestamp: last_datestamp.clone(),
                        done: true,
                    };
                    checkpoint_page(archive, &key, &oai::Page::default(), &url, &end, None)?;
                    break;
                }
                "badResumptionToken" => {
                    summary.restarts += 1;
                    anyhow::ensure!(
                        summary.restarts <= 5,
                        "{url}: the server keeps refusing resumption tokens ({message})"
                    );
                    from = last_datestamp
                        .clone()
                        .unwrap_or_else(|| window.from.clone());
                    token = None;
                    continue;
                }
                _ => anyhow::bail!("{url}: OAI-PMH error {code}: {message}"),
            }
        }
        if let Some(max) = page
            .records
            .iter()
            .filter_map(|r| r.datestamp.clone())
            .max()
            && last_datestamp.as_ref().is_none_or(|l| &max > l)
        {
            last_datestamp = Some(max);
        }
        let done = page.token.is_none();
        for r in &page.rejected {
            eprintln!(
                "arxiv-daily: warning: {url}: rejected record {}: {} (kept in the archive; `doctor` lists it, `backfill --retry-rejected` reads it again)",
                r.identifier, r.reason
            );
        }
        let position = Checkpoint {
            resumption: page.token.clone(),
            last_datestamp: last_datestamp.clone(),
            done,
        };
        let stats = checkpoint_page(archive, &key, &page, &url, &position, window.days)?;
        summary.rejected += page.rejected.len() as u64;
        summary.stats.add(&stats);
        summary.pages += 1;
        summary.records += page.records.len() as u64;
        summary.deleted += page.deleted;
        // Records come roughly in datestamp order, so the newest datestamp tells how far through
        // the window we are (the new server gives no total).
        progress(
            summary.records,
            last_datestamp.as_deref().and_then(|d| window.fraction(d)),
        );
        if done {
            break;
        }
        token = page.token;
    }
    summary.retries = client.stats.retries;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The checkpoint key that says a day missing from the ledger was harvested for `set` by a
/// catch-up (`backfill --missing`), so that a day without announcements (a holiday) is asked
/// for once, not on every run.
fn catch_up_key(set: &str, day: Day) -> String {
    format!("{set} catch-up {day}")
}

/// Whether a catch-up already harvested `day` for `set`.
pub fn caught_up(reads: &crate::store::Reads<'_>, set: &str, day: Day) -> anyhow::Result<bool> {
    Ok(reads
        .checkpoint(&catch_up_key(set, day))?
        .is_some_and(|c| c.done))
}

/// Records that a catch-up harvested `days` for `set` (in one transaction).
pub fn mark_caught_up(archive: &mut Session<'_>, set: &str, days: &[Day]) -> anyhow::Result<()> {
    let mut w = archive.store.writer()?;
    let done = Checkpoint {
        resumption: None,
        last_datestamp: None,
        done: true,
    };
    for day in days {
        w.save_checkpoint(&catch_up_key(set, *day), &done, 0)?;
    }
    w.commit()?;
    Ok(())
}

/// Fetches and parses a page, retrying a few times when the body is not a whole OAI document.
fn fetch_page(client: &mut PoliteClient, url: &str) -> anyhow::Result<oai::Page> {
    let mut last_err = None;
    for _ in 0..3 {
        let body = client.get(url)?;
        match oai::parse(&body.text, url) {
            Ok(page) => return Ok(page),
            Err(e) => {
                client.stats.retries += 1;
                last_err = Some(e);
            }
        }
    }
    Err(last_err
        .map(anyhow::Error::from)
        .unwrap_or_else(|| anyhow::anyhow!("{url}: no response")))
}

/// One transaction: the page's records, its rejected records and the checkpoint that says they
/// are stored.
fn checkpoint_page(
    archive: &mut Session<'_>,
    key: &str,
    page: &oai::Page,
    url: &str,
    position: &Checkpoint,
    days: Option<(Day, Day)>,
) -> anyhow::Result<WriteStats> {
    let mut w = archive.store.writer()?;
    store_records(&mut w, &page.records, None, Provenance::OaiEstimate, days)?;
    for r in &page.records {
        // A record read now that was rejected before (a retry, or arXiv fixed it).
        w.forget_rejected(&format!("oai:arXiv.org:{}", r.id.as_str()))?;
        w.forget_rejected(r.id.as_str())?;
    }
    for r in &page.rejected {
        w.reject(&r.identifier, &r.reason, &r.raw_xml, url)?;
    }
    w.save_checkpoint(key, position, page.records.len() as u64)?;
    Ok(w.commit()?)
}

/// What `backfill --retry-rejected` did.
#[derive(Debug, Default, Serialize)]
pub struct RetrySummary {
    /// Rejected records read again.
    pub tried: u64,
    /// Records that are now stored.
    pub stored: u64,
    /// Records still rejected (with the current reason).
    pub rejected: u64,
    #[serde(flatten)]
    pub stats: WriteStats,
}

/// Reads every rejected record again from its kept XML with this version's parser, in one
/// transaction: those that parse now are stored as a harvested page would store them.
pub fn retry_rejected(archive: &mut Session<'_>) -> anyhow::Result<RetrySummary> {
    let rejected = archive.store.read().rejected_records()?;
    let mut summary = RetrySummary {
        tried: rejected.len() as u64,
        ..RetrySummary::default()
    };
    let mut w = archive.store.writer()?;
    for r in &rejected {
        let envelope = format!(
            "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><ListRecords>{}</ListRecords></OAI-PMH>",
            r.raw_xml
        );
        let location = format!("rejected record {}", r.identifier);
        let page = oai::parse(&envelope, &location)?;
        if page.records.is_empty() {
            let reason = page
                .rejected
                .first()
                .map_or("no record in the kept XML", |x| x.reason.as_str());
            eprintln!(
                "arxiv-daily: warning: {}: still rejected: {reason}",
                r.identifier
            );
            summary.rejected += 1;
            continue;
        }
        store_records(&mut w, &page.records, None, Provenance::OaiEstimate, None)?;
        w.forget_rejected(&r.identifier)?;
        summary.stored += page.records.len() as u64;
    }
    summary.stats = w.commit()?;
    Ok(summary)
}

/// What a Kaggle import did.
#[derive(Debug, Default, Serialize)]
pub struct KaggleSummary {
    pub lines: u64,
    pub records: u64,
    pub malformed: u64,
    pub seconds: f64,
    #[serde(flatten)]
    pub stats: WriteStats,
    pub errors: Vec<String>,
}

/// A reader that counts the bytes it has read.
struct Counting<R> {
    inner: R,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Lines per batch: one transaction and one parallel parse each.
const KAGGLE_BATCH: usize = 20_000;

/// The batch size: `KAGGLE_BATCH`, or `ARXIV_DAILY_KAGGLE_BATCH` (undocumented: the tests use it
/// to show that the archive's outputs do not depend on how it was batched).
fn kaggle_batch() -> usize {
    std::env::var("ARXIV_DAILY_KAGGLE_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(KAGGLE_BATCH)
}

/// Imports a Kaggle snapshot (plain or .gz), streaming it. `progress` gets the bytes of the file
/// read so far.
pub fn import_kaggle(
    archive: &mut Session<'_>,
    path: &Path,
    progress: impl FnMut(u64),
) -> anyhow::Result<KaggleSummary> {
    Ok(archive
        .with_index_follower(
            "the papers are stored in the archive",
            |archive, committed| import_kaggle_with(archive, path, progress, committed),
        )?
        .0)
}

fn import_kaggle_with(
    archive: &mut Session<'_>,
    path: &Path,
    mut progress: impl FnMut(u64),
    notify: impl Fn(i64),
) -> anyhow::Result<KaggleSummary> {
    let started = Instant::now();
    let location = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| super::IngestError::Read {
        location: location.clone(),
        source,
    })?;
    // Progress counts the bytes read from the file (compressed or not), so the bar has an end.
    let read_bytes = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let file = Counting {
        inner: file,
        count: read_bytes.clone(),
    };
    let reader: Box<dyn std::io::Read> = if location.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 20, reader);
    let mut summary = KaggleSummary::default();
    let batch_size = kaggle_batch();
    let mut batch: Vec<(u64, String)> = Vec::with_capacity(batch_size);
    let mut line_no = 0u64;
    loop {
        let mut buf = Vec::new();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|source| super::IngestError::Line {
                location: location.clone(),
                line: line_no + 1,
                source,
            })?;
        if n > 0 {
            line_no += 1;
            let torn = buf.last() != Some(&b'\n');
            let text = String::from_utf8_lossy(&buf).trim().to_string();
            if !text.is_empty() {
                if torn && serde_json::from_str::<serde_json::Value>(&text).is_err() {
                    summary.malformed += 1;
                    summary.errors.push(format!(
                        "{location}:{line_no}: the last line is cut off (torn write?); skipped"
                    ));
                } else {
                    batch.push((line_no, text));
                }
            }
        }
        if batch.len() >= batch_size || (n == 0 && !batch.is_empty()) {
            // Parse and pack the abstracts in parallel; the writer thread only writes.
            let parsed: Vec<Result<(Record, PackedText), SourceError>> = batch
                .par_iter()
                .map(|(no, t)| {
                    kaggle::parse_line(t, &location, *no).map(|r| {
                        let packed = PackedText::pack(&r.snapshot.abstract_text);
                        (r, packed)
                    })
                })
                .collect();
            summary.lines += batch.len() as u64;
            batch.clear();
            let mut records = Vec::with_capacity(parsed.len());
            let mut packed = Vec::with_capacity(parsed.len());
            for p in parsed {
                match p {
                    Ok((r, v)) => {
                        records.push(r);
                        packed.push(v);
                    }
                    Err(e) => {
                        summary.malformed += 1;
                        if summary.errors.len() < 100 {
                            summary.errors.push(e.to_string());
                        }
                    }
                }
            }
            let mut w = archive.store.writer()?;
            let seq = w.seq();
            store_records(
                &mut w,
                &records,
                Some(&packed),
                Provenance::KaggleEstimate,
                None,
            )?;
            let stats = w.commit()?;
            if stats.changed() {
                notify(seq);
            }
            summary.stats.add(&stats);
            summary.records += records.len() as u64;
            progress(read_bytes.load(std::sync::atomic::Ordering::Relaxed));
        }
        if n == 0 {
            break;
        }
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

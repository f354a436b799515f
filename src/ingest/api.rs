//! Papers the archive lacks, fetched by id from arXiv's API (`source::api`) and stored as papers
//! with their snapshot and no listing: they were not announced on an archived day, so no day
//! shows them, but `show`, search and the recommender's reads of saved papers find them.
//!
//! Each request's papers are committed in one transaction, so a kill loses at most the batch in
//! flight, and a rerun asks only for what is still missing. The archive is opened for writing
//! only once arXiv has answered: asking while offline never creates or locks an archive.

use std::collections::HashSet;

use serde::Serialize;

use super::{Session, Writer};
use crate::archive::{Location, Reader};
use crate::model::ArxivId;
use crate::source::SourceError;
use crate::source::api::{self, Feed};
use crate::source::http::PoliteClient;

/// What a fetch did with the ids it was given.
#[derive(Debug, Default, Serialize)]
pub struct Fetched {
    /// Ids the archive held already (nothing asked).
    pub held: usize,
    /// Ids fetched and stored.
    pub fetched: Vec<String>,
    /// Ids arXiv left out of its answer: it does not know them.
    pub unknown: Vec<String>,
    /// Ids not asked for because arXiv could not be reached (`unreachable` says why): the
    /// archive still lacks them.
    pub waiting: Vec<String>,
    pub unreachable: Option<String>,
    /// Entries of arXiv's answers that could not be read: (id as written, why).
    pub rejected: Vec<(String, String)>,
    pub requests: u64,
    /// Papers indexed (search finds them).
    pub indexed: u64,
}

/// The ids of `ids` the archive at `loc` lacks, each once, in the order given (all of them
/// when there is no archive).
pub fn missing(loc: &Location, ids: &[ArxivId]) -> anyhow::Result<Vec<ArxivId>> {
    let mut seen = HashSet::new();
    let unique: Vec<ArxivId> = ids
        .iter()
        .filter(|id| seen.insert(id.as_str().to_string()))
        .cloned()
        .collect();
    if !loc.db_path().is_file() {
        return Ok(unique);
    }
    Reader::open(loc)?.read(|r| {
        let mut out = Vec::new();
        for id in unique {
            if !r.has_paper(id.as_str())? {
                out.push(id);
            }
        }
        Ok(out)
    })
}

/// How one request ended.
enum Answer {
    Feed(Feed),
    /// arXiv could not be reached (the network, a timeout, 5xx or 429 after the client's
    /// retries): the ids wait for the next fetch.
    Unreachable(String),
}

fn ask(client: &mut PoliteClient, base: &str, ids: &[ArxivId]) -> anyhow::Result<Answer> {
    let url = api::query_url(base, ids);
    match client.get(&url) {
        Ok(body) => {
            let feed = api::parse(&body.text, &url)?;
            if let Some(why) = &feed.error {
                anyhow::bail!("{url}: arXiv's API refused the request: {why}");
            }
            Ok(Answer::Feed(feed))
        }
        // A 4xx other than 429 is the request's own fault: asking again later cannot help.
        Err(SourceError::Http { message, .. })
            if !message.starts_with("HTTP 4") || message.starts_with("HTTP 429") =>
        {
            Ok(Answer::Unreachable(format!("{url}: {message}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// Stores one answer's papers (those asked for) in one transaction; notes what came back.
fn store(
    session: &mut Session<'_>,
    asked: &[ArxivId],
    feed: Feed,
    out: &mut Fetched,
) -> anyhow::Result<()> {
    let wanted: HashSet<&str> = asked.iter().map(ArxivId::as_str).collect();
    let mut answered = HashSet::new();
    let mut w = session.store.writer()?;
    for r in &feed.records {
        if !wanted.contains(r.id.as_str()) || !answered.insert(r.id.as_str().to_string()) {
            continue;
        }
        // Seen on the day its version was (most likely) first listed, as a harvest files it.
        let Some(&(_, day)) = r.versions.last() else {
            continue;
        };
        let pid = w.paper(&r.id)?;
        w.snapshot(pid, &r.snapshot, day)?;
        out.fetched.push(r.id.as_str().to_string());
    }
    w.commit()?;
    for (written, why) in feed.rejected {
        if let Ok(id) = ArxivId::parse(&written) {
            answered.insert(id.as_str().to_string());
        }
        out.rejected.push((written, why));
    }
    out.unknown.extend(
        asked
            .iter()
            .filter(|id| !answered.contains(id.as_str()))
            .map(|id| id.as_str().to_string()),
    );
    Ok(())
}

/// Fetches the papers of `ids` the archive lacks, `batch` ids a request, and stores them. An
/// arXiv that cannot be reached is not an error: the ids left are returned as waiting. With
/// `catch_up`, an existing archive is opened for writing even when nothing is asked (its index
/// catches up with what an earlier, killed fetch committed).
pub fn fetch(
    loc: &Location,
    wait: bool,
    client: &mut PoliteClient,
    base: &str,
    ids: &[ArxivId],
    batch: usize,
    catch_up: bool,
) -> anyhow::Result<Fetched> {
    let missing = missing(loc, ids)?;
    let mut out = Fetched {
        held: ids
            .iter()
            .map(ArxivId::as_str)
            .collect::<HashSet<_>>()
            .len()
            - missing.len(),
        ..Fetched::default()
    };
    let mut batches = missing.chunks(batch.clamp(1, api::MAX_BATCH));
    let first = match batches.next() {
        Some(chunk) => {
            out.requests += 1;
            match ask(client, base, chunk)? {
                Answer::Feed(feed) => Some((chunk, feed)),
                Answer::Unreachable(why) => {
                    out.waiting = missing.iter().map(|i| i.as_str().to_string()).collect();
                    out.unreachable = Some(why);
                    None
                }
            }
        }
        None => None,
    };
    if first.is_none() && !(catch_up && loc.db_path().is_file()) {
        return Ok(out);
    }
    let mut writer = Writer::open(loc, wait)?;
    let written = writer.write(false, |session| {
        if let Some((chunk, feed)) = first {
            store(session, chunk, feed, &mut out)?;
        }
        while let Some(chunk) = batches.next() {
            out.requests += 1;
            match ask(client, base, chunk)? {
                Answer::Feed(feed) => store(session, chunk, feed, &mut out)?,
                Answer::Unreachable(why) => {
                    out.waiting = chunk
                        .iter()
                        .chain(batches.by_ref().flatten())
                        .map(|i| i.as_str().to_string())
                        .collect();
                    out.unreachable = Some(why);
                    break;
                }
            }
        }
        Ok(())
    })?;
    out.indexed = written.indexed;
    Ok(out)
}

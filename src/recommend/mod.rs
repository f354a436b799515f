//! Recommendations: the papers of some days ranked for a reader, by a model of each tag learned
//! from its saved papers (positives), its dismissals and the archive's other papers (negatives),
//! each paper under its best tag, with the words that weigh most for it.
//!
//! A tag's model is trained on the papers it has to tell apart: the tag's papers, the days'
//! listing and the papers listed on the days before (`Params::background` of them), whose vocabulary and
//! document frequencies the features use. Reading those is what a recommendation costs, so it
//! stays the same at any archive size. Same library and archive, same bytes: every order is
//! fixed and nothing is sampled at random.

pub mod features;
pub mod model;

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;

use crate::archive::Reads;
use crate::embed::vectors::Matrix;
use crate::library::TagPapers;
use crate::model::Day;
use crate::store::PaperText;
use features::{Features, Vector};
use model::{Model, Params};

/// Why-words shown per paper.
const WHY: usize = 5;

/// A tag with fewer saved papers in the archive than this is still learning: its model has
/// little to go on, and its scores run high on papers that share a few rare words with one
/// saved paper. Beside other tags it takes at most a share of a ranking that grows with its
/// papers (see `cap_learning`).
pub const LEARNING: usize = 5;

/// Which papers to rank.
#[derive(Debug, Clone)]
pub struct Request {
    pub from: Day,
    pub to: Day,
    pub category: Option<String>,
    pub limit: usize,
}

/// One recommended paper (`recommend --json`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Recommendation {
    pub id: String,
    pub title: String,
    pub authors: String,
    pub first_announced: Option<Day>,
    pub tag: String,
    /// How far above the background papers the paper scores for the tag, in their standard
    /// deviations (comparable across tags).
    pub score: f32,
    /// The paper's words that weigh most in the tag's model, strongest first.
    pub why: Vec<String>,
    /// The tag has fewer than [`LEARNING`] saved papers in the archive.
    pub still_learning: bool,
    #[serde(skip)]
    pub abstract_text: String,
}

/// What went wrong recommending. The cause stays the error's source.
#[derive(Debug, thiserror::Error)]
pub enum RecommendError {
    /// The library (its tags and papers) could not be read, or names no such tag.
    #[error(transparent)]
    Library(#[from] crate::library::LibraryError),
    /// The archive could not be read.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The days asked for end before they start.
    #[error(transparent)]
    Range(#[from] BackwardRange),
}

pub type Result<T, E = RecommendError> = std::result::Result<T, E>;

/// The reader's tags as the models read them, and the papers never to recommend (everything in
/// the library).
#[derive(Debug, Clone, Default)]
pub struct Interests {
    pub tags: Vec<(String, TagPapers)>,
    pub exclude: HashSet<String>,
}

impl Interests {
    /// The interests of a library: every tag, or those named.
    pub fn of(library: &crate::library::Library, only: &[String]) -> Result<Interests> {
        // The tags named, as stored (a tag is named in any case).
        let mut named = Vec::new();
        for name in only {
            match library.tag_name(name)? {
                Some(stored) => named.push(stored),
                None => return Err(crate::library::LibraryError::NoTag(name.clone()).into()),
            }
        }
        let mut tags = Vec::new();
        for t in library.tags()? {
            if named.is_empty() || named.contains(&t.tag) {
                let papers = library.tag_papers(&t.tag)?;
                tags.push((t.tag, papers));
            }
        }
        Ok(Interests {
            tags,
            exclude: library.all_ids()?,
        })
    }
}

/// The meaning signal of recommendations: an embedding model's vectors of the archive and, per
/// described tag, its description's vector by the same model.
pub struct Meaning<'a> {
    vectors: &'a Matrix,
    descriptions: HashMap<String, Vec<f32>>,
    /// Why the descriptions count by their words only: the model failed on them.
    pub failed: Option<crate::embed::EmbedError>,
}

impl<'a> Meaning<'a> {
    /// `vectors` and the descriptions of `interests`' tags embedded by `model` (one request for
    /// all of them). Without a model, or when it fails (`failed` says why: the caller warns), a
    /// description counts by its words only.
    pub fn new(
        vectors: &'a Matrix,
        model: Option<&dyn crate::embed::Embedder>,
        interests: &Interests,
    ) -> Meaning<'a> {
        let described: Vec<(&str, &str)> = interests
            .tags
            .iter()
            .filter_map(|(t, p)| Some((t.as_str(), p.description.as_deref()?)))
            .collect();
        let mut descriptions = HashMap::new();
        let mut failed = None;
        if let (Some(model), false) = (model, described.is_empty()) {
            let texts: Vec<&str> = described.iter().map(|d| d.1).collect();
            match model.embed(&texts) {
                Ok(vs) => {
                    for ((tag, _), v) in described.iter().zip(vs) {
                        descriptions.insert(tag.to_string(), crate::embed::normalized(v));
                    }
                }
                Err(e) => failed = Some(e),
            }
        }
        Meaning {
            vectors,
            descriptions,
            failed,
        }
    }

    /// A tag's direction in the model's space: its saved papers' vectors (the newer weighing
    /// more, as in the words' similarity part) and its description's, counted as `described`
    /// papers; scaled on `scale_ids` (the papers it has to tell apart); weighing less the more
    /// papers (`saved`, those in the archive) the words learn from. `None` when the tag has
    /// neither a vector of a saved paper nor of a description.
    fn tag(
        &self,
        tag: &str,
        papers: &TagPapers,
        saved: usize,
        scale_ids: &[&str],
        params: Params,
    ) -> Option<TagMeaning> {
        let saved_ids: Vec<&str> = papers.saved.iter().map(String::as_str).collect();
        let got = self.vectors.rows_of(&saved_ids);
        let rows: Vec<&[f32]> = papers
            .saved
            .iter()
            .filter_map(|id| got.get(id.as_str()).map(|v| v.as_ref()))
            .collect();
        let description = self.descriptions.get(tag);
        if rows.is_empty() && description.is_none() {
            return None;
        }
        let weights = model::recency_weights(rows.len(), params.recency);
        let mut direction = vec![0f32; self.vectors.dim()];
        for (row, w) in rows.iter().zip(&weights) {
            for (d, x) in direction.iter_mut().zip(*row) {
                *d += w * x;
            }
        }
        if let Some(v) = description {
            for (d, x) in direction.iter_mut().zip(v) {
                *d += params.described * x;
            }
        }
        let direction = crate::embed::normalized(direction);
        let scale_rows = self.vectors.rows_of(scale_ids);
        let cosines: Vec<f32> = scale_ids
            .iter()
            .filter_map(|id| Some(crate::embed::dot(&direction, scale_rows.get(*id)?)))
            .collect();
        let scale = model::mean_std(cosines.iter().copied());
        let weight = params.meaning / (1.0 + saved as f32 / params.meaning_knee.max(1e-3));
        Some(TagMeaning {
            direction,
            scale,
            weight,
        })
    }
}

/// One tag's meaning part: its direction, the scale of the cosines to it, and its weight.
struct TagMeaning {
    direction: Vec<f32>,
    scale: (f32, f32),
    weight: f32,
}

impl TagMeaning {
    /// How far above the tag's papers to tell apart the paper's cosine is, in their standard
    /// deviations; 0 (their mean) for a paper without a vector.
    fn z(&self, row: Option<&[f32]>) -> f32 {
        row.map_or(0.0, |r| {
            (crate::embed::dot(&self.direction, r) - self.scale.0) / self.scale.1
        })
    }
}

/// A paper's text, inflated.
struct Text {
    id: String,
    title: String,
    abstract_text: String,
    authors: String,
    first_announced: Option<Day>,
}

fn inflate(papers: Vec<PaperText>) -> crate::store::Result<Vec<Text>> {
    papers
        .into_par_iter()
        .map(|p| {
            Ok(Text {
                abstract_text: p.abstract_text.into_text()?,
                id: p.id,
                title: p.title,
                authors: p.authors,
                first_announced: p.first_announced,
            })
        })
        .collect()
}

/// What the features read of a paper: its title, abstract and authors.
fn document(t: &Text) -> String {
    format!("{} {} {}", t.title, t.abstract_text, t.authors)
}

/// The papers listed on `req`'s days, less the library's, ranked for `interests`: each paper
/// under the tag it scores best for, the best first (ties in listing order), by the words and,
/// given `meaning`, by the embedding model's vectors too. Tags with neither a saved paper in the
/// archive nor a description rank nothing.
pub fn recommend(
    reads: &Reads<'_>,
    interests: &Interests,
    req: &Request,
    meaning: Option<&Meaning<'_>>,
) -> Result<Vec<Recommendation>> {
    let candidates: Vec<PaperText> = reads
        .listed_between(req.from, req.to, req.category.as_deref())?
        .into_iter()
        .filter(|p| !interests.exclude.contains(&p.id))
        .collect();
    if candidates.is_empty() || interests.tags.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<String> = Vec::new();
    for (_, papers) in &interests.tags {
        ids.extend(papers.saved.iter().cloned());
        ids.extend(papers.dismissed.iter().cloned());
    }
    let mut seen = HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    let candidates = inflate(candidates)?;
    let tagged = inflate(reads.paper_texts(&ids)?)?;
    let background: Vec<Text> =
        inflate(reads.listed_before(req.from, Params::default().background)?)?
            .into_iter()
            .filter(|t| !seen.contains(&t.id))
            .collect();
    Ok(rank(
        &candidates,
        &tagged,
        &background,
        interests,
        req.limit,
        meaning,
    ))
}

fn rank(
    candidates: &[Text],
    tagged: &[Text],
    background: &[Text],
    interests: &Interests,
    limit: usize,
    meaning: Option<&Meaning<'_>>,
) -> Vec<Recommendation> {
    // One vocabulary for every tag: the tagged papers, the descriptions, the background and the
    // candidates.
    let described: HashMap<&str, usize> = interests
        .tags
        .iter()
        .filter(|(_, p)| p.description.is_some())
        .enumerate()
        .map(|(i, (t, _))| (t.as_str(), i))
        .collect();
    let docs: Vec<String> = tagged
        .iter()
        .map(document)
        .chain(
            interests
                .tags
                .iter()
                .filter_map(|(_, p)| p.description.clone()),
        )
        .chain(background.iter().chain(candidates).map(document))
        .collect();
    let (features, vectors) = Features::fit(&docs);
    let (tv, rest) = vectors.split_at(tagged.len());
    let (dv, rest) = rest.split_at(described.len());
    let (bv, cv) = rest.split_at(background.len());
    // The papers a tag's meaning is scaled on: the background and the candidates.
    let scale_ids: Vec<&str> = background
        .iter()
        .chain(candidates)
        .map(|t| t.id.as_str())
        .collect();
    let tagged_at: HashMap<&str, usize> = tagged
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let params = Params::default();
    // Per tag: the tag's model, its meaning part, and its saved papers in the archive.
    let models: Vec<(&str, Model, Option<TagMeaning>, usize)> = interests
        .tags
        .par_iter()
        .filter_map(|(tag, papers)| {
            let pick = |ids: &[String]| -> Vec<&Vector> {
                ids.iter()
                    .filter_map(|id| tagged_at.get(id.as_str()).map(|&i| &tv[i]))
                    .collect()
            };
            let mut positives = pick(&papers.saved);
            let saved = positives.len();
            // The description is the newest word of the reader on the tag.
            if let Some(&d) = described.get(tag.as_str()) {
                positives.insert(0, &dv[d]);
            }
            if positives.is_empty() {
                return None;
            }
            let dismissed = pick(&papers.dismissed);
            // The other tags' papers are background to this one, as the archive's are.
            let mine: HashSet<&str> = papers
                .saved
                .iter()
                .chain(&papers.dismissed)
                .map(String::as_str)
                .collect();
            let negatives: Vec<&Vector> = tagged
                .iter()
                .zip(tv)
                .filter(|(t, _)| !mine.contains(t.id.as_str()))
                .map(|(_, v)| v)
                .chain(bv)
                .chain(cv)
                .collect();
            Some((
                tag.as_str(),
                Model::train(&features, &positives, &negatives, &dismissed, params),
                meaning.and_then(|m| m.tag(tag, papers, saved, &scale_ids, params)),
                saved,
            ))
        })
        .collect();
    if models.is_empty() {
        return Vec::new();
    }
    // The candidates' vectors, read at once (a graph-backed matrix reads them from its file).
    let candidate_rows = meaning.map(|m| {
        let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
        m.vectors.rows_of(&ids)
    });
    let mut best: Vec<(usize, f32, usize)> = cv
        .par_iter()
        .enumerate()
        .map(|(i, v)| {
            let mut top = (0usize, f32::NEG_INFINITY);
            let row = candidate_rows
                .as_ref()
                .and_then(|r| r.get(candidates[i].id.as_str()))
                .map(|v| v.as_ref());
            for (m, (_, model, sense, _)) in models.iter().enumerate() {
                let s = match sense {
                    Some(sense) => {
                        (model.score(v) + sense.weight * sense.z(row)) / (1.0 + sense.weight)
                    }
                    None => model.score(v),
                };
                if s > top.1 {
                    top = (m, s);
                }
            }
            (i, top.1, top.0)
        })
        .collect();
    best.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let saved: Vec<usize> = models.iter().map(|m| m.3).collect();
    cap_learning(&mut best, &saved, limit);
    best.into_iter()
        .map(|(i, score, m)| {
            let c = &candidates[i];
            let (tag, model, _, learned) = &models[m];
            let mut why = model.why(&features, &cv[i], WHY, &c.authors);
            let saved = interests
                .tags
                .iter()
                .find(|(t, _)| t == tag)
                .map(|(_, p)| p.saved.as_slice())
                .unwrap_or_default();
            let saved_authors = saved
                .iter()
                .filter_map(|id| tagged_at.get(id.as_str()))
                .map(|&t| tagged[t].authors.as_str());
            if let Some(reason) = model::author_reason(&c.authors, saved_authors) {
                why.insert(0, reason);
                why.truncate(WHY);
            }
            Recommendation {
                id: c.id.clone(),
                title: c.title.clone(),
                authors: c.authors.clone(),
                first_announced: c.first_announced,
                tag: tag.to_string(),
                score: (score * 1000.0).round() / 1000.0,
                why,
                still_learning: *learned < LEARNING,
                abstract_text: c.abstract_text.clone(),
            }
        })
        .collect()
}

/// Cuts `best` (candidate, score, tag index; best first) to `limit`. Beside other tags, a tag
/// still learning (`saved[tag]` papers, fewer than [`LEARNING`]) takes at most its even share
/// of the list (`limit` over the tags) scaled by how far it has learned (`saved / LEARNING`),
/// and at least one: a 1-paper tag's scores run high on papers that share a rare word with its
/// one paper, and would otherwise flood the all-tags list.
fn cap_learning(best: &mut Vec<(usize, f32, usize)>, saved: &[usize], limit: usize) {
    if saved.len() > 1 {
        let cap = |n: usize| (limit * n).div_ceil(LEARNING * saved.len()).max(1);
        let mut taken = vec![0usize; saved.len()];
        best.retain(|&(_, _, m)| {
            if saved[m] < LEARNING && taken[m] >= cap(saved[m]) {
                return false;
            }
            taken[m] += 1;
            true
        });
    }
    best.truncate(limit);
}

/// The days to rank: `from..=to` as given; `days` archived days ending at `to`; by default the
/// newest archived day. `None` when the archive lists nothing.
pub fn days(
    reads: &Reads<'_>,
    from: Option<Day>,
    to: Option<Day>,
    days: Option<usize>,
) -> Result<Option<(Day, Day)>> {
    let newest = reads.newest_listed_day()?;
    let to_is_newest = to.is_none();
    let Some(to) = to.or(newest) else {
        return Ok(None);
    };
    let from = match (from, days) {
        (Some(f), _) => f,
        (None, Some(n)) => reads.listed_days_back(to, n.max(1))?.unwrap_or(to),
        (None, None) => to,
    };
    if from > to {
        return Err(BackwardRange {
            from,
            to,
            to_is_newest,
        }
        .into());
    }
    Ok(Some((from, to)))
}

/// Days asked for that end before they start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("--from {from} is after {}", if *.to_is_newest { format!("the newest listed day, {to}") } else { format!("--to {to}") })]
pub struct BackwardRange {
    pub from: Day,
    pub to: Day,
    /// `to` was not given: the newest listed day.
    pub to_is_newest: bool,
}

/// One paper's neighbours by the recommender's engine: a model with the paper as its only
/// positive and the archive's latest papers (and the candidates) as background, over
/// `candidates` (papers the index found sharing its rarest words). Returns (index into
/// `candidates`, score, why-words), best first (ties in the candidates' order).
pub fn rerank_similar(
    reads: &Reads<'_>,
    source: &str,
    candidates: &[String],
) -> Result<Vec<(usize, f32, Vec<String>)>> {
    let Some(src) = inflate(reads.paper_texts(&[source.to_string()])?)?.pop() else {
        return Ok(Vec::new());
    };
    let cands = inflate(reads.paper_texts(candidates)?)?;
    let at: HashMap<&str, usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let newest = reads.newest_listed_day()?.map(Day::succ);
    let background: Vec<Text> = match newest {
        // A fifth of a tag's background: one paper's neighbours are asked for on every paper
        // page, and the proposals themselves are most of what the model must tell apart.
        Some(d) => inflate(reads.listed_before(d, Params::default().background / 5)?)?,
        None => Vec::new(),
    }
    .into_iter()
    .filter(|t| t.id != src.id && !at.contains_key(t.id.as_str()))
    .collect();
    let docs: Vec<String> = std::iter::once(&src)
        .chain(&background)
        .chain(&cands)
        .map(document)
        .collect();
    let (features, vectors) = Features::fit(&docs);
    let (sv, rest) = vectors.split_at(1);
    let (bv, cv) = rest.split_at(background.len());
    let negatives: Vec<&Vector> = bv.iter().chain(cv).collect();
    let model = Model::train(&features, &[&sv[0]], &negatives, &[], Params::default());
    let mut out: Vec<(usize, f32, Vec<String>)> = cands
        .iter()
        .zip(cv)
        .filter_map(|(c, v)| {
            let i = *at.get(c.id.as_str())?;
            Some((i, model.score(v), model.why(&features, v, WHY, &c.authors)))
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(out)
}

/// The tag under which `about` files its papers.
pub const ABOUT: &str = "about";

/// Today's papers for a sentence, without a tag: the papers listed in `req`'s days (less
/// `exclude`), ranked by the cosine of their vector (`meaning`: an embedding model's vectors) and
/// `vector` (the sentence's, by the same model). The score is in standard deviations above the
/// days' papers, as a tag's is above its background; `why`: the sentence's words the paper holds.
/// Papers without a vector are left out (`embed` fills them). Ties in listing order.
pub fn about(
    reads: &Reads<'_>,
    sentence: &str,
    vector: &[f32],
    meaning: &crate::embed::vectors::Matrix,
    exclude: &HashSet<String>,
    req: &Request,
) -> Result<Vec<Recommendation>> {
    let candidates: Vec<PaperText> = reads
        .listed_between(req.from, req.to, req.category.as_deref())?
        .into_iter()
        .filter(|p| !exclude.contains(&p.id) && meaning.row(&p.id).is_some())
        .collect();
    let cosines: Vec<f32> = candidates
        .iter()
        .map(|p| meaning.cosine(vector, &p.id).unwrap_or(0.0))
        .collect();
    let n = cosines.len().max(1) as f32;
    let mean = cosines.iter().sum::<f32>() / n;
    let sd = (cosines.iter().map(|c| (c - mean) * (c - mean)).sum::<f32>() / n)
        .sqrt()
        .max(1e-6);
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| cosines[b].total_cmp(&cosines[a]).then(a.cmp(&b)));
    order.truncate(req.limit);
    let chosen: Vec<PaperText> = {
        let mut slots: Vec<Option<PaperText>> = candidates.into_iter().map(Some).collect();
        order.iter().filter_map(|&i| slots[i].take()).collect()
    };
    let words: Vec<String> = sentence
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() > 3 && !features::is_stop_word(w))
        .collect();
    Ok(inflate(chosen)?
        .into_iter()
        .zip(order)
        .map(|(t, i)| {
            let text = format!("{} {}", t.title, t.abstract_text).to_lowercase();
            let mut why: Vec<String> = Vec::new();
            for w in &words {
                if text.contains(w.as_str()) && !why.contains(w) && why.len() < WHY {
                    why.push(w.clone());
                }
            }
            Recommendation {
                id: t.id,
                title: t.title,
                authors: t.authors,
                first_announced: t.first_announced,
                tag: ABOUT.to_string(),
                score: ((cosines[i] - mean) / sd * 1000.0).round() / 1000.0,
                why,
                still_learning: false,
                abstract_text: t.abstract_text,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::cap_learning;

    #[test]
    fn a_tag_still_learning_takes_at_most_its_share_beside_others() {
        // Tag 1 (one saved paper) scores highest on eight papers; tag 0 (twenty saved) has
        // eight lower ones.
        let ranked = || -> Vec<(usize, f32, usize)> {
            (0..8)
                .map(|i| (i, 9.0 - i as f32, 1))
                .chain((8..16).map(|i| (i, 3.0 - i as f32 / 10.0, 0)))
                .collect()
        };
        let mut best = ranked();
        cap_learning(&mut best, &[20, 1], 10);
        let tags: Vec<usize> = best.iter().map(|b| b.2).collect();
        // Its share of ten beside one other tag is five; one paper of five earns it one.
        assert_eq!(tags, [1, 0, 0, 0, 0, 0, 0, 0, 0]);
        // Four saved papers earn four of ten.
        let mut best = ranked();
        cap_learning(&mut best, &[20, 4], 10);
        assert_eq!(best.iter().filter(|b| b.2 == 1).count(), 4);
        // Alone, or learned, it keeps the whole list.
        let mut alone: Vec<(usize, f32, usize)> = (0..6).map(|i| (i, 9.0, 0)).collect();
        cap_learning(&mut alone, &[1], 4);
        assert_eq!(alone.len(), 4);
        let mut grown = ranked();
        cap_learning(&mut grown, &[20, 5], 10);
        assert_eq!(grown.iter().filter(|b| b.2 == 1).count(), 8);
    }
}

//! Sentence embeddings: meaning beside the words.
//!
//! A model turns a paper's title and abstract into a unit vector; papers whose vectors point the
//! same way are about the same thing, whatever words they use. Two kinds of model stand behind one
//! [`Embedder`]:
//!
//! - [`local`]: a sentence-transformers model in Hugging Face layout (config.json,
//!   model.safetensors, tokenizer.json, 1_Pooling/config.json) run in process on the CPU by our
//!   own BERT forward pass ([`bert`]);
//! - [`endpoint`]: an OpenAI-compatible `/v1/embeddings` server (Ollama, llama.cpp, TEI, vLLM, a
//!   hosted API), for a GPU box or all of arXiv.
//!
//! Vectors are derived data, like the search index: they live in [`vectors`], one SQLite file per
//! model identity beside the archive (never in its tables nor in its export), and [`fill`] makes
//! them again from the archive at any time. Each stored vector remembers a hash of the text it was
//! made from, so a paper whose title or abstract changes is embedded again.

pub mod ann;
mod bert;
pub mod endpoint;
pub mod hub;
pub mod hybrid;
pub mod local;
pub mod vectors;

use std::path::{Path, PathBuf};

use crate::archive::Reader;
use crate::config::Config;
pub use vectors::Vectors;

/// What can go wrong while embedding.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The model folder is missing a file or holds one that cannot be read.
    #[error("{path}: {message}")]
    Model { path: String, message: String },
    /// The model failed on a text (a token the tokenizer gave that the model does not have, or
    /// the tokenizer's own error, kept as its text).
    #[error("the model failed: {0}")]
    Run(String),
    /// The embeddings server answered with an error or something else than embeddings.
    #[error("{url}: {message}")]
    Endpoint { url: String, message: String },
    #[error("{path}: {source}")]
    Store {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Archive(#[from] anyhow::Error),
}

pub type Result<T, E = EmbedError> = std::result::Result<T, E>;

/// A sentence-embedding model.
pub trait Embedder: Send + Sync {
    /// What makes its vectors comparable: two models with the same identity give the same
    /// vector for the same text. Names the vectors' file (see [`vectors::file_name`]).
    fn identity(&self) -> &str;
    /// The vectors' dimension.
    fn dim(&self) -> usize;
    /// One unit vector (L2 norm 1) per text, in order.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
}

/// Where the configured model comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSource {
    /// A model folder in Hugging Face layout, run in process.
    Local(PathBuf),
    /// A Hugging Face Hub model id not fetched yet: `open` fetches it into `cache` (the data
    /// folder) and runs it in process.
    Hub { id: String, data_dir: PathBuf },
    /// An OpenAI-compatible embeddings endpoint: its base URL (`http://host:port/v1`) and the
    /// model name it is asked for.
    Endpoint { url: String, model: String },
}

impl ModelSource {
    /// The model to use, in this order: `--model DIR`, `ARXIV_DAILY_MODEL`, the config's
    /// `[embeddings]` (`model = "DIR"`, or `endpoint` and `endpoint_model`). A relative folder in
    /// the config is relative to the data folder. A Hub id (`owner/name`, not a folder) is the
    /// model fetched into the data folder, or to be fetched. `None`: no model is configured.
    pub fn configured(cli: Option<&Path>, config: &Config, data_dir: &Path) -> Option<ModelSource> {
        let named = |p: &Path| match p.to_str().filter(|s| hub::is_model_id(s)) {
            Some(id) => match hub::cached(data_dir, id) {
                Some(dir) => ModelSource::Local(dir),
                None => ModelSource::Hub {
                    id: id.to_string(),
                    data_dir: data_dir.to_path_buf(),
                },
            },
            None => ModelSource::Local(p.to_path_buf()),
        };
        if let Some(dir) = cli {
            return Some(named(dir));
        }
        if let Some(dir) = std::env::var_os("ARXIV_DAILY_MODEL").filter(|v| !v.is_empty()) {
            return Some(named(Path::new(&dir)));
        }
        let e = config.embeddings.as_ref()?;
        if let Some(url) = &e.endpoint {
            return Some(ModelSource::Endpoint {
                url: url.trim_end_matches('/').to_string(),
                model: e.endpoint_model.clone().unwrap_or_default(),
            });
        }
        e.model.as_ref().map(|m| {
            let p = PathBuf::from(m);
            if hub::is_model_id(m) && !data_dir.join(&p).exists() {
                named(&p)
            } else {
                ModelSource::Local(if p.is_relative() { data_dir.join(p) } else { p })
            }
        })
    }

    /// Loads the model (reads the weights, or asks the endpoint once for its dimension).
    pub fn open(&self) -> Result<Box<dyn Embedder>> {
        Ok(match self {
            ModelSource::Local(dir) => Box::new(local::LocalModel::load(dir)?),
            ModelSource::Hub { id, data_dir } => {
                Box::new(local::LocalModel::load(&hub::fetch(data_dir, id)?)?)
            }
            ModelSource::Endpoint { url, model } => {
                Box::new(endpoint::Endpoint::connect(url, model)?)
            }
        })
    }
}

/// The text a paper is embedded from: its title and abstract, as one paragraph.
pub fn paper_text(title: &str, abstract_text: &str) -> String {
    let title = crate::source::unwrap_text(title);
    let abstract_text = crate::source::unwrap_text(abstract_text);
    let title = title.trim().trim_end_matches('.');
    format!("{title}. {}", abstract_text.trim())
}

/// A 64-bit hash of a text (the first 8 bytes of its SHA-256): a stored vector is current when
/// the hash of its paper's text is the one it was made from.
pub fn text_hash(text: &str) -> i64 {
    let d = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d.as_ref()[..8]);
    i64::from_le_bytes(b)
}

/// `v` scaled to length 1 (a zero vector stays zero).
pub fn normalized(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// The dot product (the cosine of unit vectors).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Which papers `fill` embeds: those listed in a range of days (in one category), or all; with
/// `ids`, only those of them.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub from: Option<crate::model::Day>,
    pub to: Option<crate::model::Day>,
    pub category: Option<String>,
    pub ids: Vec<String>,
}

/// What `fill` did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Filled {
    /// Papers embedded now (new, or whose text changed).
    pub embedded: usize,
    /// Papers whose vector was already current.
    pub current: usize,
    /// Seconds spent in the model.
    pub seconds: f64,
}

/// How many papers are embedded and committed at a time: a kill loses at most one batch's work.
pub const FILL_BATCH: usize = 64;

/// Embeds every selected paper of the archive that has no current vector, newest first, each
/// batch of [`FILL_BATCH`] committed on its own: a rerun after Ctrl-C or a kill goes on where it
/// stopped, and embeds no paper twice. `progress(done, todo)` after each batch.
pub fn fill(
    reader: &Reader,
    vectors: &mut Vectors,
    model: &dyn Embedder,
    selection: &Selection,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Filled> {
    let have = vectors.hashes()?;
    let only: std::collections::HashSet<&str> = selection.ids.iter().map(String::as_str).collect();
    let mut todo: Vec<String> = Vec::new();
    let mut current = 0;
    reader.read(|r| {
        r.embed_texts(
            selection.from,
            selection.to,
            selection.category.as_deref(),
            |id, title, abstract_text| {
                if !only.is_empty() && !only.contains(id) {
                    return Ok(());
                }
                let hash = text_hash(&paper_text(title, abstract_text));
                if have.get(id) == Some(&hash) {
                    current += 1;
                } else {
                    todo.push(id.to_string());
                }
                Ok(())
            },
        )?;
        Ok(())
    })?;
    drop(have);
    let mut filled = Filled {
        current,
        ..Filled::default()
    };
    progress(0, todo.len());
    for chunk in todo.chunks(FILL_BATCH) {
        let texts: Vec<(String, String)> = reader.read(|r| {
            r.paper_texts(chunk)?
                .into_iter()
                .map(|p| Ok((p.id, paper_text(&p.title, &p.abstract_text.into_text()?))))
                .collect()
        })?;
        let started = std::time::Instant::now();
        let refs: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
        let vecs = model.embed(&refs)?;
        filled.seconds += started.elapsed().as_secs_f64();
        let rows: Vec<(&str, i64, &[f32])> = texts
            .iter()
            .zip(&vecs)
            .map(|((id, text), v)| (id.as_str(), text_hash(text), v.as_slice()))
            .collect();
        vectors.put(&rows)?;
        filled.embedded += rows.len();
        progress(filled.embedded, todo.len());
    }
    Ok(filled)
}

/// The vectors of the configured model, if one is configured and its vectors exist: for readers
/// (search, similar papers), which never embed the archive themselves.
pub fn open_vectors(reader: &Reader, source: &ModelSource) -> Result<Option<Vectors>> {
    let identity = match source {
        ModelSource::Local(dir) => local::identity_of_folder(dir)?,
        // Not fetched: no vectors of it can exist.
        ModelSource::Hub { .. } => return Ok(None),
        ModelSource::Endpoint { url, model } => endpoint::identity(url, model),
    };
    Vectors::open_existing(reader.dir(), &identity)
}

/// A configured model's vectors, and the model when asked for.
pub type Configured = (Vectors, Option<Box<dyn Embedder>>);

/// The configured model's vectors (`cli`: `--model`, as [`ModelSource::configured`] takes it)
/// and, when `with_model`, the model itself, for the readers (search, similar papers,
/// recommendations). `None`: no model is configured, or it has no vectors yet.
pub fn configured_vectors(
    reader: &Reader,
    cli: Option<&Path>,
    data_dir: &Path,
    with_model: bool,
) -> Result<Option<Configured>> {
    let Some(source) = ModelSource::configured(cli, reader.config(), data_dir) else {
        return Ok(None);
    };
    let Some(vectors) = open_vectors(reader, &source)? else {
        return Ok(None);
    };
    Ok(Some((
        vectors,
        with_model.then(|| source.open()).transpose()?,
    )))
}

/// The vectors of one model beside an archive, as `doctor` reports them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VectorStatus {
    /// The model's identity.
    pub model: String,
    pub vectors: usize,
    /// Papers of the archive without a vector of this model (`embed` fills them).
    pub missing: usize,
}

/// Every model's vectors in the data folder, with how many of the archive's papers lack one.
pub fn status(reader: &Reader) -> Result<Vec<VectorStatus>> {
    let dir = reader.dir().join(vectors::DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let papers = reader.read(|r| Ok(r.paper_ids()?))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sqlite3"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let Some(v) = Vectors::open_file(&path)? else {
            continue;
        };
        let have = v.hashes()?;
        out.push(VectorStatus {
            model: v.identity()?,
            vectors: have.len(),
            missing: papers.iter().filter(|id| !have.contains_key(*id)).count(),
        });
    }
    Ok(out)
}

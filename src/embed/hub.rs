//! A model named by its Hugging Face Hub id (`sentence-transformers/all-MiniLM-L6-v2`), fetched
//! once into the data folder (`models/`, the Hub's own cache layout) through the hf-hub crate,
//! which honours `HF_ENDPOINT` (a mirror, or a test's server on 127.0.0.1) and `HF_TOKEN`.
//! Once fetched, the model is read from there and the network is never asked again.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::{EmbedError, Result};

/// The files a sentence-transformers model is read from: the first three are required.
const FILES: [&str; 6] = [
    "config.json",
    "tokenizer.json",
    "model.safetensors",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "modules.json",
];

/// Whether `s` names a Hub model (`owner/name`, nothing that could be a path of its own) rather
/// than a folder.
pub fn is_model_id(s: &str) -> bool {
    let mut parts = s.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && !p.starts_with('.')
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none() && !Path::new(s).exists()
}

/// The folder the Hub's models are kept in, in a data folder.
pub fn cache_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("models")
}

/// The model's folder if it was fetched already (no network).
pub fn cached(data_dir: &Path, id: &str) -> Option<PathBuf> {
    let repo = hf_hub::Cache::new(cache_dir(data_dir)).model(id.to_string());
    let files: Vec<PathBuf> = FILES[..3]
        .iter()
        .map(|f| repo.get(f))
        .collect::<Option<_>>()?;
    files[0].parent().map(Path::to_path_buf)
}

/// Fetches the model's files (those already there are kept) and returns its folder.
pub fn fetch(data_dir: &Path, id: &str) -> Result<PathBuf> {
    let failed = |file: &str, e: &dyn std::fmt::Display| EmbedError::Model {
        path: format!("{id} ({file})"),
        message: format!("cannot fetch it from the Hugging Face Hub: {e}"),
    };
    let api = hf_hub::api::sync::ApiBuilder::from_env()
        .with_cache_dir(cache_dir(data_dir))
        .with_progress(std::io::stderr().is_terminal())
        .build()
        .map_err(|e| failed("", &e))?;
    let repo = api.model(id.to_string());
    let mut folder = None;
    for (i, file) in FILES.iter().enumerate() {
        match repo.get(file) {
            Ok(path) => {
                if i == 0 {
                    folder = path.parent().map(Path::to_path_buf);
                }
            }
            // The pooling and sentence-transformers configs are optional (defaults apply).
            Err(hf_hub::api::sync::ApiError::RequestError(e))
                if i >= 3 && matches!(*e, ureq::Error::Status(404, _)) => {}
            Err(e) => return Err(failed(file, &e)),
        }
    }
    folder.ok_or_else(|| failed("config.json", &"no folder"))
}

/// The name a fetched model's folder stands for: `owner--name` for the Hub cache's
/// `models--owner--name/snapshots/<commit>`, else `None`.
pub fn name_of_snapshot(dir: &Path) -> Option<String> {
    let parent = dir.parent()?;
    if parent.file_name()? != "snapshots" {
        return None;
    }
    let repo = parent.parent()?.file_name()?.to_str()?;
    repo.strip_prefix("models--").map(str::to_string)
}

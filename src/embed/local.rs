//! A sentence-transformers model run in process on the CPU: the BERT of [`super::bert`] over the
//! weights of model.safetensors, Hugging Face's tokenizer over tokenizer.json, then the pooling
//! that 1_Pooling/config.json names (mean of the tokens, or the first token) and L2
//! normalization, as sentence-transformers does. Texts longer than the model's `max_seq_length`
//! (sentence_bert_config.json) are cut there, as sentence-transformers cuts them.
//!
//! Each text runs at its own length (no padding), one text per core at a time: the cores take
//! the texts longest first, each the next one when it is done, so that they finish together.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use tokenizers::{Tokenizer, TruncationParams};

use super::bert::{Bert, Config, Scratch};
use super::{EmbedError, Embedder, Result};

/// How the token vectors become one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pooling {
    Mean,
    Cls,
}

pub struct LocalModel {
    identity: String,
    model: Bert,
    tokenizer: Tokenizer,
    pooling: Pooling,
    dim: usize,
}

fn model_error(path: &Path, message: impl std::fmt::Display) -> EmbedError {
    EmbedError::Model {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|e| model_error(path, e))?;
    serde_json::from_str(&text).map_err(|e| model_error(path, e))
}

/// The files a model folder must hold.
const REQUIRED: [&str; 3] = ["config.json", "model.safetensors", "tokenizer.json"];

fn check_folder(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(model_error(
            dir,
            "no such model folder (a sentence-transformers model: config.json, model.safetensors, tokenizer.json)",
        ));
    }
    for name in REQUIRED {
        if !dir.join(name).is_file() {
            return Err(model_error(
                dir,
                format!("not a sentence-transformers model folder: {name} is missing"),
            ));
        }
    }
    Ok(())
}

/// The identity of the model in `dir`: its folder's name and a hash of what decides its vectors
/// (the configs, the tokenizer, the weights' header and size, and samples of the weights), so
/// that another model, or the same one changed, never reads this one's vectors. Cheap: it reads
/// a few kilobytes of the weights, not all of them.
pub fn identity_of_folder(dir: &Path) -> Result<String> {
    use std::io::{Read, Seek, SeekFrom};
    check_folder(dir)?;
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for name in [
        "config.json",
        "tokenizer.json",
        "1_Pooling/config.json",
        "sentence_bert_config.json",
    ] {
        let path = dir.join(name);
        if let Ok(bytes) = std::fs::read(&path) {
            ctx.update(name.as_bytes());
            ctx.update(&bytes);
        }
    }
    let weights = dir.join("model.safetensors");
    let mut f = std::fs::File::open(&weights).map_err(|e| model_error(&weights, e))?;
    let size = f.metadata().map_err(|e| model_error(&weights, e))?.len();
    ctx.update(&size.to_le_bytes());
    let mut sample = vec![0u8; 4096];
    for at in [0, size / 3, size / 2, size.saturating_sub(4096)] {
        f.seek(SeekFrom::Start(at))
            .map_err(|e| model_error(&weights, e))?;
        let n = f.read(&mut sample).map_err(|e| model_error(&weights, e))?;
        ctx.update(&sample[..n]);
    }
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| {
            super::hub::name_of_snapshot(&d)
                .or_else(|| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| "model".into());
    Ok(format!(
        "{name}@{}",
        crate::files::hex(&ctx.finish().as_ref()[..6])
    ))
}

impl LocalModel {
    /// Loads the model in `dir` (a sentence-transformers folder).
    pub fn load(dir: &Path) -> Result<LocalModel> {
        let identity = identity_of_folder(dir)?;
        let config_path = dir.join("config.json");
        let config = Config::from_json(&read_json(&config_path)?)
            .map_err(|e| model_error(&config_path, e))?;
        let pooling_path = dir.join("1_Pooling/config.json");
        let pooling = if pooling_path.is_file() {
            let p = read_json(&pooling_path)?;
            if p.get("pooling_mode_cls_token").and_then(|v| v.as_bool()) == Some(true) {
                Pooling::Cls
            } else if p.get("pooling_mode_mean_tokens").and_then(|v| v.as_bool()) == Some(true) {
                Pooling::Mean
            } else {
                return Err(model_error(
                    &pooling_path,
                    "only mean and CLS pooling are supported",
                ));
            }
        } else {
            Pooling::Mean
        };
        let positions = config.positions;
        let st_path = dir.join("sentence_bert_config.json");
        let max_len = if st_path.is_file() {
            read_json(&st_path)?
                .get("max_seq_length")
                .and_then(|v| v.as_u64())
                .map_or(positions, |m| m as usize)
        } else {
            positions
        }
        .min(positions);
        let tokenizer_path = dir.join("tokenizer.json");
        let mut tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| model_error(&tokenizer_path, e))?;
        // Each text at its own length, whatever tokenizer.json says of padding.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_len,
                ..TruncationParams::default()
            }))
            .map_err(|e| model_error(&tokenizer_path, e))?;
        let weights: PathBuf = dir.join("model.safetensors");
        let bytes = std::fs::read(&weights).map_err(|e| model_error(&weights, e))?;
        let model = Bert::load(config, &bytes).map_err(|e| model_error(&weights, e))?;
        Ok(LocalModel {
            identity,
            dim: model.hidden(),
            model,
            tokenizer,
            pooling,
        })
    }

    /// One text's vector, computed in `scratch`.
    fn one(&self, text: &str, scratch: &mut Scratch) -> Result<Vec<f32>> {
        let enc = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| EmbedError::Run(e.to_string()))?;
        let hidden = self
            .model
            .forward(enc.get_ids(), enc.get_type_ids(), scratch)
            .map_err(EmbedError::Run)?;
        let h = self.dim;
        let n = hidden.len() / h;
        if n == 0 {
            return Err(EmbedError::Run(format!(
                "the tokenizer gave no token for {text:?}"
            )));
        }
        let pooled = match self.pooling {
            Pooling::Cls => hidden[..h].to_vec(),
            Pooling::Mean => {
                let mut sum = vec![0f32; h];
                for row in hidden.chunks_exact(h) {
                    sum.iter_mut().zip(row).for_each(|(s, v)| *s += v);
                }
                sum.iter_mut().for_each(|s| *s /= n as f32);
                sum
            }
        };
        Ok(super::normalized(pooled))
    }
}

impl Embedder for LocalModel {
    fn identity(&self) -> &str {
        &self.identity
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        // Longest first (by characters, as sentence-transformers sorts): each core takes the next
        // text when it is done with one, so the last to finish are the shortest.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(texts[i].len()));
        let next = AtomicUsize::new(0);
        let workers = rayon::current_num_threads().clamp(1, texts.len().max(1));
        let done: Vec<Vec<(usize, Result<Vec<f32>>)>> = (0..workers)
            .into_par_iter()
            .with_max_len(1)
            .map(|_| {
                let mut scratch = Scratch::default();
                let mut got = Vec::new();
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    got.push((i, self.one(texts[i], &mut scratch)));
                }
                got
            })
            .collect();
        let mut out = vec![Vec::new(); texts.len()];
        for (i, v) in done.into_iter().flatten() {
            out[i] = v?;
        }
        Ok(out)
    }
}

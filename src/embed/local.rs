//! A sentence-transformers model run in process on the CPU: candle's BERT over the weights of
//! model.safetensors, Hugging Face's tokenizer over tokenizer.json, then the pooling that
//! 1_Pooling/config.json names (mean of the tokens, or the first token) and L2 normalization, as
//! sentence-transformers does. Texts longer than the model's `max_seq_length`
//! (sentence_bert_config.json) are cut there, as sentence-transformers cuts them.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use super::{EmbedError, Embedder, Result};

/// Texts per forward pass: sorted by length first, so that a batch pads little.
const BATCH: usize = 16;

/// How the token vectors become one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pooling {
    Mean,
    Cls,
}

pub struct LocalModel {
    identity: String,
    model: BertModel,
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

fn run_error(e: candle_core::Error) -> EmbedError {
    EmbedError::Run(e.to_string())
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
        let config_json = read_json(&config_path)?;
        let config: Config = serde_json::from_value(config_json.clone())
            .map_err(|e| model_error(&config_path, e))?;
        let dim = config_json
            .get("hidden_size")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| model_error(&config_path, "no hidden_size"))? as usize;
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
        let positions = config_json
            .get("max_position_embeddings")
            .and_then(|v| v.as_u64())
            .unwrap_or(512) as usize;
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
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_len,
                ..TruncationParams::default()
            }))
            .map_err(|e| model_error(&tokenizer_path, e))?;
        let weights: PathBuf = dir.join("model.safetensors");
        let bytes = std::fs::read(&weights).map_err(|e| model_error(&weights, e))?;
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
            .map_err(|e| model_error(&weights, e))?;
        let model = BertModel::load(vb, &config).map_err(|e| model_error(&weights, e))?;
        Ok(LocalModel {
            identity,
            model,
            tokenizer,
            pooling,
            dim,
        })
    }

    fn batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let device = Device::Cpu;
        let enc = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EmbedError::Run(e.to_string()))?;
        let width = enc.first().map_or(0, |e| e.get_ids().len());
        let ids: Vec<u32> = enc.iter().flat_map(|e| e.get_ids().to_vec()).collect();
        let mask: Vec<u32> = enc
            .iter()
            .flat_map(|e| e.get_attention_mask().to_vec())
            .collect();
        let types: Vec<u32> = enc.iter().flat_map(|e| e.get_type_ids().to_vec()).collect();
        let shape = (texts.len(), width);
        let ids = Tensor::from_vec(ids, shape, &device).map_err(run_error)?;
        let mask = Tensor::from_vec(mask, shape, &device).map_err(run_error)?;
        let types = Tensor::from_vec(types, shape, &device).map_err(run_error)?;
        let hidden = self
            .model
            .forward(&ids, &types, Some(&mask))
            .map_err(run_error)?;
        let pooled = match self.pooling {
            Pooling::Cls => hidden.narrow(1, 0, 1).and_then(|t| t.squeeze(1)),
            Pooling::Mean => (|| {
                let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
                let sum = hidden.broadcast_mul(&m)?.sum(1)?;
                sum.broadcast_div(&m.sum(1)?)
            })(),
        }
        .map_err(run_error)?;
        let rows: Vec<Vec<f32>> = pooled.to_vec2().map_err(run_error)?;
        Ok(rows.into_iter().map(super::normalized).collect())
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
        // Longest first (by characters, as sentence-transformers sorts), so that a batch's texts
        // are of about one length and pad little; the vectors go back in the texts' order.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(texts[i].len()));
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            for (&i, v) in chunk.iter().zip(self.batch(&batch)?) {
                out[i] = v;
            }
        }
        Ok(out)
    }
}

//! Sentence embeddings without a download: a tiny BERT the test writes (random weights in
//! safetensors, a WordPiece tokenizer.json), its vectors checked against a BERT computed here
//! independently; an OpenAI-compatible endpoint served on 127.0.0.1; `embed` filling, resuming
//! after kill -9, and the searches by meaning and by both.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};

use crate::util::TestArchive;

const HIDDEN: usize = 16;
const HEADS: usize = 2;
const LAYERS: usize = 2;
const INTERMEDIATE: usize = 32;
const POSITIONS: usize = 40;
/// sentence_bert_config.json's max_seq_length: longer texts are cut.
const MAX_LEN: usize = 24;

const SPECIAL: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const WORDS: [&str; 40] = [
    "graph",
    "neural",
    "network",
    "retrieval",
    "language",
    "model",
    "models",
    "large",
    "search",
    "ranking",
    "robot",
    "robots",
    "legged",
    "walk",
    "rough",
    "ground",
    "learn",
    "to",
    "on",
    "the",
    "a",
    "of",
    "for",
    "and",
    "dense",
    "sparse",
    "query",
    "queries",
    "paper",
    "papers",
    "stereo",
    "depth",
    "matching",
    "images",
    "image",
    "text",
    "vision",
    "speech",
    "audio",
    ".",
];

fn vocab() -> Vec<&'static str> {
    SPECIAL.iter().chain(WORDS.iter()).copied().collect()
}

/// A deterministic pseudo-random generator (xorshift), so the weights are the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.8
    }

    fn vec(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.next()).collect()
    }
}

/// The tiny model's weights by name (shape, values), as the test's BERT reads them.
type Weights = BTreeMap<String, (Vec<usize>, Vec<f32>)>;

fn weights() -> Weights {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut w = Weights::new();
    let mut put = |name: &str, shape: Vec<usize>, rng: &mut Rng| {
        let n = shape.iter().product();
        w.insert(name.to_string(), (shape, rng.vec(n)));
    };
    let v = vocab().len();
    put(
        "embeddings.word_embeddings.weight",
        vec![v, HIDDEN],
        &mut rng,
    );
    put(
        "embeddings.position_embeddings.weight",
        vec![POSITIONS, HIDDEN],
        &mut rng,
    );
    put(
        "embeddings.token_type_embeddings.weight",
        vec![2, HIDDEN],
        &mut rng,
    );
    put("embeddings.LayerNorm.weight", vec![HIDDEN], &mut rng);
    put("embeddings.LayerNorm.bias", vec![HIDDEN], &mut rng);
    for l in 0..LAYERS {
        let p = format!("encoder.layer.{l}");
        for part in [
            "attention.self.query",
            "attention.self.key",
            "attention.self.value",
            "attention.output.dense",
        ] {
            put(
                &format!("{p}.{part}.weight"),
                vec![HIDDEN, HIDDEN],
                &mut rng,
            );
            put(&format!("{p}.{part}.bias"), vec![HIDDEN], &mut rng);
        }
        put(
            &format!("{p}.attention.output.LayerNorm.weight"),
            vec![HIDDEN],
            &mut rng,
        );
        put(
            &format!("{p}.attention.output.LayerNorm.bias"),
            vec![HIDDEN],
            &mut rng,
        );
        put(
            &format!("{p}.intermediate.dense.weight"),
            vec![INTERMEDIATE, HIDDEN],
            &mut rng,
        );
        put(
            &format!("{p}.intermediate.dense.bias"),
            vec![INTERMEDIATE],
            &mut rng,
        );
        put(
            &format!("{p}.output.dense.weight"),
            vec![HIDDEN, INTERMEDIATE],
            &mut rng,
        );
        put(&format!("{p}.output.dense.bias"), vec![HIDDEN], &mut rng);
        put(
            &format!("{p}.output.LayerNorm.weight"),
            vec![HIDDEN],
            &mut rng,
        );
        put(
            &format!("{p}.output.LayerNorm.bias"),
            vec![HIDDEN],
            &mut rng,
        );
    }
    // LayerNorm gains near 1, as trained models have them.
    for (name, (_, values)) in w.iter_mut() {
        if name.ends_with("LayerNorm.weight") {
            values.iter_mut().for_each(|x| *x += 1.0);
        }
    }
    w
}

/// The safetensors format: an 8-byte little-endian header length, the JSON header, the data.
fn safetensors(w: &Weights) -> Vec<u8> {
    let mut header = serde_json::Map::new();
    let mut data = Vec::new();
    for (name, (shape, values)) in w {
        let start = data.len();
        for x in values {
            data.extend_from_slice(&x.to_le_bytes());
        }
        header.insert(
            name.clone(),
            serde_json::json!({"dtype": "F32", "shape": shape, "data_offsets": [start, data.len()]}),
        );
    }
    let mut head = serde_json::to_vec(&header).unwrap();
    while !head.len().is_multiple_of(8) {
        head.push(b' ');
    }
    let mut out = (head.len() as u64).to_le_bytes().to_vec();
    out.extend(head);
    out.extend(data);
    out
}

/// Writes the tiny sentence-transformers model folder.
pub fn write_tiny_model(dir: &Path) {
    std::fs::create_dir_all(dir.join("1_Pooling")).unwrap();
    let config = serde_json::json!({
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": vocab().len(), "hidden_size": HIDDEN, "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS, "intermediate_size": INTERMEDIATE, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": POSITIONS, "type_vocab_size": 2, "initializer_range": 0.02,
        "layer_norm_eps": 1e-12, "pad_token_id": 0, "position_embedding_type": "absolute",
        "use_cache": true, "classifier_dropout": null
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let vocab: serde_json::Map<String, serde_json::Value> = vocab()
        .iter()
        .enumerate()
        .map(|(i, w)| (w.to_string(), i.into()))
        .collect();
    let added: Vec<serde_json::Value> = SPECIAL
        .iter()
        .enumerate()
        .map(|(i, t)| {
            serde_json::json!({"id": i, "content": t, "single_word": false, "lstrip": false,
                "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    let tokenizer = serde_json::json!({
        "version": "1.0", "truncation": null, "padding": null, "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
            "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
        "decoder": null,
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": vocab}
    });
    std::fs::write(dir.join("tokenizer.json"), tokenizer.to_string()).unwrap();
    std::fs::write(
        dir.join("1_Pooling/config.json"),
        r#"{"word_embedding_dimension": 16, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("sentence_bert_config.json"),
        format!(r#"{{"max_seq_length": {MAX_LEN}, "do_lower_case": false}}"#),
    )
    .unwrap();
    std::fs::write(dir.join("model.safetensors"), safetensors(&weights())).unwrap();
}

// ---- The reference: BERT written out here, loop by loop, from the weights above. ----

fn token_ids(text: &str) -> Vec<usize> {
    let vocab = vocab();
    let mut ids = vec![2];
    let lower = text.to_lowercase();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in lower.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            if c.is_ascii_punctuation() {
                words.push(c.to_string());
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    for w in words {
        ids.push(vocab.iter().position(|v| *v == w).unwrap_or(1));
    }
    ids.truncate(MAX_LEN - 1);
    ids.push(3);
    ids
}

fn linear(w: &Weights, name: &str, x: &[f32]) -> Vec<f32> {
    let (shape, m) = &w[&format!("{name}.weight")];
    let b = &w[&format!("{name}.bias")].1;
    (0..shape[0])
        .map(|o| {
            b[o] + (0..shape[1])
                .map(|i| m[o * shape[1] + i] * x[i])
                .sum::<f32>()
        })
        .collect()
}

fn layer_norm(w: &Weights, name: &str, x: &[f32]) -> Vec<f32> {
    let g = &w[&format!("{name}.weight")].1;
    let b = &w[&format!("{name}.bias")].1;
    let mean = x.iter().sum::<f32>() / x.len() as f32;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / x.len() as f32;
    x.iter()
        .enumerate()
        .map(|(i, v)| (v - mean) / (var + 1e-12).sqrt() * g[i] + b[i])
        .collect()
}

/// erf by Abramowitz and Stegun 7.1.26 (error below 1.5e-7).
fn erf(x: f32) -> f32 {
    let x = x as f64;
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-x * x).exp();
    (if x >= 0.0 { y } else { -y }) as f32
}

/// The reference's vector of `text`: the mean of its tokens' last hidden states, or the first
/// token's (CLS pooling), L2-normalized.
fn reference(text: &str) -> Vec<f32> {
    let h = reference_hidden(text);
    let n = h.len();
    let mean: Vec<f32> = (0..HIDDEN)
        .map(|i| h.iter().map(|x| x[i]).sum::<f32>() / n as f32)
        .collect();
    unit(mean)
}

fn reference_cls(text: &str) -> Vec<f32> {
    unit(reference_hidden(text).swap_remove(0))
}

fn unit(v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / norm).collect()
}

/// The last layer's hidden state of each token of `text`.
fn reference_hidden(text: &str) -> Vec<Vec<f32>> {
    let w = weights();
    let ids = token_ids(text);
    let n = ids.len();
    let emb = |name: &str, row: usize| -> Vec<f32> {
        w[name].1[row * HIDDEN..(row + 1) * HIDDEN].to_vec()
    };
    let mut h: Vec<Vec<f32>> = (0..n)
        .map(|t| {
            let x: Vec<f32> = (0..HIDDEN)
                .map(|i| {
                    emb("embeddings.word_embeddings.weight", ids[t])[i]
                        + emb("embeddings.position_embeddings.weight", t)[i]
                        + emb("embeddings.token_type_embeddings.weight", 0)[i]
                })
                .collect();
            layer_norm(&w, "embeddings.LayerNorm", &x)
        })
        .collect();
    let d = HIDDEN / HEADS;
    for l in 0..LAYERS {
        let p = format!("encoder.layer.{l}");
        let q: Vec<Vec<f32>> = h
            .iter()
            .map(|x| linear(&w, &format!("{p}.attention.self.query"), x))
            .collect();
        let k: Vec<Vec<f32>> = h
            .iter()
            .map(|x| linear(&w, &format!("{p}.attention.self.key"), x))
            .collect();
        let v: Vec<Vec<f32>> = h
            .iter()
            .map(|x| linear(&w, &format!("{p}.attention.self.value"), x))
            .collect();
        let mut ctx = vec![vec![0f32; HIDDEN]; n];
        for head in 0..HEADS {
            let r = head * d..(head + 1) * d;
            for t in 0..n {
                let scores: Vec<f32> = (0..n)
                    .map(|s| {
                        q[t][r.clone()]
                            .iter()
                            .zip(&k[s][r.clone()])
                            .map(|(a, b)| a * b)
                            .sum::<f32>()
                            / (d as f32).sqrt()
                    })
                    .collect();
                let max = scores.iter().cloned().fold(f32::MIN, f32::max);
                let e: Vec<f32> = scores.iter().map(|s| (s - max).exp()).collect();
                let z: f32 = e.iter().sum();
                for s in 0..n {
                    for (i, j) in r.clone().enumerate() {
                        ctx[t][head * d + i] += e[s] / z * v[s][j];
                    }
                }
            }
        }
        h = (0..n)
            .map(|t| {
                let a = linear(&w, &format!("{p}.attention.output.dense"), &ctx[t]);
                let a: Vec<f32> = a.iter().zip(&h[t]).map(|(x, y)| x + y).collect();
                let a = layer_norm(&w, &format!("{p}.attention.output.LayerNorm"), &a);
                let m: Vec<f32> = linear(&w, &format!("{p}.intermediate.dense"), &a)
                    .iter()
                    .map(|x| 0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2)))
                    .collect();
                let o = linear(&w, &format!("{p}.output.dense"), &m);
                let o: Vec<f32> = o.iter().zip(&a).map(|(x, y)| x + y).collect();
                layer_norm(&w, &format!("{p}.output.LayerNorm"), &o)
            })
            .collect();
    }
    h
}

#[track_caller]
fn assert_close(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: dimension");
    let cos: f32 = got.iter().zip(want).map(|(a, b)| a * b).sum();
    let diff = got
        .iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(
        cos > 0.9999 && diff < 1e-3,
        "{what}: cosine {cos}, largest difference {diff}\ngot  {got:?}\nwant {want:?}"
    );
}

const TEXTS: [&str; 4] = [
    "Legged robots learn to walk on rough ground.",
    "Dense retrieval",
    // Longer than MAX_LEN tokens: cut as sentence-transformers cuts it.
    "Graph neural network ranking of papers for the query and the search of large language models on text images speech audio vision and depth matching of stereo images",
    "Stereo depth matching of images, unknownword and the vision.",
];

#[test]
fn the_tiny_model_gives_the_vectors_of_an_independent_bert() {
    let a = TestArchive::new();
    let dir = a.scratch("tiny-model");
    write_tiny_model(&dir);
    // Through the library, in one batch (texts of different lengths: padding must not count).
    let model = arxiv_daily::embed::local::LocalModel::load(&dir).unwrap();
    use arxiv_daily::embed::Embedder;
    assert_eq!(model.dim(), HIDDEN);
    let got = model.embed(&TEXTS).unwrap();
    for (text, v) in TEXTS.iter().zip(&got) {
        assert_close(v, &reference(text), text);
    }
    // Through the command line, one text, as anyone can check a model against
    // sentence-transformers.
    let out = a
        .run(&[
            "embed",
            "--model",
            dir.to_str().unwrap(),
            "--text",
            TEXTS[0],
            "--json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(v["dim"], HIDDEN);
    let vector: Vec<f32> = serde_json::from_value(v["vector"].clone()).unwrap();
    assert_close(&vector, &reference(TEXTS[0]), "embed --text");
    assert!(
        v["model"].as_str().unwrap().starts_with("tiny-model@"),
        "{v}"
    );
}

#[test]
fn cls_pooling_takes_the_first_tokens_vector() {
    let a = TestArchive::new();
    let dir = a.scratch("tiny-cls");
    write_tiny_model(&dir);
    std::fs::write(
        dir.join("1_Pooling/config.json"),
        r#"{"word_embedding_dimension": 16, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}"#,
    )
    .unwrap();
    use arxiv_daily::embed::Embedder;
    let model = arxiv_daily::embed::local::LocalModel::load(&dir).unwrap();
    let got = model.embed(&TEXTS).unwrap();
    for (text, v) in TEXTS.iter().zip(&got) {
        assert_close(v, &reference_cls(text), text);
        // Not the mean by accident.
        let mean = reference(text);
        assert!(
            v.iter().zip(&mean).any(|(a, b)| (a - b).abs() > 1e-2),
            "{text}"
        );
    }
}

#[test]
fn a_model_it_cannot_run_is_refused_with_the_reason() {
    let a = TestArchive::new();
    let dir = a.scratch("tiny-swish");
    write_tiny_model(&dir);
    let config = std::fs::read_to_string(dir.join("config.json")).unwrap();
    std::fs::write(
        dir.join("config.json"),
        config.replace(r#""hidden_act":"gelu""#, r#""hidden_act":"swish""#),
    )
    .unwrap();
    let out = a
        .run(&["embed", "--model", dir.to_str().unwrap(), "--text", "x"])
        .code(2);
    assert!(
        out.stderr.contains("config.json") && out.stderr.contains("hidden_act \"swish\""),
        "{}",
        out.stderr
    );
    // A weight missing from model.safetensors is named.
    write_tiny_model(&dir);
    let mut w = weights();
    w.remove("encoder.layer.1.output.dense.bias");
    std::fs::write(dir.join("model.safetensors"), safetensors(&w)).unwrap();
    let out = a
        .run(&["embed", "--model", dir.to_str().unwrap(), "--text", "x"])
        .code(2);
    assert!(
        out.stderr.contains("model.safetensors")
            && out.stderr.contains("encoder.layer.1.output.dense.bias"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_folder_that_is_not_a_model_is_named_in_the_error() {
    let a = TestArchive::new();
    let dir = a.scratch("not-a-model");
    std::fs::write(dir.join("config.json"), "{}").unwrap();
    let out = a
        .run(&["embed", "--model", dir.to_str().unwrap(), "--text", "x"])
        .code(2);
    assert!(
        out.stderr.contains("not-a-model") && out.stderr.contains("model.safetensors is missing"),
        "{}",
        out.stderr
    );
    let out = a.run(&["embed", "--text", "x"]).code(2);
    assert!(out.stderr.contains("no embedding model"), "{}", out.stderr);
}

/// A Kaggle-snapshot file of `n` papers built from the test's vocabulary, two topics apart.
fn kaggle_papers(path: &Path, n: usize) {
    let mut f = std::fs::File::create(path).unwrap();
    for i in 0..n {
        let (title, abs) = if i % 2 == 0 {
            (
                format!("Legged robots learn to walk {i}"),
                "Legged robots learn to walk on rough ground.",
            )
        } else {
            (
                format!("Dense retrieval for search {i}"),
                "Dense and sparse retrieval of papers for the query.",
            )
        };
        let line = serde_json::json!({
            "id": format!("2601.{:05}", i + 1),
            "authors": "A. Author",
            "title": title,
            "abstract": abs,
            "categories": if i % 2 == 0 { "cs.RO" } else { "cs.IR" },
            "versions": [{"version": "v1", "created": "Mon, 05 Jan 2026 12:00:00 GMT"}],
            "update_date": "2026-01-05",
        });
        writeln!(f, "{line}").unwrap();
    }
}

fn vector_rows(data: &Path) -> Vec<(String, i64)> {
    let dir = data.join("vectors");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "sqlite3") {
            let conn = rusqlite::Connection::open_with_flags(
                &p,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .unwrap();
            let Ok(mut stmt) = conn.prepare("SELECT id, text_hash FROM vectors") else {
                continue;
            };
            out.extend(
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .map(Result::unwrap),
            );
        }
    }
    out.sort();
    out
}

/// The web reader's router over the test's archive, in process.
fn router(a: &TestArchive) -> axum::Router {
    arxiv_daily::serve::router_for_tests(&arxiv_daily::archive::Location {
        dir: a.data(),
        config: None,
        library: None,
    })
    .unwrap()
}

/// One GET through a new router (read at start, as a server): the status and the body.
fn served(a: &TestArchive, uri: &str) -> (u16, String) {
    served_by(&router(a), uri)
}

/// One GET through `app`: the status and the body.
fn served_by(app: &axum::Router, uri: &str) -> (u16, String) {
    let app = app.clone();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            use tower::ServiceExt;
            let req = axum::http::Request::get(uri)
                .header(axum::http::header::HOST, "localhost")
                .body(axum::body::Body::empty())
                .unwrap();
            let resp = app.oneshot(req).await.unwrap();
            let status = resp.status().as_u16();
            let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, String::from_utf8(body.to_vec()).unwrap())
        })
}

/// An archive of the `n` papers of [`kaggle_papers`].
fn archive_of(n: usize) -> TestArchive {
    let a = TestArchive::new();
    let file = a.scratch("in").join("papers.jsonl");
    kaggle_papers(&file, n);
    a.run(&["import", "kaggle", file.to_str().unwrap()]).ok();
    a
}

/// An archive of `n` papers (see [`archive_of`]) and the tiny model's folder beside it.
fn archive_and_tiny_model(n: usize) -> (TestArchive, std::path::PathBuf) {
    let a = archive_of(n);
    let model = a.scratch("tiny-model");
    write_tiny_model(&model);
    (a, model)
}

#[test]
fn embed_fills_once_and_the_searches_use_meaning() {
    let (a, model) = archive_and_tiny_model(40);
    let m = model.to_str().unwrap();
    // Without vectors, a search is by words, as before (no signals in its JSON).
    let before = a.json_lines(&["search", "--json", "robots", "--model", m]);
    assert!(
        before.iter().all(|h| h.get("found_by").is_none()),
        "{before:?}"
    );
    let out = a.run(&["embed", "--model", m, "--json"]).ok();
    let filled: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        (filled["embedded"].as_u64(), filled["vectors"].as_u64()),
        (Some(40), Some(40))
    );
    assert_eq!(vector_rows(&a.data()).len(), 40);
    // Again: nothing to do.
    let out = a.run(&["embed", "--model", m, "--json"]).ok();
    let again: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        (again["embedded"].as_u64(), again["current"].as_u64()),
        (Some(0), Some(40))
    );

    // By meaning: a sentence with none of the titles' distinctive numbers finds its topic.
    let hits = a.json_lines(&[
        "search",
        "--json",
        "--mode",
        "meaning",
        "--model",
        m,
        "--limit",
        "5",
        "robots that learn to walk",
    ]);
    assert_eq!(hits.len(), 5);
    for h in &hits {
        assert!(h["title"].as_str().unwrap().starts_with("Legged"), "{h}");
        assert!(h["meaning_score"].as_f64().unwrap() > 0.5, "{h}");
    }
    // A server without a model says so when asked for meaning.
    let (status, body) = served(&a, "/api/search?q=robots&mode=meaning");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("words only"), "{body}");
    let (_, page) = served(&a, "/search?q=robots");
    assert!(
        !page.contains("name=\"mode\""),
        "no choice without a model: {page}"
    );
    // With the model configured, hybrid is the default, and each hit says what found it.
    a.write_config(&format!(
        "[embeddings]\nmodel = {:?}\n",
        model.to_str().unwrap()
    ));
    let hits = a.json_lines(&["search", "--json", "--limit", "40", "retrieval papers"]);
    assert!(!hits.is_empty());
    for h in &hits {
        assert!(
            ["words", "meaning", "both"].contains(&h["found_by"].as_str().unwrap()),
            "{h}"
        );
        assert!(h["meaning_score"].is_number(), "{h}");
    }
    assert!(
        hits[0]["title"].as_str().unwrap().starts_with("Dense"),
        "{:?}",
        hits[0]
    );
    // Stable across runs, ties included (every paper of a topic has the same abstract).
    let again = a.json_lines(&["search", "--json", "--limit", "40", "retrieval papers"]);
    assert_eq!(hits, again);
    // Operators filter exactly; meaning only orders what passes.
    let hits = a.json_lines(&[
        "search",
        "--json",
        "--mode",
        "meaning",
        "--limit",
        "40",
        "robots walk cat:cs.IR",
    ]);
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| h["title"].as_str().unwrap().starts_with("Dense")),
        "{hits:?}"
    );
    // The words alone, on request.
    let words = a.json_lines(&["search", "--json", "--mode", "words", "retrieval"]);
    assert!(words.iter().all(|h| h.get("found_by").is_none()));

    // Similar papers: both signals, the paper itself never, its topic first.
    let similar = a.json_lines(&["similar", "--json", "--limit", "5", "2601.00001"]);
    assert_eq!(similar.len(), 5);
    for h in &similar {
        assert_ne!(h["id"], "2601.00001");
        assert!(h["title"].as_str().unwrap().starts_with("Legged"), "{h}");
        assert!(h["meaning_score"].as_f64().unwrap() > 0.9, "{h}");
        assert!(
            ["words", "meaning", "both"].contains(&h["found_by"].as_str().unwrap()),
            "{h}"
        );
    }
    // A day's papers for a sentence, without a tag or a library.
    let about = a.json_lines(&[
        "recommend",
        "--json",
        "--limit",
        "3",
        "--about",
        "legged robots that walk on rough ground",
    ]);
    assert_eq!(about.len(), 3);
    for h in &about {
        assert_eq!(h["tag"], "about");
        assert!(h["title"].as_str().unwrap().starts_with("Legged"), "{h}");
        assert!(h["score"].as_f64().unwrap() > 0.0, "{h}");
        assert!(
            h["why"].as_array().unwrap().iter().any(|w| w == "legged"),
            "{h}"
        );
    }
    // The web reader's similar papers and searches use the vectors too (read once at start).
    let (status, body) = served(&a, "/api/similar/2601.00001");
    assert_eq!(status, 200, "{body}");
    let hits: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert!(!hits.is_empty());
    for h in &hits {
        assert!(
            h["found_by"].is_string() && h["meaning_score"].is_number(),
            "{h}"
        );
    }
    let (status, body) = served(
        &a,
        "/api/search?q=robots+that+learn+to+walk&mode=meaning&size=25",
    );
    assert_eq!(status, 200, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let hits = page["hits"].as_array().unwrap();
    assert!(hits.len() >= 5, "{page}");
    for h in &hits[..5] {
        assert!(h["title"].as_str().unwrap().starts_with("Legged"), "{h}");
        assert!(h["meaning_score"].is_number(), "{h}");
    }
    let (status, body) = served(&a, "/api/search?q=retrieval+papers");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("\"found_by\""),
        "hybrid is the default: {body}"
    );
    let (status, body) = served(&a, "/search?q=retrieval+papers&mode=hybrid");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Dense retrieval"), "{body}");
    // The page offers the signals and says which found a hit.
    assert!(body.contains("name=\"mode\""), "{body}");
    assert!(body.contains("Found by its words and by meaning"), "{body}");
    let words = a.json_lines(&[
        "similar",
        "--json",
        "--words-only",
        "--limit",
        "5",
        "2601.00001",
    ]);
    assert!(
        words.iter().all(|h| h.get("found_by").is_none()),
        "{words:?}"
    );
}

/// An OpenAI-compatible embeddings server on 127.0.0.1: answers each text with a vector made
/// from its words (the tiny model's vocabulary), after the replies queued in `first` (a status
/// and headers); the texts it embedded, the Authorization headers seen; `hold` makes the
/// request of that number (1-based) wait until the test lets it go (or forever).
struct Embeddings {
    url: String,
    texts: Arc<Mutex<Vec<String>>>,
    auth: Arc<Mutex<Vec<String>>>,
}

fn vector_of(text: &str) -> Vec<f32> {
    let mut v = vec![0.01f32; 8];
    for (i, w) in [
        "robots",
        "walk",
        "legged",
        "retrieval",
        "dense",
        "search",
        "papers",
        "ground",
    ]
    .iter()
    .enumerate()
    {
        if text.to_lowercase().contains(w) {
            v[i] += 1.0;
        }
    }
    // Words no paper holds, near in meaning to those of the legged papers.
    for (w, i) in [("quadruped", 2), ("locomotion", 1)] {
        if text.to_lowercase().contains(w) {
            v[i] += 1.0;
        }
    }
    v
}

fn embeddings_server(
    first: Vec<(u16, &'static str)>,
    hold: Option<(usize, mpsc::Sender<()>)>,
) -> Embeddings {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let texts = Arc::new(Mutex::new(Vec::new()));
    let auth = Arc::new(Mutex::new(Vec::new()));
    let (t2, a2) = (texts.clone(), auth.clone());
    let first = Arc::new(Mutex::new(first));
    std::thread::spawn(move || {
        let mut count = 0usize;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let mut len = 0;
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        match k.to_ascii_lowercase().as_str() {
                            "content-length" => len = v.trim().parse().unwrap(),
                            "authorization" => a2.lock().unwrap().push(v.trim().to_string()),
                            _ => {}
                        }
                    }
                }
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                count += 1;
                if let Some((at, tx)) = &hold
                    && count == *at
                {
                    tx.send(()).unwrap();
                    // Never answered: the client is killed meanwhile.
                    loop {
                        std::thread::park();
                    }
                }
                let queued = {
                    let mut f = first.lock().unwrap();
                    (!f.is_empty()).then(|| f.remove(0))
                };
                let (status, text) = match queued {
                    Some((status, extra)) => (status, format!("{extra}\r\n")),
                    None => {
                        let req: serde_json::Value = serde_json::from_slice(&body).unwrap();
                        let input: Vec<String> =
                            serde_json::from_value(req["input"].clone()).unwrap();
                        let data: Vec<serde_json::Value> = input
                            .iter()
                            .enumerate()
                            .map(|(i, t)| serde_json::json!({"object": "embedding", "index": i, "embedding": vector_of(t)}))
                            .collect();
                        t2.lock().unwrap().extend(input);
                        (
                            200,
                            format!(
                                "Content-Type: application/json\r\n\r\n{}",
                                serde_json::json!({"object": "list", "data": data, "model": req["model"]})
                            ),
                        )
                    }
                };
                let (headers, payload) =
                    text.split_once("\r\n\r\n").unwrap_or((text.trim_end(), ""));
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\n",
                    payload.len()
                );
                if !headers.is_empty() {
                    head.push_str(headers);
                    head.push_str("\r\n");
                }
                head.push_str("\r\n");
                if stream
                    .write_all(head.as_bytes())
                    .and_then(|_| stream.write_all(payload.as_bytes()))
                    .is_err()
                {
                    break;
                }
            }
        }
    });
    Embeddings { url, texts, auth }
}

#[test]
fn an_endpoint_embeds_in_batches_with_retries_and_the_key() {
    let a = TestArchive::new();
    let server = embeddings_server(vec![(503, "Retry-After: 0")], None);
    a.write_config(&format!(
        "[embeddings]\nendpoint = {:?}\nendpoint_model = \"test-embedder\"\n",
        server.url
    ));
    let file = a.scratch("in").join("papers.jsonl");
    kaggle_papers(&file, 150);
    // With a model configured, an import embeds what it stored, and says so.
    let out = a
        .cmd(&["import", "kaggle", file.to_str().unwrap()])
        .env("ARXIV_DAILY_EMBEDDINGS_KEY", "sk-test")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("embedded 150 papers with endpoint test-embedder"),
        "{stdout}"
    );
    // The probe of the dimension, then 150 papers in batches of at most 64.
    let texts = server.texts.lock().unwrap().clone();
    assert_eq!(texts.len(), 1 + 150, "{texts:?}");
    assert!(
        server
            .auth
            .lock()
            .unwrap()
            .iter()
            .all(|h| h == "Bearer sk-test")
    );
    assert_eq!(vector_rows(&a.data()).len(), 150);
    let out = a.run(&["embed", "--json"]).ok();
    let again: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        (again["embedded"].as_u64(), again["current"].as_u64()),
        (Some(0), Some(150))
    );
    // The endpoint's vectors rank by meaning.
    let hits = a.json_lines(&[
        "search",
        "--json",
        "--mode",
        "meaning",
        "--limit",
        "3",
        "legged robots",
    ]);
    assert!(
        hits.iter()
            .all(|h| h["title"].as_str().unwrap().starts_with("Legged")),
        "{hits:?}"
    );

    // A server that refuses says so, with its URL and message, and exit 2.
    let bad = embeddings_server(
        vec![(400, "\r\n\r\n{\"error\": \"model not found\"}"); 10],
        None,
    );
    a.write_config(&format!("[embeddings]\nendpoint = {:?}\n", bad.url));
    let out = a.run(&["embed"]).code(2);
    assert!(
        out.stderr.contains(&bad.url) && out.stderr.contains("model not found"),
        "{}",
        out.stderr
    );
    // ... and never fails an import: the papers are stored, the warning says what to run.
    let more = a.scratch("more").join("papers.jsonl");
    std::fs::write(
        &more,
        "{\"id\": \"2602.00001\", \"authors\": \"B\", \"title\": \"Depth\", \"abstract\": \"Stereo.\", \"categories\": \"cs.CV\", \"versions\": [{\"version\": \"v1\", \"created\": \"Mon, 02 Feb 2026 12:00:00 GMT\"}], \"update_date\": \"2026-02-02\"}\n",
    )
    .unwrap();
    let out = a.run(&["import", "kaggle", more.to_str().unwrap()]).ok();
    assert!(
        out.stderr.contains("not embedded") && out.stderr.contains("arxiv-daily embed"),
        "stdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    assert_eq!(a.stats()["papers"], 151);
}

#[test]
fn a_tag_described_in_other_words_is_recommended_by_meaning() {
    let a = archive_of(40);
    // The description shares no word with any paper.
    a.run(&["library", "describe", "walkers", "quadruped locomotion"])
        .ok();
    // By the words alone it does not find them.
    let words = a.json_lines(&["recommend", "--json", "--tag", "walkers", "--limit", "5"]);
    assert!(
        words
            .iter()
            .all(|r| !r["title"].as_str().unwrap().starts_with("Legged")),
        "{words:?}"
    );
    // With a model and its vectors, the description's meaning ranks the legged papers first.
    let server = embeddings_server(vec![], None);
    a.write_config(&format!(
        "[embeddings]\nendpoint = {:?}\nendpoint_model = \"m\"\n",
        server.url
    ));
    a.run(&["embed"]).ok();
    let recs = a.json_lines(&["recommend", "--json", "--tag", "walkers", "--limit", "20"]);
    assert_eq!(recs.len(), 20);
    for r in &recs {
        assert!(r["title"].as_str().unwrap().starts_with("Legged"), "{r}");
        assert_eq!(r["tag"], "walkers");
    }
    assert!(
        server
            .texts
            .lock()
            .unwrap()
            .iter()
            .any(|t| t == "quadruped locomotion"),
        "the description is embedded by the configured model"
    );
}

#[test]
fn embed_killed_mid_run_resumes_and_embeds_each_paper_once() {
    let a = archive_of(300);
    // The server answers the probe and two batches, then holds the fourth request: the process
    // is killed while it waits for it, two batches committed.
    let (tx, rx) = mpsc::channel();
    let server = embeddings_server(vec![], Some((4, tx)));
    a.write_config(&format!(
        "[embeddings]\nendpoint = {:?}\nendpoint_model = \"m\"\n",
        server.url
    ));
    let mut child = a
        .cmd(&["embed"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    rx.recv().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let kept = vector_rows(&a.data());
    assert_eq!(kept.len(), 128, "two batches of 64 committed");
    // The rerun embeds exactly the rest.
    let again = embeddings_server(vec![], None);
    a.write_config(&format!(
        "[embeddings]\nendpoint = {:?}\nendpoint_model = \"m\"\n",
        again.url
    ));
    let out = a.run(&["embed", "--json"]).ok();
    let filled: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        (filled["embedded"].as_u64(), filled["current"].as_u64()),
        (Some(172), Some(128))
    );
    assert_eq!(again.texts.lock().unwrap().len(), 1 + 172);
    let rows = vector_rows(&a.data());
    assert_eq!(rows.len(), 300);
    for kept in &kept {
        assert!(rows.contains(kept), "{kept:?} kept its vector");
    }
}

/// A Hugging Face Hub stand-in on 127.0.0.1: `/{repo}/resolve/main/{file}` answers the files of
/// `dir` as the Hub does (ranged GETs, with `etag`, `x-repo-commit` and `content-range`), 404 for
/// any other; each request's path is recorded.
fn hub_server(dir: std::path::PathBuf, repo: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                continue;
            }
            let path = line.split(' ').nth(1).unwrap_or("").to_string();
            let mut start = 0usize;
            let mut end = None;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("range")
                {
                    let (a, b) = v
                        .trim()
                        .trim_start_matches("bytes=")
                        .split_once('-')
                        .unwrap();
                    start = a.parse().unwrap();
                    end = b.parse::<usize>().ok();
                }
            }
            log.lock().unwrap().push(path.clone());
            let file = path
                .strip_prefix(&format!("/{repo}/resolve/main/"))
                .map(|f| dir.join(f));
            let response = match file.and_then(|f| std::fs::read(f).ok()) {
                Some(bytes) => {
                    let last = end.unwrap_or(bytes.len() - 1).min(bytes.len() - 1);
                    let body = &bytes[start..=last];
                    let etag = format!("{:x}", bytes.len() * 7919 + path.len());
                    let mut r = format!(
                        "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{last}/{}\r\nETag: \"{etag}\"\r\nX-Repo-Commit: 0123456789abcdef0123456789abcdef01234567\r\nConnection: close\r\n\r\n",
                        body.len(),
                        bytes.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(body);
                    r
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    (url, seen)
}

#[test]
fn a_model_id_is_fetched_once_from_the_hub_at_hf_endpoint() {
    let a = TestArchive::new();
    let hub = a.scratch("hub");
    write_tiny_model(&hub);
    let (url, seen) = hub_server(hub, "test-org/tiny-bert");
    let file = a.scratch("in").join("papers.jsonl");
    kaggle_papers(&file, 10);
    a.run(&["import", "kaggle", file.to_str().unwrap()]).ok();
    let home = a.scratch("hf-home");
    let run = |args: &[&str], endpoint: &str| {
        let out = a
            .cmd(args)
            .env("HF_ENDPOINT", endpoint)
            .env("HF_HOME", &home)
            .env_remove("HF_TOKEN")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Two papers named, then the rest.
    let (code, stdout, stderr) = run(
        &[
            "embed",
            "--model",
            "test-org/tiny-bert",
            "--json",
            "2601.00001",
            "arXiv:2601.00002v1",
        ],
        &url,
    );
    assert_eq!(code, Some(0), "{stderr}");
    let done: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(done["embedded"], 2, "{done}");
    let (code, stdout, stderr) = run(&["embed", "--model", "test-org/tiny-bert", "--json"], &url);
    assert_eq!(code, Some(0), "{stderr}");
    let done: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(done["embedded"], 8, "{done}");
    assert!(
        done["model"]
            .as_str()
            .unwrap()
            .starts_with("test-org--tiny-bert@"),
        "{done}"
    );
    let fetched = seen.lock().unwrap().clone();
    for f in ["config.json", "tokenizer.json", "model.safetensors"] {
        assert!(fetched.iter().any(|p| p.ends_with(f)), "{f}: {fetched:?}");
    }
    // Kept in the data folder, in the Hub's cache layout.
    assert!(
        a.data()
            .join("models/models--test-org--tiny-bert/snapshots")
            .is_dir()
    );
    // Once fetched, the network is never asked again: the same vectors with the Hub gone.
    let before = seen.lock().unwrap().len();
    let (code, stdout, stderr) = run(
        &[
            "embed",
            "--model",
            "test-org/tiny-bert",
            "--text",
            TEXTS[0],
            "--json",
        ],
        "http://127.0.0.1:9",
    );
    assert_eq!(code, Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let got: Vec<f32> = serde_json::from_value(v["vector"].clone()).unwrap();
    assert_close(&got, &reference(TEXTS[0]), "the fetched model");
    assert_eq!(seen.lock().unwrap().len(), before);
    // Searches read the fetched model's vectors without a fetch.
    let (code, _, stderr) = run(
        &[
            "search",
            "--json",
            "--mode",
            "meaning",
            "--model",
            "test-org/tiny-bert",
            "legged robots",
        ],
        "http://127.0.0.1:9",
    );
    assert_eq!(code, Some(0), "{stderr}");
    // A model the Hub does not have: the error names it, exit 2.
    let (code, _, stderr) = run(
        &["embed", "--model", "test-org/no-such-model", "--text", "x"],
        &url,
    );
    assert_eq!(code, Some(2));
    assert!(stderr.contains("test-org/no-such-model"), "{stderr}");
}

#[test]
fn a_running_server_finds_papers_embedded_after_it_started() {
    let (a, model) = archive_and_tiny_model(20);
    a.write_config(&format!("[embeddings]\nmodel = {:?}\n", model));
    // Half the papers embedded before the server starts.
    let first: Vec<String> = (1..=10).map(|i| format!("2601.{i:05}")).collect();
    let mut args = vec!["embed"];
    args.extend(first.iter().map(String::as_str));
    a.run(&args).ok();
    a.run(&["library", "add", "--tag", "walkers", "2601.00001"])
        .ok();
    let app = router(&a);
    let (status, picks_before) = served_by(&app, "/recommend?tag=walkers");
    assert_eq!(status, 200, "{picks_before}");
    let get = |uri: &str| {
        let (status, body) = served_by(&app, uri);
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Vec<serde_json::Value>>(&body).unwrap()
    };
    let by_meaning = |hits: &[serde_json::Value]| {
        hits.iter()
            .filter(|h| h["meaning_score"].is_number())
            .count()
    };
    // Paper 15 has no vector yet: its similar papers are found by the words alone.
    let before = get("/api/similar/2601.00015");
    assert!(!before.is_empty());
    assert_eq!(by_meaning(&before), 0, "{before:?}");
    // The rest embedded while the server runs: the next request finds them by meaning.
    a.run(&["embed"]).ok();
    let after = get("/api/similar/2601.00015");
    assert!(by_meaning(&after) > 0, "{after:?}");
    // The recommendations kept for the tag are ranked again with the new vectors.
    let (status, picks_after) = served_by(&app, "/recommend?tag=walkers");
    assert_eq!(status, 200, "{picks_after}");
    assert_ne!(picks_before, picks_after);
}

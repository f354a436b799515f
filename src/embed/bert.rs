//! A BERT encoder's forward pass in f32, written out: the weights of a Hugging Face checkpoint
//! (model.safetensors) arranged once at load for the matrix products, then one text at a time at
//! its own length, with no padding and so no attention mask. Each matrix product runs on one core
//! (`gemm`); [`local`](super::local) runs texts on several cores at once, each with its own
//! [`Scratch`], whose buffers are reused across layers and texts. It computes what
//! transformers' `BertModel` computes (absolute positions, post-LayerNorm, exact or tanh GELU),
//! and refuses a model it would compute differently rather than give other vectors.

use std::f32::consts::FRAC_1_SQRT_2;

use safetensors::{Dtype, SafeTensors};
use serde_json::Value;

/// What config.json says of the network's shape.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    hidden: usize,
    heads: usize,
    layers: usize,
    intermediate: usize,
    eps: f32,
    act: Activation,
    /// max_position_embeddings: no text may be longer.
    pub(crate) positions: usize,
    type_vocab: usize,
}

/// The feed-forward activation (hidden_act).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Activation {
    /// "gelu": x·Φ(x) with the exact erf, as PyTorch's `gelu`.
    Gelu,
    /// "gelu_new", "gelu_pytorch_tanh": the tanh approximation.
    GeluTanh,
    Relu,
}

impl Config {
    /// Reads config.json's values; an error says which is missing or not supported.
    pub(crate) fn from_json(json: &Value) -> Result<Config, String> {
        let size = |key: &str| {
            json.get(key)
                .and_then(Value::as_u64)
                .map(|v| v as usize)
                .ok_or_else(|| format!("no {key}"))
        };
        // Another model_type (RoBERTa's offset positions, DistilBERT's names, MPNet's relative
        // attention) would load in part or compute other vectors.
        let model_type = json
            .get("model_type")
            .and_then(Value::as_str)
            .unwrap_or("bert");
        if model_type != "bert" {
            return Err(format!(
                "model_type \"{model_type}\": only BERT models run in process (use an endpoint for others)"
            ));
        }
        if let Some(p) = json.get("position_embedding_type").and_then(Value::as_str)
            && p != "absolute"
        {
            return Err(format!(
                "position_embedding_type \"{p}\": only \"absolute\" is supported"
            ));
        }
        let act = match json
            .get("hidden_act")
            .and_then(Value::as_str)
            .unwrap_or("gelu")
        {
            "gelu" => Activation::Gelu,
            "gelu_new" | "gelu_pytorch_tanh" => Activation::GeluTanh,
            "relu" => Activation::Relu,
            other => {
                return Err(format!(
                    "hidden_act \"{other}\" is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu are)"
                ));
            }
        };
        let config = Config {
            hidden: size("hidden_size")?,
            heads: size("num_attention_heads")?,
            layers: size("num_hidden_layers")?,
            intermediate: size("intermediate_size")?,
            eps: json
                .get("layer_norm_eps")
                .and_then(Value::as_f64)
                .unwrap_or(1e-12) as f32,
            act,
            positions: size("max_position_embeddings").unwrap_or(512),
            type_vocab: size("type_vocab_size").unwrap_or(2),
        };
        if config.hidden == 0 || config.heads == 0 || !config.hidden.is_multiple_of(config.heads) {
            return Err(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                config.hidden, config.heads
            ));
        }
        Ok(config)
    }
}

/// A dense layer: `x·w + b` with `w` stored [in × out], row-major (the transpose of PyTorch's
/// [out × in]), as the matrix product reads it best.
struct Linear {
    w: Vec<f32>,
    b: Vec<f32>,
    n_in: usize,
    n_out: usize,
}

struct LayerNorm {
    gain: Vec<f32>,
    bias: Vec<f32>,
}

struct Layer {
    /// query, key and value in one product: [hidden × 3·hidden].
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    up: Linear,
    down: Linear,
    out_norm: LayerNorm,
}

pub(crate) struct Bert {
    config: Config,
    vocab: usize,
    word: Vec<f32>,
    position: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
}

/// One thread's working memory, grown to the longest text it has seen and then reused.
#[derive(Default)]
pub(crate) struct Scratch {
    /// The hidden states, [n × hidden]: the output of each layer.
    x: Vec<f32>,
    /// [n × 3·hidden]
    qkv: Vec<f32>,
    /// The attention's context, [n × hidden].
    context: Vec<f32>,
    /// The attention block's output, [n × hidden].
    attended: Vec<f32>,
    /// [n × intermediate]
    up: Vec<f32>,
    /// One head's scores, [n × n].
    scores: Vec<f32>,
}

/// The first `len` values of `v`, grown if it is shorter.
fn area(v: &mut Vec<f32>, len: usize) -> &mut [f32] {
    if v.len() < len {
        v.resize(len, 0.0);
    }
    &mut v[..len]
}

/// The tensors of a checkpoint under its names' prefix.
struct Tensors<'a> {
    st: SafeTensors<'a>,
    prefix: String,
}

impl Tensors<'_> {
    fn has(&self, name: &str) -> bool {
        self.st.tensor(&format!("{}{name}", self.prefix)).is_ok()
    }

    /// The tensor `name` as f32, which must have `shape`.
    fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        let full = format!("{}{name}", self.prefix);
        let t = self
            .st
            .tensor(&full)
            .map_err(|_| format!("no tensor {full}"))?;
        if t.shape() != shape {
            return Err(format!(
                "tensor {full} has the shape {:?}, config.json asks for {shape:?}",
                t.shape()
            ));
        }
        let data = t.data();
        let values: Vec<f32> = match t.dtype() {
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Dtype::F16 => data
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            Dtype::BF16 => data
                .chunks_exact(2)
                .map(|b| f32::from_bits((u16::from_le_bytes([b[0], b[1]]) as u32) << 16))
                .collect(),
            Dtype::F64 => data
                .chunks_exact(8)
                .map(|b| {
                    f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
                })
                .collect(),
            other => {
                return Err(format!(
                    "tensor {full} is {other:?} (F32, F16, BF16 or F64 are read)"
                ));
            }
        };
        if values.len() != shape.iter().product::<usize>() {
            return Err(format!("tensor {full}: its data is not of its shape"));
        }
        Ok(values)
    }

    /// A PyTorch Linear [out × in] and its bias, transposed to [in × out].
    fn linear(&self, name: &str, n_in: usize, n_out: usize) -> Result<Linear, String> {
        let w = self.get(&format!("{name}.weight"), &[n_out, n_in])?;
        let b = self.get(&format!("{name}.bias"), &[n_out])?;
        let mut t = vec![0.0; n_in * n_out];
        for o in 0..n_out {
            for i in 0..n_in {
                t[i * n_out + o] = w[o * n_in + i];
            }
        }
        Ok(Linear {
            w: t,
            b,
            n_in,
            n_out,
        })
    }

    /// A LayerNorm's gain and bias, named weight and bias, or gamma and beta in older checkpoints.
    fn layer_norm(&self, name: &str, size: usize) -> Result<LayerNorm, String> {
        let pick = |a: &str, b: &str| {
            if self.has(&format!("{name}.{a}")) || !self.has(&format!("{name}.{b}")) {
                format!("{name}.{a}")
            } else {
                format!("{name}.{b}")
            }
        };
        Ok(LayerNorm {
            gain: self.get(&pick("weight", "gamma"), &[size])?,
            bias: self.get(&pick("bias", "beta"), &[size])?,
        })
    }
}

impl Bert {
    /// The network of `config` over the weights in `bytes` (a safetensors file). Tensor names
    /// as transformers writes them, with or without the "bert." prefix.
    pub(crate) fn load(config: Config, bytes: &[u8]) -> Result<Bert, String> {
        let st = SafeTensors::deserialize(bytes).map_err(|e| e.to_string())?;
        const WORDS: &str = "embeddings.word_embeddings.weight";
        let prefix = ["", "bert."]
            .into_iter()
            .find(|p| st.tensor(&format!("{p}{WORDS}")).is_ok())
            .ok_or_else(|| format!("no tensor {WORDS}: not a BERT checkpoint"))?;
        let t = Tensors {
            st,
            prefix: prefix.to_string(),
        };
        let h = config.hidden;
        let vocab =
            t.st.tensor(&format!("{}{WORDS}", t.prefix))
                .map_err(|e| e.to_string())?
                .shape()
                .first()
                .copied()
                .unwrap_or(0);
        let word = t.get(WORDS, &[vocab, h])?;
        let position = t.get(
            "embeddings.position_embeddings.weight",
            &[config.positions, h],
        )?;
        let token_type = t.get(
            "embeddings.token_type_embeddings.weight",
            &[config.type_vocab, h],
        )?;
        let embedding_norm = t.layer_norm("embeddings.LayerNorm", h)?;
        let layers = (0..config.layers)
            .map(|l| {
                let p = format!("encoder.layer.{l}");
                let q = t.linear(&format!("{p}.attention.self.query"), h, h)?;
                let k = t.linear(&format!("{p}.attention.self.key"), h, h)?;
                let v = t.linear(&format!("{p}.attention.self.value"), h, h)?;
                let mut w = Vec::with_capacity(h * 3 * h);
                for i in 0..h {
                    for part in [&q, &k, &v] {
                        w.extend_from_slice(&part.w[i * h..(i + 1) * h]);
                    }
                }
                let qkv = Linear {
                    w,
                    b: [q.b, k.b, v.b].concat(),
                    n_in: h,
                    n_out: 3 * h,
                };
                Ok(Layer {
                    qkv,
                    attention_out: t.linear(&format!("{p}.attention.output.dense"), h, h)?,
                    attention_norm: t.layer_norm(&format!("{p}.attention.output.LayerNorm"), h)?,
                    up: t.linear(&format!("{p}.intermediate.dense"), h, config.intermediate)?,
                    down: t.linear(&format!("{p}.output.dense"), config.intermediate, h)?,
                    out_norm: t.layer_norm(&format!("{p}.output.LayerNorm"), h)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Bert {
            config,
            vocab,
            word,
            position,
            token_type,
            embedding_norm,
            layers,
        })
    }

    /// The hidden size: the length of each token's vector.
    pub(crate) fn hidden(&self) -> usize {
        self.config.hidden
    }

    /// The last layer's hidden states of one text, [n × hidden] row-major, n = `ids.len()`:
    /// token ids and token type ids as the tokenizer gave them.
    pub(crate) fn forward<'s>(
        &self,
        ids: &[u32],
        types: &[u32],
        s: &'s mut Scratch,
    ) -> Result<&'s [f32], String> {
        // The element-wise loops (LayerNorm, softmax, GELU, biases) compiled again for the widest
        // vectors the CPU has; they add in the same order at any width, so the vectors do not
        // depend on it. (gemm chooses its own kernels.)
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has AVX-512F, as just checked.
                return unsafe { self.forward_avx512(ids, types, s) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, as just checked.
                return unsafe { self.forward_avx2(ids, types, s) };
            }
        }
        self.forward_any(ids, types, s)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn forward_avx512<'s>(
        &self,
        ids: &[u32],
        types: &[u32],
        s: &'s mut Scratch,
    ) -> Result<&'s [f32], String> {
        self.forward_any(ids, types, s)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn forward_avx2<'s>(
        &self,
        ids: &[u32],
        types: &[u32],
        s: &'s mut Scratch,
    ) -> Result<&'s [f32], String> {
        self.forward_any(ids, types, s)
    }

    #[inline(always)]
    fn forward_any<'s>(
        &self,
        ids: &[u32],
        types: &[u32],
        s: &'s mut Scratch,
    ) -> Result<&'s [f32], String> {
        let c = &self.config;
        let (n, h, inter) = (ids.len(), c.hidden, c.intermediate);
        if n > c.positions {
            return Err(format!(
                "{n} tokens, more than the model's {} positions",
                c.positions
            ));
        }
        let x = area(&mut s.x, n * h);
        for (t, row) in x.chunks_exact_mut(h).enumerate() {
            let id = ids[t] as usize;
            let tt = types.get(t).copied().unwrap_or(0) as usize;
            if id >= self.vocab || tt >= c.type_vocab {
                return Err(format!(
                    "token {id} (type {tt}) is not in the model's vocabulary ({} words, {} types)",
                    self.vocab, c.type_vocab
                ));
            }
            let word = &self.word[id * h..(id + 1) * h];
            let kind = &self.token_type[tt * h..(tt + 1) * h];
            let pos = &self.position[t * h..(t + 1) * h];
            for i in 0..h {
                row[i] = word[i] + kind[i] + pos[i];
            }
            layer_norm(row, &self.embedding_norm, c.eps);
        }
        let d = h / c.heads;
        let scale = 1.0 / (d as f32).sqrt();
        for layer in &self.layers {
            let x = &mut s.x[..n * h];
            let qkv = area(&mut s.qkv, n * 3 * h);
            linear(x, n, &layer.qkv, qkv, false);
            let context = area(&mut s.context, n * h);
            let scores = area(&mut s.scores, n * n);
            for head in 0..c.heads {
                // scores = Q·Kᵀ/√d, straight from the rows of qkv: K read transposed.
                matmul(
                    n,
                    n,
                    d,
                    Out(scores, n, false),
                    In(&qkv[head * d..], 3 * h, 1),
                    In(&qkv[h + head * d..], 1, 3 * h),
                    scale,
                );
                for row in scores.chunks_exact_mut(n) {
                    softmax(row);
                }
                matmul(
                    n,
                    d,
                    n,
                    Out(&mut context[head * d..], h, false),
                    In(scores, n, 1),
                    In(&qkv[2 * h + head * d..], 3 * h, 1),
                    1.0,
                );
            }
            let attended = area(&mut s.attended, n * h);
            attended.copy_from_slice(x);
            linear(context, n, &layer.attention_out, attended, true);
            for row in attended.chunks_exact_mut(h) {
                layer_norm(row, &layer.attention_norm, c.eps);
            }
            let up = area(&mut s.up, n * inter);
            linear(attended, n, &layer.up, up, false);
            activate(up, c.act);
            x.copy_from_slice(attended);
            linear(up, n, &layer.down, x, true);
            for row in x.chunks_exact_mut(h) {
                layer_norm(row, &layer.out_norm, c.eps);
            }
        }
        Ok(&s.x[..n * h])
    }
}

/// `out = x·w + b` for the `m` rows of `x`, or `out += x·w + b` when `accumulate` (the residual
/// already in `out`).
#[inline(always)]
fn linear(x: &[f32], m: usize, l: &Linear, out: &mut [f32], accumulate: bool) {
    let out = &mut out[..m * l.n_out];
    for row in out.chunks_exact_mut(l.n_out) {
        if accumulate {
            for (o, b) in row.iter_mut().zip(&l.b) {
                *o += b;
            }
        } else {
            row.copy_from_slice(&l.b);
        }
    }
    matmul(
        m,
        l.n_out,
        l.n_in,
        Out(out, l.n_out, true),
        In(x, l.n_in, 1),
        In(&l.w, l.n_out, 1),
        1.0,
    );
}

/// A matrix read from a slice: the slice, the distance between rows, between columns.
struct In<'a>(&'a [f32], usize, usize);

/// A matrix written into a slice with contiguous rows: the slice, the distance between rows, and
/// whether the product is added to what it holds.
struct Out<'a>(&'a mut [f32], usize, bool);

/// `out (+)= scale · a·b`, a [m × k], b [k × n], on this thread only. Checks that every
/// element either matrix reaches is inside its slice before `gemm` reads raw pointers.
fn matmul(m: usize, n: usize, k: usize, out: Out, a: In, b: In, scale: f32) {
    if m == 0 || n == 0 {
        return;
    }
    let reach = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs;
    assert!(
        reach(m, n, out.1, 1) < out.0.len(),
        "matmul: output too short"
    );
    if k > 0 {
        assert!(reach(m, k, a.1, a.2) < a.0.len(), "matmul: lhs too short");
        assert!(reach(k, n, b.1, b.2) < b.0.len(), "matmul: rhs too short");
    }
    // SAFETY: every index gemm touches, (row·rs + col·cs) for the shapes given, was checked above
    // to lie inside its slice; `out` is a unique borrow, so it overlaps neither input.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.0.as_mut_ptr(),
            1,
            out.1 as isize,
            out.2,
            a.0.as_ptr(),
            a.2 as isize,
            a.1 as isize,
            b.0.as_ptr(),
            b.2 as isize,
            b.1 as isize,
            1.0,
            scale,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// Lanes of the running sums: sixteen partial sums added pairwise at the end, in this order
/// whatever the vector width, so that the compiler can vectorize the loops and the results do not
/// depend on the CPU.
const LANES: usize = 16;

#[inline(always)]
fn sum(v: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let chunks = v.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    fold_lanes(acc, |a, b| a + b) + rest.iter().sum::<f32>()
}

#[inline(always)]
fn max(v: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let chunks = v.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a = if *x > *a { *x } else { *a };
        }
    }
    rest.iter()
        .fold(fold_lanes(acc, f32::max), |a, &x| a.max(x))
}

#[inline(always)]
fn fold_lanes(mut acc: [f32; LANES], f: impl Fn(f32, f32) -> f32) -> f32 {
    let mut width = LANES / 2;
    while width > 0 {
        for i in 0..width {
            acc[i] = f(acc[i], acc[i + width]);
        }
        width /= 2;
    }
    acc[0]
}

/// LayerNorm of one row in place, as PyTorch: biased variance, eps inside the root.
#[inline(always)]
fn layer_norm(row: &mut [f32], norm: &LayerNorm, eps: f32) {
    let n = row.len() as f32;
    let mean = sum(row) / n;
    for v in row.iter_mut() {
        *v -= mean;
    }
    let mut acc = [0f32; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x * x;
        }
    }
    let var = (fold_lanes(acc, |a, b| a + b) + rest.iter().map(|x| x * x).sum::<f32>()) / n;
    let inv = 1.0 / (var + eps).sqrt();
    for ((v, g), b) in row.iter_mut().zip(&norm.gain).zip(&norm.bias) {
        *v = *v * inv * g + b;
    }
}

/// Softmax of one row in place, the largest subtracted first so that exp cannot overflow.
#[inline(always)]
fn softmax(row: &mut [f32]) {
    let top = max(row);
    for v in row.iter_mut() {
        *v = exp(*v - top);
    }
    let inv = 1.0 / sum(row);
    for v in row.iter_mut() {
        *v *= inv;
    }
}

// Plain loops in the element-wise functions: a closure passed to `for_each` may not be inlined
// into the vectorized copies of `forward`, and would then run one element at a time.
#[inline(always)]
fn activate(v: &mut [f32], act: Activation) {
    match act {
        Activation::Gelu => {
            for x in v.iter_mut() {
                *x = 0.5 * *x * (1.0 + erf(*x * FRAC_1_SQRT_2));
            }
        }
        Activation::GeluTanh => {
            const C: f32 = 0.797_884_6; // √(2/π)
            for x in v.iter_mut() {
                let u = C * (*x + 0.044_715 * *x * *x * *x);
                // 1 + tanh(u) = 2 - 2/(e^(2u) + 1), exact at both ends.
                *x = 0.5 * *x * (2.0 - 2.0 / (exp(2.0 * u) + 1.0));
            }
        }
        Activation::Relu => {
            for x in v.iter_mut() {
                *x = x.max(0.0);
            }
        }
    }
}

/// e^x in f32 within 1 ulp or so, without branches or calls, so that its loops vectorize: x = n·ln2 + r,
/// e^r by Cephes' polynomial, 2^n put in the exponent's bits. Inputs are clamped to
/// [-87, 88], where 2^n stays a normal float (e^-87 stands for anything smaller: softmax adds it
/// to at least 1).
#[inline(always)]
fn exp(x: f32) -> f32 {
    // Adding 1.5·2²³ rounds to an integer (to nearest), which the low bits then hold.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let k = x * std::f32::consts::LOG2_E + ROUND;
    let n = k - ROUND;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let e = p * r * r + r + 1.0;
    let two_n = f32::from_bits(((k.to_bits() as i32 - ROUND.to_bits() as i32 + 127) << 23) as u32);
    e * two_n
}

/// erf in f32 within about 1.3 ulp (relative error under 1e-7, checked in the tests against
/// libm's erf in f64), without branches or calls, so that GELU's loop vectorizes. Below 1:
/// x + x·S(x²); from 1: 1 - e^(-x²)·R(1/(1 + x/2)), R fitted to erfc(x)·e^(x²) on [1, 3.92];
/// beyond 3.92 erf is 1 in f32.
#[inline(always)]
fn erf(x: f32) -> f32 {
    const S: [f32; 7] = [
        0.128_379_17,
        -0.376_126_3,
        0.112_836_12,
        -0.026_854_81,
        0.005_190_053_5,
        -0.000_802_435_4,
        7.898_21e-5,
    ];
    const R: [f32; 9] = [
        -0.000_111_445_17,
        0.284_170_57,
        0.265_273_1,
        0.323_993_53,
        -0.040_762_305,
        0.458_076_45,
        -0.362_184_73,
        0.055_387_58,
        0.016_268_196,
    ];
    let a = x.abs();
    let a2 = a * a;
    let mut s = S[6];
    for c in S[..6].iter().rev() {
        s = s * a2 + c;
    }
    let small = a + a * s;
    let t = 1.0 / (1.0 + 0.5 * a);
    let mut r = R[8];
    for c in R[..8].iter().rev() {
        r = r * t + c;
    }
    let large = 1.0 - exp(-a2) * r;
    let y = if a < 1.0 {
        small
    } else if a < 3.92 {
        large
    } else {
        1.0
    };
    y.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Deterministic weights in [-0.4, 0.4) (xorshift).
    struct Rng(u64);

    impl Rng {
        fn vec(&mut self, n: usize) -> Vec<f32> {
            (0..n)
                .map(|_| {
                    self.0 ^= self.0 << 13;
                    self.0 ^= self.0 >> 7;
                    self.0 ^= self.0 << 17;
                    ((self.0 >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.8
                })
                .collect()
        }
    }

    type Named = Vec<(String, Vec<usize>, Vec<f32>)>;

    const VOCAB: usize = 30;
    const POSITIONS: usize = 16;

    /// A config of the given shape (an odd head size where `hidden / heads` is).
    fn config(hidden: usize, heads: usize, inter: usize, act: &str) -> Config {
        Config::from_json(&json!({
            "hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": 2,
            "intermediate_size": inter, "hidden_act": act, "layer_norm_eps": 1e-12,
            "max_position_embeddings": POSITIONS, "type_vocab_size": 2, "model_type": "bert"
        }))
        .unwrap()
    }

    /// Random weights for `c`, named as transformers names them (PyTorch's [out × in]).
    fn weights(c: &Config) -> Named {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let (h, i) = (c.hidden, c.intermediate);
        let mut w = Named::new();
        let mut put = |name: String, shape: Vec<usize>| {
            let mut v = rng.vec(shape.iter().product());
            if name.ends_with("LayerNorm.weight") {
                v.iter_mut().for_each(|x| *x += 1.0);
            }
            w.push((name, shape, v));
        };
        put("embeddings.word_embeddings.weight".into(), vec![VOCAB, h]);
        put(
            "embeddings.position_embeddings.weight".into(),
            vec![POSITIONS, h],
        );
        put("embeddings.token_type_embeddings.weight".into(), vec![2, h]);
        put("embeddings.LayerNorm.weight".into(), vec![h]);
        put("embeddings.LayerNorm.bias".into(), vec![h]);
        for l in 0..c.layers {
            let p = format!("encoder.layer.{l}");
            for (part, o, n_in) in [
                ("attention.self.query", h, h),
                ("attention.self.key", h, h),
                ("attention.self.value", h, h),
                ("attention.output.dense", h, h),
                ("intermediate.dense", i, h),
                ("output.dense", h, i),
            ] {
                put(format!("{p}.{part}.weight"), vec![o, n_in]);
                put(format!("{p}.{part}.bias"), vec![o]);
            }
            for part in ["attention.output.LayerNorm", "output.LayerNorm"] {
                put(format!("{p}.{part}.weight"), vec![h]);
                put(format!("{p}.{part}.bias"), vec![h]);
            }
        }
        w
    }

    /// The safetensors file of `w`, its values stored as `dtype`, each name passed through
    /// `rename`.
    fn file(w: &Named, dtype: Dtype, rename: impl Fn(&str) -> String) -> Vec<u8> {
        let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = w
            .iter()
            .map(|(name, shape, v)| {
                let data = match dtype {
                    Dtype::F32 => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
                    Dtype::F16 => v
                        .iter()
                        .flat_map(|x| half::f16::from_f32(*x).to_le_bytes())
                        .collect(),
                    Dtype::BF16 => v
                        .iter()
                        .flat_map(|x| half::bf16::from_f32(*x).to_le_bytes())
                        .collect(),
                    _ => unreachable!(),
                };
                (rename(name), shape.clone(), data)
            })
            .collect();
        let views = bytes.iter().map(|(name, shape, data)| {
            (
                name.clone(),
                safetensors::tensor::TensorView::new(dtype, shape.clone(), data).unwrap(),
            )
        });
        safetensors::serialize(views, None).unwrap()
    }

    /// BERT in f64 loops, straight from PyTorch's [out × in] weights: the hidden states.
    fn reference(c: &Config, w: &Named, ids: &[usize]) -> Vec<Vec<f64>> {
        let get = |name: &str| -> Vec<f64> {
            let t = w.iter().find(|(n, _, _)| n == name).unwrap();
            t.2.iter().map(|&x| x as f64).collect()
        };
        let linear = |name: &str, x: &[f64]| -> Vec<f64> {
            let (m, b) = (get(&format!("{name}.weight")), get(&format!("{name}.bias")));
            (0..b.len())
                .map(|o| b[o] + (0..x.len()).map(|i| m[o * x.len() + i] * x[i]).sum::<f64>())
                .collect()
        };
        let norm = |name: &str, x: &[f64]| -> Vec<f64> {
            let (g, b) = (get(&format!("{name}.weight")), get(&format!("{name}.bias")));
            let mean = x.iter().sum::<f64>() / x.len() as f64;
            let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / x.len() as f64;
            (0..x.len())
                .map(|i| (x[i] - mean) / (var + 1e-12).sqrt() * g[i] + b[i])
                .collect()
        };
        let h = c.hidden;
        let (word, pos, kind) = (
            get("embeddings.word_embeddings.weight"),
            get("embeddings.position_embeddings.weight"),
            get("embeddings.token_type_embeddings.weight"),
        );
        let mut x: Vec<Vec<f64>> = ids
            .iter()
            .enumerate()
            .map(|(t, &id)| {
                let e: Vec<f64> = (0..h)
                    .map(|i| word[id * h + i] + kind[i] + pos[t * h + i])
                    .collect();
                norm("embeddings.LayerNorm", &e)
            })
            .collect();
        let d = h / c.heads;
        for l in 0..c.layers {
            let p = format!("encoder.layer.{l}");
            let proj = |part: &str, x: &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
                x.iter()
                    .map(|r| linear(&format!("{p}.attention.self.{part}"), r))
                    .collect()
            };
            let (q, k, v) = (proj("query", &x), proj("key", &x), proj("value", &x));
            let mut ctx = vec![vec![0.0; h]; ids.len()];
            for head in 0..c.heads {
                let r = head * d..(head + 1) * d;
                for t in 0..ids.len() {
                    let s: Vec<f64> = (0..ids.len())
                        .map(|u| {
                            r.clone().map(|j| q[t][j] * k[u][j]).sum::<f64>() / (d as f64).sqrt()
                        })
                        .collect();
                    let max = s.iter().cloned().fold(f64::MIN, f64::max);
                    let e: Vec<f64> = s.iter().map(|v| (v - max).exp()).collect();
                    let z: f64 = e.iter().sum();
                    for u in 0..ids.len() {
                        for j in r.clone() {
                            ctx[t][j] += e[u] / z * v[u][j];
                        }
                    }
                }
            }
            x = (0..ids.len())
                .map(|t| {
                    let a = linear(&format!("{p}.attention.output.dense"), &ctx[t]);
                    let a: Vec<f64> = a.iter().zip(&x[t]).map(|(a, b)| a + b).collect();
                    let a = norm(&format!("{p}.attention.output.LayerNorm"), &a);
                    let m: Vec<f64> = linear(&format!("{p}.intermediate.dense"), &a)
                        .into_iter()
                        .map(|y| match c.act {
                            Activation::Gelu => {
                                0.5 * y * (1.0 + libm::erf(y / std::f64::consts::SQRT_2))
                            }
                            Activation::GeluTanh => {
                                let k = (2.0 / std::f64::consts::PI).sqrt();
                                0.5 * y * (1.0 + (k * (y + 0.044715 * y.powi(3))).tanh())
                            }
                            Activation::Relu => y.max(0.0),
                        })
                        .collect();
                    let o = linear(&format!("{p}.output.dense"), &m);
                    let o: Vec<f64> = o.iter().zip(&a).map(|(a, b)| a + b).collect();
                    norm(&format!("{p}.output.LayerNorm"), &o)
                })
                .collect();
        }
        x
    }

    #[track_caller]
    fn assert_matches(c: &Config, w: &Named, model: &Bert, lengths: &[usize]) {
        let mut scratch = Scratch::default();
        for &n in lengths {
            let ids: Vec<u32> = (0..n).map(|t| ((t * 7 + 3) % VOCAB) as u32).collect();
            let types = vec![0; n];
            let got = model.forward(&ids, &types, &mut scratch).unwrap().to_vec();
            let ids: Vec<usize> = ids.iter().map(|&i| i as usize).collect();
            let want: Vec<f64> = reference(c, w, &ids).concat();
            assert_eq!(got.len(), want.len());
            let worst = got
                .iter()
                .zip(&want)
                .map(|(g, w)| (*g as f64 - w).abs())
                .fold(0.0, f64::max);
            assert!(worst < 2e-5, "{n} tokens: largest difference {worst}");
        }
    }

    #[test]
    fn forward_matches_loops_at_odd_head_sizes_and_any_length() {
        // Heads of 3 (1/√3 is not exact) and of 5, lengths from one token to all positions,
        // longest last and first (the scratch grows, then is reused shorter).
        for (hidden, heads, inter, act) in [(12, 4, 20, "gelu"), (15, 3, 8, "gelu_new")] {
            let c = config(hidden, heads, inter, act);
            let w = weights(&c);
            let model = Bert::load(c.clone(), &file(&w, Dtype::F32, str::to_string)).unwrap();
            assert_matches(&c, &w, &model, &[1, 2, 7, POSITIONS, 5, 1]);
        }
    }

    #[test]
    fn the_bert_prefix_gamma_and_beta_and_half_floats_are_read() {
        let c = config(12, 4, 20, "gelu");
        let mut w = weights(&c);
        // The values as bf16 holds them, so that the file's rounding is not the difference.
        for (_, _, v) in w.iter_mut() {
            v.iter_mut()
                .for_each(|x| *x = half::bf16::from_f32(*x).to_f32());
        }
        let old_names = |n: &str| {
            format!(
                "bert.{}",
                n.replace("LayerNorm.weight", "LayerNorm.gamma")
                    .replace("LayerNorm.bias", "LayerNorm.beta")
            )
        };
        for dtype in [Dtype::BF16, Dtype::F16] {
            let model = Bert::load(c.clone(), &file(&w, dtype, old_names)).unwrap();
            assert_matches(&c, &w, &model, &[3, 9]);
        }
    }

    #[test]
    fn erf_and_exp_are_within_about_an_ulp() {
        let grid = (-60_000..60_000)
            .map(|i| i as f32 * 1e-4)
            .chain((0..300).map(|i| 10f32.powf(-30.0 + i as f32 * 0.1)));
        let worst_erf = grid
            .filter(|&x| x != 0.0)
            .map(|x| {
                let want = libm::erf(x as f64);
                ((erf(x) as f64 - want) / want).abs()
            })
            .fold(0.0, f64::max);
        assert!(worst_erf < 1e-7, "erf: relative error {worst_erf:e}");
        let worst_exp = (-870_000..880_000)
            .map(|i| i as f32 * 1e-4)
            .map(|x| {
                let want = (x as f64).exp();
                ((exp(x) as f64 - want) / want).abs()
            })
            .fold(0.0, f64::max);
        assert!(worst_exp < 1.5e-7, "exp: relative error {worst_exp:e}");
        assert_eq!(erf(f32::INFINITY), 1.0);
        assert_eq!(erf(-10.0), -1.0);
        assert!(exp(-1000.0) > 0.0 && exp(-1000.0) < 1e-37);
    }

    #[test]
    fn what_it_cannot_compute_is_refused() {
        let refused = |patch: serde_json::Value| {
            let mut j = json!({
                "hidden_size": 12, "num_attention_heads": 4, "num_hidden_layers": 1,
                "intermediate_size": 8,
            });
            for (k, v) in patch.as_object().unwrap() {
                j[k] = v.clone();
            }
            Config::from_json(&j).unwrap_err()
        };
        assert!(refused(json!({"hidden_act": "silu"})).contains("hidden_act \"silu\""));
        assert!(refused(json!({"model_type": "roberta"})).contains("only BERT"));
        assert!(refused(json!({"num_attention_heads": 5})).contains("not a multiple"));
        assert!(refused(json!({"position_embedding_type": "relative_key"})).contains("absolute"));
        assert!(refused(json!({"hidden_size": null})).contains("no hidden_size"));

        let c = config(12, 4, 20, "gelu");
        let w = weights(&c);
        let model = Bert::load(c.clone(), &file(&w, Dtype::F32, str::to_string)).unwrap();
        let mut s = Scratch::default();
        let err = model.forward(&[VOCAB as u32], &[0], &mut s).unwrap_err();
        assert!(err.contains("vocabulary"), "{err}");
        let long = vec![1; POSITIONS + 1];
        let err = model.forward(&long, &long, &mut s).unwrap_err();
        assert!(err.contains("positions"), "{err}");
        // A missing tensor is named; a wrong shape says both.
        let mut short = w.clone();
        short.retain(|(n, _, _)| n != "encoder.layer.1.output.dense.bias");
        let err = Bert::load(c.clone(), &file(&short, Dtype::F32, str::to_string))
            .err()
            .unwrap();
        assert!(err.contains("encoder.layer.1.output.dense.bias"), "{err}");
        let wide = config(16, 4, 20, "gelu");
        let err = Bert::load(wide, &file(&w, Dtype::F32, str::to_string))
            .err()
            .unwrap();
        assert!(err.contains("shape"), "{err}");
    }
}

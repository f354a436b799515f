//! A tag's model: a linear SVM (L2-regularized squared hinge loss, solved in the dual by
//! coordinate descent as LIBLINEAR does; classes weighted to balance, dismissals counting
//! more) over the tf-idf features, blended with the mean similarity to the saved papers (the
//! newer weighing more, as zotero-arxiv-daily weighs them). Each part
//! is put on the scale of the background papers (how far above their mean, in their standard
//! deviations), so that scores compare across tags.
//!
//! No crate fits: linfa's SVM (linfa-svm) wants dense data and a kernel cache, smartcore's too;
//! the dual coordinate descent is forty lines over the sparse vectors we already have.

use super::features::{Features, Vector};

/// What the model is made of (chosen on the quality benchmark, BENCHMARKS.md).
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// The SVM's C (per class, before balancing).
    pub c: f32,
    /// How much more a dismissal weighs than a background paper.
    pub dismissed: f32,
    /// The similarity part's weight against the SVM's.
    pub knn: f32,
    /// Papers listed before the first day that the models learn "not this tag" from.
    pub background: usize,
    /// How much more the newer saved papers count (0: all alike; 1: zotero-arxiv-daily's
    /// 1/(1 + log10(rank + 1)), the newest first).
    pub recency: f32,
    /// The meaning part's weight (the cosine of a paper's vector to the tag's, when the
    /// archive has an embedding model's vectors) against the words' (the SVM and similarity),
    /// for a tag without a saved paper; it fades as papers are saved: `meaning / (1 + n /
    /// meaning_knee)` with `n` saved papers. Meaning is the prior, the words the evidence.
    pub meaning: f32,
    /// The number of saved papers at which the meaning part weighs half as much.
    pub meaning_knee: f32,
    /// How many saved papers a tag's description counts as in its vector.
    pub described: f32,
}

impl Default for Params {
    fn default() -> Params {
        let mut p = Params {
            c: 0.2,
            dismissed: 3.0,
            knn: 0.5,
            background: 1500,
            recency: 1.0,
            meaning: 2.0,
            meaning_knee: 3.0,
            described: 3.0,
        };
        // Tuning knob for the quality benchmark only:
        // "c,dismissed,knn,background,recency[,meaning,described[,meaning_knee]]".
        if let Ok(s) = std::env::var("ARXIV_DAILY_RECOMMEND_TUNE") {
            let v: Vec<f32> = s.split(',').filter_map(|x| x.parse().ok()).collect();
            if matches!(v.len(), 5 | 7 | 8) {
                p = Params {
                    c: v[0],
                    dismissed: v[1],
                    knn: v[2],
                    background: v[3] as usize,
                    recency: v[4],
                    meaning: v.get(5).copied().unwrap_or(p.meaning),
                    described: v.get(6).copied().unwrap_or(p.described),
                    meaning_knee: v.get(7).copied().unwrap_or(p.meaning_knee),
                };
            }
        }
        p
    }
}

/// A trained model of one tag.
pub struct Model {
    w: Vec<f32>,
    b: f32,
    /// The saved papers' weighted mean (dense): the similarity part is a paper's dot product
    /// with it, its mean similarity to them.
    centroid: Vec<f32>,
    params: Params,
    /// Mean and standard deviation over the background of the SVM and the similarity parts.
    svm_scale: (f32, f32),
    knn_scale: (f32, f32),
}

/// A deterministic order of `n` items for iteration `round` (xorshift, fixed seed).
fn shuffled(n: usize, round: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ round.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    order
}

impl Model {
    /// Trains on `positives` (the newest first), the `background` (negatives) and the
    /// `dismissed` (negatives that count more): vectors of one [`Features`].
    pub fn train(
        features: &Features,
        positives: &[&Vector],
        background: &[&Vector],
        dismissed: &[&Vector],
        params: Params,
    ) -> Model {
        let dim = features.len();
        let mut xs: Vec<(&Vector, f32, f32)> = Vec::new(); // (x, y, C_i)
        let (np, nn) = (positives.len(), background.len() + dismissed.len());
        let n = (np + nn).max(1) as f32;
        let cp = params.c * n / (2.0 * np.max(1) as f32);
        let cn = params.c * n / (2.0 * nn.max(1) as f32);
        let weights = recency_weights(np, params.recency);
        for (v, w) in positives.iter().zip(&weights) {
            xs.push((v, 1.0, cp * w));
        }
        for v in background {
            xs.push((v, -1.0, cn));
        }
        for v in dismissed {
            xs.push((v, -1.0, cn * params.dismissed));
        }
        let mut w = vec![0f32; dim];
        let mut b = 0f32;
        let mut alpha = vec![0f32; xs.len()];
        let diag: Vec<f32> = xs.iter().map(|x| 0.5 / x.2).collect();
        let qd: Vec<f32> = xs
            .iter()
            .zip(&diag)
            .map(|(x, d)| x.0.iter().map(|(_, v)| v * v).sum::<f32>() + 1.0 + d)
            .collect();
        for round in 0..200u64 {
            let (mut max_pg, mut min_pg) = (f32::NEG_INFINITY, f32::INFINITY);
            for i in shuffled(xs.len(), round) {
                let (x, y, _) = xs[i];
                let wx: f32 = x.iter().map(|&(k, v)| w[k as usize] * v).sum::<f32>() + b;
                let g = y * wx - 1.0 + alpha[i] * diag[i];
                let pg = if alpha[i] == 0.0 { g.min(0.0) } else { g };
                max_pg = max_pg.max(pg);
                min_pg = min_pg.min(pg);
                if pg.abs() > 1e-12 {
                    let old = alpha[i];
                    alpha[i] = (old - g / qd[i]).max(0.0);
                    let d = (alpha[i] - old) * y;
                    for &(k, v) in x {
                        w[k as usize] += d * v;
                    }
                    b += d;
                }
            }
            if max_pg - min_pg < 1e-3 {
                break;
            }
        }
        let mut model = Model {
            w,
            b,
            centroid: {
                let mut c = vec![0f32; dim];
                for (v, w) in positives.iter().zip(&weights) {
                    for &(k, x) in v.iter() {
                        c[k as usize] += w * x / np.max(1) as f32;
                    }
                }
                c
            },
            params,
            svm_scale: (0.0, 1.0),
            knn_scale: (0.0, 1.0),
        };
        let parts: Vec<(f32, f32)> = background.iter().map(|v| model.parts(v)).collect();
        model.svm_scale = mean_std(parts.iter().map(|p| p.0));
        model.knn_scale = mean_std(parts.iter().map(|p| p.1));
        model
    }

    /// The SVM's decision value and the weighted mean similarity to the saved papers.
    fn parts(&self, v: &Vector) -> (f32, f32) {
        let svm = v.iter().map(|&(k, x)| self.w[k as usize] * x).sum::<f32>() + self.b;
        let knn = v
            .iter()
            .map(|&(k, x)| self.centroid[k as usize] * x)
            .sum::<f32>();
        (svm, knn)
    }

    /// The paper's score: each part in standard deviations above the background's mean.
    pub fn score(&self, v: &Vector) -> f32 {
        let (svm, knn) = self.parts(v);
        let z = |x: f32, (m, s): (f32, f32)| (x - m) / s;
        (z(svm, self.svm_scale) + self.params.knn * z(knn, self.knn_scale))
            / (1.0 + self.params.knn)
    }

    /// The paper's features that weigh most for the tag (weight in the SVM times the paper's
    /// own weight), strongest first; a word also inside a pair already shown is left out, and so
    /// is a feature with a word of the paper's author names (`authors`): the model weighs names
    /// (a saved author counts), but "ben" or "kim" explains nothing (an author the tag saved is
    /// a reason of its own: see [`author_reason`]); and so is stock phrasing, spread evenly over
    /// the texts ([`Features::is_stock`]).
    pub fn why(&self, features: &Features, v: &Vector, n: usize, authors: &str) -> Vec<String> {
        let names = name_words(authors);
        let mut parts: Vec<(f32, u32)> = v
            .iter()
            .map(|&(k, x)| (self.w[k as usize] * x, k))
            .filter(|(c, _)| *c > 0.0)
            .collect();
        parts.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out: Vec<String> = Vec::new();
        for (_, k) in parts {
            let name = features.name(k);
            if features.is_stock(k) || name.split(' ').any(|w| names.contains(w)) {
                continue;
            }
            let covered = out
                .iter()
                .any(|o| o.split(' ').any(|w| w == name) || name.split(' ').all(|w| o.contains(w)));
            if !covered {
                // A pair replaces a word of it already shown.
                out.retain(|o| !(name.contains(' ') && name.split(' ').any(|w| w == o)));
                out.push(name.to_string());
            }
            if out.len() == n {
                break;
            }
        }
        out
    }
}

/// The lower-cased words of an author list ("Marco Hutter, J. Lee" -> marco, hutter, j, lee).
fn name_words(authors: &str) -> std::collections::HashSet<String> {
    authors
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// "by Marco Hutter, 4 papers in this tag": the author of `authors` who wrote the most of
/// `saved` (author lists of the tag's saved papers), when that is at least two papers.
pub fn author_reason<'a>(authors: &str, saved: impl Iterator<Item = &'a str>) -> Option<String> {
    let mine: Vec<String> = crate::source::unwrap_text(authors)
        .split(", ")
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    let mut counts = vec![0usize; mine.len()];
    for list in saved {
        let list = crate::source::unwrap_text(list);
        let theirs: std::collections::HashSet<&str> = list.split(", ").map(str::trim).collect();
        for (i, a) in mine.iter().enumerate() {
            counts[i] += usize::from(theirs.contains(a.as_str()));
        }
    }
    let (i, n) = counts
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
    (*n >= 2).then(|| format!("by {}, {n} papers in this tag", mine[i]))
}

/// The weights of `n` saved papers, the newest first: 1/(1 + log10(rank + 1)) to the power
/// `recency` (zotero-arxiv-daily's at 1; all alike at 0), divided by their mean (they average 1).
pub fn recency_weights(n: usize, recency: f32) -> Vec<f32> {
    let mut weights: Vec<f32> = (0..n)
        .map(|i| (1.0 / (1.0 + ((i + 2) as f32).log10())).powf(recency))
        .collect();
    let mean = weights.iter().sum::<f32>() / n.max(1) as f32;
    for w in &mut weights {
        *w /= mean;
    }
    weights
}

/// The mean and standard deviation of `xs` (at least 1e-6: a scale to divide by).
pub fn mean_std(xs: impl Iterator<Item = f32> + Clone) -> (f32, f32) {
    let n = xs.clone().count().max(1) as f32;
    let mean = xs.clone().sum::<f32>() / n;
    let var = xs.map(|x| (x - mean) * (x - mean)).sum::<f32>() / n;
    (mean, var.sqrt().max(1e-6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_ranks_the_tag_first_and_says_which_words() {
        // Each topic's words come back within its texts, as a topic's words do (words that
        // occur once in many texts are stock phrasing, never shown as reasons).
        let mut texts = Vec::new();
        for i in 0..30 {
            texts.push(format!(
                "graph neural networks for session recommendation: graph recommendation item {i}"
            ));
            texts.push(format!(
                "speech recognition with acoustic models: speech models batch {i}"
            ));
            texts.push(format!(
                "protein folding with diffusion models: protein diffusion sample {i}"
            ));
        }
        let (f, vs) = Features::fit(&texts);
        let pos: Vec<&Vector> = (0..10).map(|i| &vs[i * 3]).collect();
        let bg: Vec<&Vector> = (10..30)
            .flat_map(|i| [&vs[i * 3 + 1], &vs[i * 3 + 2]])
            .collect();
        let m = Model::train(&f, &pos, &bg, &[], Params::default());
        let rec = f.vector("a new graph neural network for recommendation");
        let other = f.vector("acoustic models for speech");
        assert!(m.score(&rec) > m.score(&other));
        let why = m.why(&f, &rec, 3, "");
        assert!(
            why.iter()
                .any(|w| w.contains("graph") || w.contains("recommendation")),
            "{why:?}"
        );
        // Deterministic.
        let m2 = Model::train(&f, &pos, &bg, &[], Params::default());
        assert_eq!(m.score(&rec).to_bits(), m2.score(&rec).to_bits());
    }

    #[test]
    fn why_words_are_never_pieces_of_the_papers_author_names() {
        // Six of the tag's saved papers share an author, Ben Graph: "graph" and "ben" weigh in
        // the model.
        let mut texts = Vec::new();
        for i in 0..30 {
            let by = if i < 6 { " Ben Graph" } else { "" };
            texts.push(format!(
                "graph neural networks for session recommendation: neural recommendation item {i}{by}"
            ));
            texts.push(format!(
                "speech recognition with acoustic models: speech models batch {i}"
            ));
        }
        let (f, vs) = Features::fit(&texts);
        let pos: Vec<&Vector> = (0..10).map(|i| &vs[i * 2]).collect();
        let bg: Vec<&Vector> = (10..30).map(|i| &vs[i * 2 + 1]).collect();
        let m = Model::train(&f, &pos, &bg, &[], Params::default());
        let rec = f.vector("graph neural networks for recommendation Ben Graph");
        let all = m.why(&f, &rec, 10, "");
        assert!(
            all.iter().any(|w| w.split(' ').any(|x| x == "ben")),
            "{all:?}"
        );
        let why = m.why(&f, &rec, 10, "Ben Graph");
        assert!(!why.is_empty(), "content words remain");
        for w in &why {
            assert!(
                !w.split(' ').any(|x| x == "ben" || x == "graph"),
                "{w:?} in {why:?}"
            );
        }
    }

    #[test]
    fn an_author_the_tag_saved_often_is_a_reason() {
        let saved = [
            "Marco Hutter, A. One",
            "B. Two, Marco Hutter",
            "Marco Hutter",
            "C. Three",
        ];
        assert_eq!(
            author_reason("X. Y, Marco Hutter", saved.iter().copied()).as_deref(),
            Some("by Marco Hutter, 3 papers in this tag")
        );
        // Once is not a pattern.
        assert_eq!(author_reason("C. Three", saved.iter().copied()), None);
    }
}

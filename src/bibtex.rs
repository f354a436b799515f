//! BibTeX entries as arXiv's own "Export BibTeX citation" writes them: `@misc`, a key of the first
//! author's surname, the year and the title's first words, then title, author (`A and B and C`),
//! year, eprint, archivePrefix, primaryClass and url. TeX in titles is kept; braces are balanced.

use crate::source::unwrap_text;
use crate::views::Paper;

/// Words arXiv's keys skip.
const SKIP: [&str; 24] = [
    "a", "an", "the", "is", "are", "all", "you", "of", "for", "and", "in", "on", "to", "with",
    "by", "from", "at", "as", "be", "we", "our", "via", "its", "do",
];

/// The entry of a paper (its latest metadata), or `None` for a paper without any snapshot.
/// `paper` is the view, or an archive row that becomes one.
pub fn entry<P: Clone + Into<Paper>>(paper: &P) -> Option<String> {
    write(&paper.clone().into())
}

fn write(paper: &Paper) -> Option<String> {
    let latest = paper.snapshots.last()?;
    let authors = crate::atom::authors(&latest.authors);
    let year = year(paper);
    let primary = latest
        .categories
        .first()
        .or_else(|| paper.listings.first().map(|l| &l.category));
    let mut out = format!("@misc{{{},\n", key(&authors, &year, &latest.title));
    out.push_str(&format!(
        "      title={{{}}}, \n",
        balanced(&unwrap_text(&latest.title))
    ));
    out.push_str(&format!(
        "      author={{{}}},\n",
        balanced(&authors.join(" and "))
    ));
    out.push_str(&format!("      year={{{year}}},\n"));
    out.push_str(&format!("      eprint={{{}}},\n", paper.id));
    out.push_str("      archivePrefix={arXiv},\n");
    if let Some(c) = primary {
        out.push_str(&format!("      primaryClass={{{c}}},\n"));
    }
    out.push_str(&format!(
        "      url={{https://arxiv.org/abs/{}}}, \n}}\n",
        paper.id
    ));
    Some(out)
}

/// The year of the latest version (its submission), else of the first listing, else of the id.
fn year(paper: &Paper) -> String {
    let from_date = |d: &str| {
        d.get(..4)
            .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
            .map(String::from)
    };
    paper
        .snapshots
        .last()
        .and_then(|s| s.submitted.as_deref().and_then(from_date))
        .or_else(|| paper.first_announced.map(|d| d.date().year().to_string()))
        .unwrap_or_else(|| {
            // New-style ids start with YYMM; old-style ones have it after the slash.
            let digits: String = paper
                .id
                .rsplit('/')
                .next()
                .unwrap_or("")
                .chars()
                .take(2)
                .collect();
            match digits.parse::<u32>() {
                Ok(yy) if yy >= 91 => format!("19{digits}"),
                Ok(_) => format!("20{digits}"),
                Err(_) => String::new(),
            }
        })
}

/// `surname` + year + the title's first four words that are not in `SKIP`, lower-case ASCII.
fn key(authors: &[String], year: &str, title: &str) -> String {
    let plain = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let surname = authors
        .first()
        .and_then(|a| a.split_whitespace().last())
        .map(plain)
        .unwrap_or_default();
    let words: String = title
        .split_whitespace()
        .map(plain)
        .filter(|w| !w.is_empty() && !SKIP.contains(&w.as_str()))
        .take(4)
        .collect();
    format!("{surname}{year}{words}")
}

/// `s` with every brace that has no partner removed (BibTeX counts braces, escaped or not).
fn balanced(s: &str) -> String {
    let mut keep = vec![true; s.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, c) in s.char_indices() {
        match c {
            '{' => open.push(i),
            '}' if open.pop().is_none() => keep[i] = false,
            _ => {}
        }
    }
    for i in open {
        keep[i] = false;
    }
    s.char_indices()
        .filter(|(i, _)| keep[*i])
        .map(|(_, c)| c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::Snapshot;

    fn paper(title: &str, authors: &str) -> Paper {
        Paper {
            id: "2505.12570".into(),
            first_announced: crate::model::Day::parse("2025-05-20").ok(),
            snapshots: vec![Snapshot {
                version: Some(2),
                title: title.into(),
                abstract_text: String::new(),
                authors: authors.into(),
                categories: vec!["cs.IR".into(), "cs.CL".into()],
                doi: None,
                journal_ref: None,
                license: None,
                submitted: Some("2025-09-01T12:00:00Z".into()),
                first_seen: crate::model::Day::parse("2025-09-02").unwrap(),
            }],
            listings: vec![],
        }
    }

    #[test]
    fn an_entry_as_arxiv_writes_it() {
        let e = entry(&paper(
            "Batched Self-Consistency Improves LLM Relevance Assessment and Ranking",
            "Anton Korikov, Pan Du, Scott Sanner, Navid Rekabsaz",
        ))
        .unwrap();
        assert_eq!(
            e,
            "@misc{korikov2025batchedselfconsistencyimprovesllm,\n      title={Batched Self-Consistency Improves LLM Relevance Assessment and Ranking}, \n      author={Anton Korikov and Pan Du and Scott Sanner and Navid Rekabsaz},\n      year={2025},\n      eprint={2505.12570},\n      archivePrefix={arXiv},\n      primaryClass={cs.IR},\n      url={https://arxiv.org/abs/2505.12570}, \n}\n"
        );
    }

    #[test]
    fn tex_is_kept_and_braces_balance() {
        let e = entry(&paper(
            "On $\\mathcal{O}(n)$ {Attention} is All You Need} {",
            "A. Vaswani, N. Shazeer and N. Parmar",
        ))
        .unwrap();
        assert!(
            e.contains("title={On $\\mathcal{O}(n)$ {Attention} is All You Need }, "),
            "{e}"
        );
        assert!(
            e.contains("author={A. Vaswani and N. Shazeer and N. Parmar}"),
            "{e}"
        );
        assert!(
            e.starts_with("@misc{vaswani2025mathcalonattentionneed,"),
            "{e}"
        );
        let depth = e.chars().try_fold(0i32, |d, c| {
            let d = d + i32::from(c == '{') - i32::from(c == '}');
            (d >= 0).then_some(d)
        });
        assert_eq!(depth, Some(0), "{e}");
    }
}

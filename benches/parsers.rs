//! Parser throughput on generated inputs (Throughput::Bytes): the RSS feed, an OAI-PMH page,
//! legacy README tables and Kaggle lines. Inputs are built here so the bench needs no data files.
//!
//! Run: `cargo bench --bench parsers`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use arxiv_daily::source::{kaggle, legacy, oai, rss};

const ABSTRACT: &str = "Large language models have significantly enhanced conversational systems; however, \
domain-specific accuracy and the avoidance of factual inconsistencies remain pressing challenges. We present \
a retrieval augmented generation pipeline with a knowledge graph &amp; vector search, evaluated on $10^4$ queries.";

/// A 500-item feed, the size of a busy category's day.
fn feed(items: usize) -> String {
    let mut s = String::from(
        "<?xml version='1.0' encoding='UTF-8'?>\n<rss xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" version=\"2.0\"><channel><title>cs.IR</title><link>http://rss.arxiv.org/rss/cs.IR</link><pubDate>Wed, 24 Sep 2025 00:00:00 -0400</pubDate>\n",
    );
    for i in 0..items {
        s.push_str(&format!(
            "<item><title>Paper {i}: Multimodal retrieval</title><link>https://arxiv.org/abs/2509.{i:05}</link><description>arXiv:2509.{i:05}v1 Announce Type: new \nAbstract: {ABSTRACT}</description><guid isPermaLink=\"false\">oai:arXiv.org:2509.{i:05}v1</guid><category>cs.IR</category><category>cs.CL</category><pubDate>Wed, 24 Sep 2025 00:00:00 -0400</pubDate><arxiv:announce_type>new</arxiv:announce_type><dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights><dc:creator>Ana One, Bo Two, Cy Three</dc:creator></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

fn oai_page(records: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><ListRecords>",
    );
    for i in 0..records {
        s.push_str(&format!(
            "<record><header><identifier>oai:arXiv.org:2509.{i:05}</identifier><datestamp>2025-09-24</datestamp></header><metadata><arXivRaw><id>2509.{i:05}</id><version version=\"v1\"><date>Mon, 22 Sep 2025 17:03:11 GMT</date></version><title>Paper {i}</title><authors>Ana One, Bo Two</authors><categories>cs.IR cs.CL</categories><abstract>  {ABSTRACT}\n</abstract></arXivRaw></metadata></record>"
        ));
    }
    s.push_str("<resumptionToken>next</resumptionToken></ListRecords></OAI-PMH>");
    s
}

fn readme(rows: usize) -> String {
    let mut s = String::from(
        "# arXiv Daily Report - 24-Sep-2025\n\n| Title | Link | abstract | author |\n| --- | --- | --- | --- |\n",
    );
    for i in 0..rows {
        let link = format!("https://arxiv.org/abs/2509.{i:05}");
        s.push_str(&format!("| LLM paper {i} | [{link}]({link}) | {ABSTRACT}\n  Second | paragraph. | Ana One, Bo Two |\n"));
    }
    s
}

fn kaggle_line(i: usize) -> String {
    format!(
        r#"{{"id":"2509.{i:05}","submitter":"A","authors":"Ana One, Bo Two","title":"Paper {i}","comments":null,"journal-ref":null,"doi":null,"report-no":null,"categories":"cs.IR cs.CL","license":null,"abstract":"  {}\n","versions":[{{"version":"v1","created":"Mon, 22 Sep 2025 17:03:11 GMT"}}],"update_date":"2025-09-24","authors_parsed":[]}}"#,
        ABSTRACT.replace('"', "\\\"")
    )
}

fn parsers(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    let f = feed(500);
    g.throughput(Throughput::Bytes(f.len() as u64));
    g.bench_function("rss_500_items", |b| {
        b.iter(|| rss::parse(&f, "bench").unwrap())
    });
    let p = oai_page(1000);
    g.throughput(Throughput::Bytes(p.len() as u64));
    g.bench_function("oai_1000_records", |b| {
        b.iter(|| oai::parse(&p, "bench").unwrap())
    });
    let r = readme(100);
    g.throughput(Throughput::Bytes(r.len() as u64));
    g.bench_function("legacy_readme_100_rows", |b| {
        b.iter(|| legacy::parse_readme(&r, "bench", None).unwrap())
    });
    let lines: Vec<String> = (0..1000).map(kaggle_line).collect();
    g.throughput(Throughput::Bytes(
        lines.iter().map(|l| l.len() as u64 + 1).sum(),
    ));
    g.bench_function("kaggle_1000_lines", |b| {
        b.iter(|| {
            lines
                .iter()
                .enumerate()
                .map(|(i, l)| kaggle::parse_line(l, "bench", i as u64).unwrap())
                .collect::<Vec<_>>()
        })
    });
    g.finish();
}

/// The English analyzer over 2000 abstracts: Tantivy's stemmer against the cached one.
fn stemming(c: &mut Criterion) {
    use tantivy::tokenizer::{
        Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer, TokenStream,
    };
    let texts: Vec<String> = (0..2000)
        .map(|i| format!("{ABSTRACT} Variation {i} of models, modelling and retrievers."))
        .collect();
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let mut g = c.benchmark_group("tokenize");
    g.throughput(Throughput::Bytes(bytes));
    let mut run = |name: &str, mut analyzer: TextAnalyzer| {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut n = 0usize;
                for t in &texts {
                    let mut s = analyzer.token_stream(t);
                    while s.advance() {
                        n += s.token().text.len();
                    }
                }
                n
            })
        });
    };
    run(
        "tantivy_stemmer",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build(),
    );
    run(
        "cached_stemmer",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(arxiv_daily::index::stem::CachedEnglishStemmer)
            .build(),
    );
    g.finish();
}

criterion_group!(benches, parsers, stemming);
criterion_main!(benches);

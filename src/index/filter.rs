//! What a query lets through, apart from its ranking words: the papers a search by meaning may
//! rank. A query's operators (`+word`, `-term`, `field:term`, `"a phrase"`), or the whole of a
//! boolean query or of an `--all-words` search, and the request's days and category filter exactly
//! as in a search by words; the meaning of the query then orders what passes.

use std::collections::HashSet;

use std::collections::HashMap;
use tantivy::collector::DocSetCollector;

use tantivy::Term;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use crate::model::Day;

use super::query::SearchRequest;
use super::{Result, SearchIndex};

impl SearchIndex {
    /// The ids of the papers that pass the filter of `req`; `None` when nothing filters (plain
    /// words, no days, no category): every paper passes.
    pub fn filter_ids(&self, req: &SearchRequest) -> Result<Option<HashSet<String>>> {
        let bounded = req.from.is_some() || req.to.is_some() || req.category.is_some();
        let plan = if req.all_words {
            None
        } else {
            self.plan(&req.query)?
        };
        let user: Box<dyn Query> = match plan {
            Some(plan) if plan.clauses.is_empty() => {
                if !bounded {
                    return Ok(None);
                }
                Box::new(AllQuery)
            }
            Some(plan) => {
                let mut clauses = plan.clauses;
                clauses.push((Occur::Must, Box::new(AllQuery)));
                Box::new(BooleanQuery::new(clauses))
            }
            None if req.query.trim().is_empty() => {
                if !bounded {
                    return Ok(None);
                }
                Box::new(AllQuery)
            }
            None => self.parse_query(&req.query)?,
        };
        let query = self.filtered(user, req);
        let reader = self.reader()?;
        let searcher = reader.searcher();
        let mut ids = HashSet::new();
        self.each_match(&searcher, query.as_ref(), |id, _| {
            ids.insert(id.to_string());
        })?;
        Ok(Some(ids))
    }

    /// The first day each of `ids` was listed (the index's `first` column), for papers the words
    /// of a search did not find.
    pub fn first_days(&self, ids: &[String]) -> Result<HashMap<String, Option<Day>>> {
        let reader = self.reader()?;
        let searcher = reader.searcher();
        let query = BooleanQuery::new(
            ids.iter()
                .map(|id| {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.id, id),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>,
                    )
                })
                .collect(),
        );
        let mut out = HashMap::with_capacity(ids.len());
        self.each_match(&searcher, &query, |id, first| {
            out.insert(id.to_string(), first);
        })?;
        Ok(out)
    }

    /// Calls `f(id, first listed day)` for every paper `query` matches on `searcher`.
    fn each_match(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        mut f: impl FnMut(&str, Option<Day>),
    ) -> Result<()> {
        let docs = searcher
            .search(query, &DocSetCollector)
            .map_err(self.err())?;
        let mut id = String::new();
        for address in docs {
            let columns =
                self.hit_columns(searcher, searcher.segment_reader(address.segment_ord))?;
            if let Some(ord) = columns.id.term_ords(address.doc_id).next() {
                id.clear();
                columns
                    .id
                    .ord_to_str(ord, &mut id)
                    .map_err(|e| self.err()(e.into()))?;
                f(
                    &id,
                    columns
                        .first
                        .first(address.doc_id)
                        .and_then(Day::from_number),
                );
            }
        }
        Ok(())
    }
}

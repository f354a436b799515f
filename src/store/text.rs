//! Long texts (abstracts) are stored deflated: SQLite is dynamically typed, so a column holds TEXT
//! for short or incompressible values and a BLOB of raw deflate for the rest. Abstracts are most of
//! an archive's bytes and shrink to about half; reading one back costs microseconds.

use std::cell::RefCell;

use flate2::{Compress, Compression, FlushCompress, Status};
use libdeflater::{DecompressionError, Decompressor};
use rusqlite::ToSql;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};

/// Below this many bytes a text is stored as it is.
const MIN_PACKED: usize = 200;

thread_local! {
    static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new(Compression::fast(), false));
    /// One inflater per thread: a reader builds 25 abstracts per page of hits. libdeflate
    /// inflates a whole buffer at once, about three times as fast as a stream decoder here
    /// (which also clears 43 KiB of state and window per text).
    static INFLATE: RefCell<Decompressor> = RefCell::new(Decompressor::new());
}

/// A text as it is stored: deflated when that saves space, else as it is. Only
/// [`PackedText::pack`] makes one, so a BLOB in a text column is always a whole deflate stream
/// of valid UTF-8. Bulk imports pack on many threads; the writer stores the value as it is.
pub struct PackedText(Stored);

impl PackedText {
    /// `s`, packed.
    pub fn pack(s: &str) -> PackedText {
        if s.len() < MIN_PACKED {
            return PackedText(Stored::Plain(s.to_string()));
        }
        DEFLATE.with(|c| {
            let mut c = c.borrow_mut();
            c.reset();
            let mut out = Vec::with_capacity(s.len());
            PackedText(
                match c.compress_vec(s.as_bytes(), &mut out, FlushCompress::Finish) {
                    Ok(Status::StreamEnd) if out.len() + 16 < s.len() => Stored::Deflated(out),
                    _ => Stored::Plain(s.to_string()),
                },
            )
        })
    }
}

impl ToSql for PackedText {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match &self.0 {
            Stored::Plain(s) => ValueRef::Text(s.as_bytes()),
            Stored::Deflated(b) => ValueRef::Blob(b),
        }))
    }
}

fn inflate(b: &[u8]) -> Result<String, String> {
    INFLATE.with(|d| {
        let mut d = d.borrow_mut();
        // Abstracts deflate to about half; a text that needs more room is inflated again.
        let mut out = vec![0u8; b.len() * 4 + 64];
        loop {
            match d.deflate_decompress(b, &mut out) {
                Ok(written) => {
                    out.truncate(written);
                    return String::from_utf8(out).map_err(|e| e.to_string());
                }
                Err(DecompressionError::InsufficientSpace) => out.resize(out.len() * 4, 0),
                Err(DecompressionError::BadData) => {
                    return Err("bad or truncated deflate stream".to_string());
                }
            }
        }
    })
}

/// A text column that may be stored packed.
pub(crate) struct Packed(pub String);

impl FromSql for Packed {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(|s| Packed(s.to_string()))
                .map_err(|e| FromSqlError::Other(Box::new(e))),
            ValueRef::Blob(b) => inflate(b)
                .map(Packed)
                .map_err(|e| FromSqlError::Other(e.into())),
            ValueRef::Null => Ok(Packed(String::new())),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

/// A text column as stored, not yet inflated: read inside a read transaction, inflated later
/// (on another thread, say) with [`Stored::into_text`].
pub enum Stored {
    Plain(String),
    Deflated(Vec<u8>),
}

impl FromSql for Stored {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(|s| Stored::Plain(s.to_string()))
                .map_err(|e| FromSqlError::Other(Box::new(e))),
            ValueRef::Blob(b) => Ok(Stored::Deflated(b.to_vec())),
            ValueRef::Null => Ok(Stored::Plain(String::new())),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

impl Stored {
    /// The text, inflated if it was stored packed.
    pub fn into_text(self) -> super::Result<String> {
        match self {
            Stored::Plain(s) => Ok(s),
            Stored::Deflated(b) => inflate(&b).map_err(super::StoreError::Corrupt),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) -> (bool, String) {
        let v = PackedText::pack(s);
        let packed = matches!(v.0, Stored::Deflated(_));
        let ToSqlOutput::Borrowed(stored) = v.to_sql().unwrap() else {
            unreachable!()
        };
        (packed, Packed::column_result(stored).unwrap().0)
    }

    #[test]
    fn long_text_is_packed_and_comes_back_whole() {
        let long =
            "Large language models have significantly enhanced retrieval augmented generation. "
                .repeat(40);
        assert_eq!(round_trip(&long), (true, long.clone()));
        assert_eq!(round_trip("short"), (false, "short".to_string()));
        let unicode = "Wübben – ∑ $x^2$ 数据 ".repeat(30);
        assert_eq!(round_trip(&unicode).1, unicode);
        // a big one needs several output buffers
        let big: String = (0..20000).map(|i| format!("w{} ", i % 977)).collect();
        assert_eq!(round_trip(&big).1, big);
    }

    #[test]
    fn a_broken_blob_is_an_error_not_a_panic() {
        assert!(Packed::column_result(ValueRef::Blob(&[1, 2, 3])).is_err());
        // A stream cut short is an error too, not a shorter abstract.
        let long = "Retrieval augmented generation with large language models. ".repeat(40);
        let PackedText(Stored::Deflated(b)) = PackedText::pack(&long) else {
            panic!("not packed")
        };
        assert!(Packed::column_result(ValueRef::Blob(&b[..b.len() / 2])).is_err());
    }
}

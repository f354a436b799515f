//! Writing files the way every output of arxiv-daily is written: whole or not at all, and
//! durable once written. A file is written under a temporary name beside its place, flushed to
//! disk, renamed over the old one, and the folder flushed too (so the rename survives a power
//! cut): a reader sees the old bytes or the new ones, never a part.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` whole and durably, unless the file already holds them. Returns
/// whether it wrote.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> anyhow::Result<bool> {
    use anyhow::Context;
    if let Ok(old) = std::fs::read(path)
        && old == bytes
    {
        return Ok(false);
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    write_atomic(path, bytes, Mode::Default)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(true)
}

/// Who may read a file written here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// As the umask says.
    Default,
    /// Its owner only (0600 on Unix): secrets.
    Private,
}

/// Writes `bytes` to `path` through `path.tmp`: written, flushed to disk, renamed into place,
/// and the folder flushed. The folder must exist.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], mode: Mode) -> std::io::Result<()> {
    let tmp = temporary(path);
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if mode == Mode::Private {
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        }
        let mut f = opts.open(&tmp)?;
        #[cfg(unix)]
        if mode == Mode::Private {
            // A temporary file left by an earlier attempt keeps its mode: set it again.
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        rename_durably(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Renames `from` to `to` and flushes the folder of `to`, so that the new name is on disk.
pub(crate) fn rename_durably(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::rename(from, to)?;
    sync_folder(to)
}

/// Flushes the folder holding `path` (what records its names). Only where folders can be
/// opened as files (Unix); elsewhere the rename is as durable as the system makes it.
fn sync_folder(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::File::open(folder)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// `path` with `.tmp` added to its name.
fn temporary(path: &Path) -> PathBuf {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    PathBuf::from(tmp)
}

/// `bytes` in lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_two_digits_per_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn a_write_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        assert!(write_if_changed(&path, b"one").unwrap());
        assert!(!write_if_changed(&path, b"one").unwrap());
        assert!(write_if_changed(&path, b"two, longer").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"two, longer");
        assert!(!temporary(&path).exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_private_file_is_its_owners_even_over_a_leftover_temporary() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(temporary(&path), b"old").unwrap();
        std::fs::set_permissions(temporary(&path), std::fs::Permissions::from_mode(0o644)).unwrap();
        write_atomic(&path, b"s3cret", Mode::Private).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"s3cret");
    }
}

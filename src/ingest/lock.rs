//! The single-writer lock: an OS file lock on `<archive>/lock` holding the writer's pid. Readers
//! never take it (SQLite's WAL lets them read while a writer writes). The OS drops the lock when
//! the process dies, so a crash never leaves the archive locked.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

pub(crate) struct WriteLock {
    _file: File,
}

impl WriteLock {
    pub(crate) fn acquire(dir: &Path, wait: bool) -> anyhow::Result<WriteLock> {
        let path = dir.join("lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = pid.trim();
                let who = if pid.is_empty() {
                    "another process".to_string()
                } else {
                    format!("pid {pid}")
                };
                if !wait {
                    anyhow::bail!(
                        "the archive {} is being written by {who}; try again when it is done, or pass --wait",
                        dir.display()
                    );
                }
                eprintln!("arxiv-daily: waiting for {who}, which is writing the archive");
                file.lock()
                    .map_err(|e| anyhow::anyhow!("cannot lock {}: {e}", path.display()))?;
            }
            Err(std::fs::TryLockError::Error(e)) => {
                anyhow::bail!("cannot lock {}: {e}", path.display())
            }
        }
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        write!(file, "{}", std::process::id())?;
        file.flush()?;
        Ok(WriteLock { _file: file })
    }
}

//! The single-writer lock: an OS file lock on `<archive>/lock` holding the writer's pid. Readers
//! never take it (SQLite's WAL lets them read while a writer writes). The OS drops the lock when
//! the process dies, so a crash never leaves the archive locked.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::IngestError;

pub(crate) struct WriteLock {
    _file: File,
}

impl WriteLock {
    pub(crate) fn acquire(dir: &Path, wait: bool) -> Result<WriteLock, IngestError> {
        let path = dir.join("lock");
        let failed = |action: &'static str| {
            let path = path.clone();
            move |source| IngestError::Lock {
                action,
                path,
                source,
            }
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(failed("open"))?;
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
                    return Err(IngestError::Busy {
                        dir: dir.to_path_buf(),
                        who,
                    });
                }
                eprintln!("arxiv-daily: waiting for {who}, which is writing the archive");
                file.lock().map_err(failed("lock"))?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(failed("lock")(e)),
        }
        file.set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| write!(file, "{}", std::process::id()))
            .and_then(|()| file.flush())
            .map_err(failed("write"))?;
        Ok(WriteLock { _file: file })
    }
}

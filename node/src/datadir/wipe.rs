//! Wiping a data folder: nothing readable is left, and `sangam` afterwards finds nothing to
//! unlock.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use super::DataDir;
use crate::error::{NodeError, Result};
use crate::vault;

impl DataDir {
    /// Destroys everything in the folder, then the folder: the key file is overwritten first
    /// (for a folder with a passphrase that alone makes the sealed store unreadable: its data
    /// key is gone); in a plain folder every file is overwritten with zeros before it is
    /// removed. Afterwards `sangam` finds nothing here. (On flash disks the drive may keep old
    /// blocks; that is why the passphrase matters.)
    pub fn destroy(&self) -> Result<()> {
        let sealed = self.has_passphrase();
        if let Ok(meta) = fs::metadata(self.key_path()) {
            let noise = vault::random::<64>()?;
            let len = usize::try_from(meta.len()).unwrap_or(0);
            let filler: Vec<u8> = noise.iter().copied().cycle().take(len.max(64)).collect();
            overwrite(&self.key_path(), &filler)?;
        }
        if let Ok(mut slot) = self.unlocked.lock() {
            *slot = None;
        }
        let mut files = Vec::new();
        let mut folders = vec![self.root.clone()];
        while let Some(folder) = folders.pop() {
            let entries =
                fs::read_dir(&folder).map_err(NodeError::io("reading the data folder"))?;
            for entry in entries.flatten() {
                let path = entry.path();
                match entry.file_type() {
                    Ok(kind) if kind.is_dir() => folders.push(path),
                    _ => files.push(path),
                }
            }
        }
        for file in files {
            if !sealed && file.metadata().is_ok_and(|m| m.is_file()) {
                zero(&file)?;
            }
            let _ = fs::remove_file(&file);
        }
        fs::remove_dir_all(&self.root).map_err(NodeError::io("removing the data folder"))
    }
}

/// Writes `bytes` over the start of the existing file at `path` and makes it durable.
fn overwrite(path: &Path, bytes: &[u8]) -> Result<()> {
    let what = || format!("overwriting {}", path.display());
    let mut file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(NodeError::io(what()))?;
    file.write_all(bytes).map_err(NodeError::io(what()))?;
    file.sync_all().map_err(NodeError::io(what()))
}

/// Writes zeros over the whole file at `path`, a megabyte at a time, and makes it durable.
fn zero(path: &Path) -> Result<()> {
    let what = || format!("overwriting {}", path.display());
    let mut file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(NodeError::io(what()))?;
    let mut left = file.metadata().map_err(NodeError::io(what()))?.len();
    let block = vec![0u8; 1 << 20];
    while left > 0 {
        let n = usize::try_from(left.min(block.len() as u64)).unwrap_or(block.len());
        file.write_all(&block[..n]).map_err(NodeError::io(what()))?;
        left -= n as u64;
    }
    file.sync_all().map_err(NodeError::io(what()))
}

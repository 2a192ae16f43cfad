//! The app's log file: readable by this user only, and kept small on a laptop that runs for
//! months (a thief with the laptop should find little in it; names and text are never logged).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// A log past this size is moved aside (to `<name>.1`, replacing the one before) when the app
/// starts.
pub const MAX_LOG_BYTES: u64 = 1024 * 1024;

/// Opens the log for appending: mode 0600 (also if an older version made it readable to
/// others), rotated first if it grew past [`MAX_LOG_BYTES`].
pub fn open_log(path: &Path) -> io::Result<File> {
    if let Ok(meta) = fs::metadata(path)
        && meta.len() > MAX_LOG_BYTES
    {
        let mut old = path.as_os_str().to_owned();
        old.push(".1");
        fs::rename(path, &old)?;
        fs::set_permissions(&old, fs::Permissions::from_mode(0o600))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn the_log_is_private_and_rotated_once_it_grows() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("sangam-tui.log");
        // An older version's log, readable by everyone.
        fs::write(&path, b"old line\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let mut file = open_log(&path).unwrap();
        file.write_all(b"new line\n").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // Past the limit, the next start moves it aside and begins a fresh one.
        fs::write(&path, vec![b'x'; MAX_LOG_BYTES as usize + 1]).unwrap();
        open_log(&path).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().len(), 0);
        let old = temp.path().join("sangam-tui.log.1");
        assert_eq!(fs::metadata(&old).unwrap().len(), MAX_LOG_BYTES + 1);
        let mode = fs::metadata(&old).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

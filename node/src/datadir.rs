//! The data folder: where a node keeps its key, store, settings and control socket.
//!
//! The folder is private (mode 0700) and the key file is written 0600 through a temporary file
//! and a rename, so a power cut never leaves half a key. A key that fails to load is an error:
//! a new one is never silently made over it, since that would change the node's identity.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sangam_protocol::Keypair;
use serde::{Deserialize, Serialize};

use crate::error::{NodeError, Result};

const KEY_HEADER: &str = "sangam-key-v1";

/// The node's settings, saved by `sangam init`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The collective's name.
    pub name: String,
    /// Its state or region.
    pub region: String,
    /// Whether the identity key was made in this folder (so it has never posted anywhere), as
    /// opposed to restored from a backup (it may have posted before).
    #[serde(default)]
    pub fresh_key: bool,
    /// Whether `sangam run` announces this laptop on the local network (mDNS) by default. Off:
    /// on a café, hostel or shelter Wi-Fi it would let anyone follow the laptop. For trusted
    /// gatherings only.
    #[serde(default)]
    pub mdns: bool,
    /// The port `sangam run` listens on (TCP and QUIC) unless told otherwise: picked at random
    /// by `init`, so that a scan for one well-known port does not find every collective. Absent
    /// in folders made before: 7117.
    #[serde(default)]
    pub port: Option<u16>,
}

/// The port folders made before `init` picked one listen on.
pub const OLD_DEFAULT_PORT: u16 = 7117;

impl Settings {
    /// Where `sangam run` listens unless told otherwise: TCP and QUIC on every interface, on
    /// this folder's port.
    pub fn listen_addresses(&self) -> Vec<String> {
        let port = self.port.unwrap_or(OLD_DEFAULT_PORT);
        vec![
            format!("/ip4/0.0.0.0/tcp/{port}"),
            format!("/ip4/0.0.0.0/udp/{port}/quic-v1"),
        ]
    }
}

/// A port from the dynamic range, picked at random (none of the well-known ports a scanner
/// tries first).
fn random_port() -> Result<u16> {
    let mut bytes = [0u8; 2];
    getrandom::fill(&mut bytes).map_err(|e| NodeError::Io {
        what: "the system's random number source failed".into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    // 20,000–59,999: above the registered services most scanners try, below the range
    // operating systems hand out for outgoing connections.
    Ok(20_000 + u16::from_be_bytes(bytes) % 40_000)
}

/// A node's data folder.
#[derive(Clone, Debug)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The folder to use: the one given, else the platform's data folder for Sangam.
    pub fn resolve(given: Option<PathBuf>) -> Result<PathBuf> {
        if let Some(path) = given {
            return Ok(path);
        }
        directories::ProjectDirs::from("org", "Sangam", "sangam")
            .map(|dirs| dirs.data_dir().to_path_buf())
            .ok_or_else(|| {
                NodeError::NotFound(
                    "no home folder was found; pass --data-dir DIR or set SANGAM_DATA_DIR".into(),
                )
            })
    }

    /// Opens the folder, creating it (private) if it does not exist.
    pub fn open(root: &Path) -> Result<DataDir> {
        let data_dir_error = |source| NodeError::DataDir {
            path: root.to_path_buf(),
            source,
        };
        if let Ok(meta) = fs::symlink_metadata(root) {
            if meta.file_type().is_symlink() {
                return Err(NodeError::UnsafeDataDir {
                    path: root.to_path_buf(),
                    why: "it is a symbolic link",
                });
            }
            if !meta.is_dir() {
                return Err(NodeError::UnsafeDataDir {
                    path: root.to_path_buf(),
                    why: "it is a file, not a folder",
                });
            }
        } else {
            fs::create_dir_all(root).map_err(data_dir_error)?;
        }
        fs::set_permissions(root, fs::Permissions::from_mode(0o700)).map_err(data_dir_error)?;
        Ok(DataDir {
            root: root.to_path_buf(),
        })
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The identity key file.
    pub fn key_path(&self) -> PathBuf {
        self.root.join("identity.key")
    }

    /// The sled store.
    pub fn store_path(&self) -> PathBuf {
        self.root.join("store")
    }

    /// The control socket of a running daemon.
    pub fn socket_path(&self) -> PathBuf {
        DataDir::socket_path_of(&self.root)
    }

    /// The control socket of the folder at `root`, without opening the folder.
    pub fn socket_path_of(root: &Path) -> PathBuf {
        root.join("control.sock")
    }

    /// The daemon's log file.
    pub fn log_path(&self) -> PathBuf {
        self.root.join("sangam.log")
    }

    fn settings_path(&self) -> PathBuf {
        self.root.join("settings.json")
    }

    /// Whether `init` has been run here.
    pub fn is_initialised(&self) -> bool {
        self.key_path().exists()
    }

    /// Makes a new identity and saves it with the settings. A key file already here without
    /// settings is a key restored from a backup: it is kept (never replaced) and marked as one
    /// that may have posted before. Fails if this folder is fully set up already.
    pub fn initialise(&self, settings: &Settings) -> Result<Keypair> {
        if self.is_initialised() {
            let existing = self.load_identity()?;
            if self.settings_path().exists() {
                return Err(NodeError::AlreadyInitialised(existing.author().to_string()));
            }
            self.save_settings(&Settings {
                fresh_key: false,
                port: Some(settings.port.map_or_else(random_port, Ok)?),
                ..settings.clone()
            })?;
            return Ok(existing);
        }
        let mut secret = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut secret[..]).map_err(|e| NodeError::Io {
            what: "the system's random number source failed".into(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let keypair = Keypair::from_secret_bytes(&secret);
        let text = zeroize::Zeroizing::new(format!("{KEY_HEADER}\n{}\n", hex(&secret[..])));
        write_private(&self.key_path(), text.as_bytes())?;
        self.save_settings(&Settings {
            fresh_key: true,
            port: Some(settings.port.map_or_else(random_port, Ok)?),
            ..settings.clone()
        })?;
        Ok(keypair)
    }

    /// Loads the identity. Missing: not initialised. Unreadable: an error, never a new key.
    pub fn load_identity(&self) -> Result<Keypair> {
        let path = self.key_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => zeroize::Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(NodeError::NotInitialised);
            }
            Err(e) => {
                return Err(NodeError::BadKeyFile {
                    path,
                    why: e.to_string(),
                });
            }
        };
        let bad = |why: &str| NodeError::BadKeyFile {
            path: path.clone(),
            why: why.into(),
        };
        let mut lines = text.lines();
        if lines.next() != Some(KEY_HEADER) {
            return Err(bad("it does not start with the Sangam key header"));
        }
        let digits = lines.next().ok_or_else(|| bad("the key line is missing"))?;
        let mut secret = zeroize::Zeroizing::new([0u8; 32]);
        if digits.len() != 64 {
            return Err(bad("the key line is not 64 hexadecimal digits"));
        }
        for (i, pair) in digits.as_bytes().chunks(2).enumerate() {
            let pair = std::str::from_utf8(pair).map_err(|_| bad("the key is not hexadecimal"))?;
            secret[i] =
                u8::from_str_radix(pair, 16).map_err(|_| bad("the key is not hexadecimal"))?;
        }
        Ok(Keypair::from_secret_bytes(&secret))
    }

    /// The saved settings.
    pub fn settings(&self) -> Result<Settings> {
        let path = self.settings_path();
        let text = fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => NodeError::NotInitialised,
            _ => NodeError::Io {
                what: format!("reading {}", path.display()),
                source: e,
            },
        })?;
        serde_json::from_str(&text).map_err(|_| NodeError::Corrupt("settings.json is not valid"))
    }

    /// Saves the settings.
    pub fn save_settings(&self, settings: &Settings) -> Result<()> {
        let text = serde_json::to_vec_pretty(settings)
            .map_err(|_| NodeError::Corrupt("settings could not be encoded"))?;
        write_private(&self.settings_path(), &text)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `bytes` to `path` with mode 0600, durably: temp file, fsync, rename.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let temp = path.with_extension("tmp");
    let what = || format!("writing {}", path.display());
    let _ = fs::remove_file(&temp);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)
        .map_err(NodeError::io(what()))?;
    file.write_all(bytes).map_err(NodeError::io(what()))?;
    file.sync_all().map_err(NodeError::io(what()))?;
    fs::rename(&temp, path).map_err(NodeError::io(what()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            name: "Utthan".into(),
            region: "West Bengal".into(),
            fresh_key: true,
            mdns: false,
            port: Some(23_456),
        }
    }

    #[test]
    fn init_picks_a_random_port_unless_one_is_given() {
        let temp = tempfile::tempdir().unwrap();
        let mut ports = std::collections::BTreeSet::new();
        for i in 0..8 {
            let dir = DataDir::open(&temp.path().join(format!("node{i}"))).unwrap();
            dir.initialise(&Settings {
                port: None,
                ..settings()
            })
            .unwrap();
            let port = dir.settings().unwrap().port.unwrap();
            assert!((20_000..60_000).contains(&port), "{port}");
            ports.insert(port);
        }
        assert!(ports.len() > 1, "eight folders all got port {ports:?}");
        let listen = settings().listen_addresses();
        assert_eq!(
            listen,
            ["/ip4/0.0.0.0/tcp/23456", "/ip4/0.0.0.0/udp/23456/quic-v1"]
        );
    }

    #[test]
    fn identity_survives_reopening_and_is_private() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(&temp.path().join("node")).unwrap();
        let keypair = dir.initialise(&settings()).unwrap();
        let again = DataDir::open(dir.root()).unwrap().load_identity().unwrap();
        assert_eq!(keypair.author(), again.author());
        let mode = fs::metadata(dir.key_path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let mode = fs::metadata(dir.root()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        assert_eq!(dir.settings().unwrap(), settings());
    }

    #[test]
    fn a_second_init_refuses_and_keeps_the_key() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(temp.path()).unwrap();
        let keypair = dir.initialise(&settings()).unwrap();
        assert!(matches!(
            dir.initialise(&settings()),
            Err(NodeError::AlreadyInitialised(_))
        ));
        assert_eq!(dir.load_identity().unwrap().author(), keypair.author());
    }

    #[test]
    fn a_damaged_key_is_an_error_not_a_new_identity() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(temp.path()).unwrap();
        dir.initialise(&settings()).unwrap();
        fs::write(dir.key_path(), "sangam-key-v1\nnot hex\n").unwrap();
        assert!(matches!(
            dir.load_identity(),
            Err(NodeError::BadKeyFile { .. })
        ));
        assert!(matches!(
            dir.initialise(&settings()),
            Err(NodeError::BadKeyFile { .. })
        ));
    }

    #[test]
    fn a_restored_key_is_kept_and_marked_as_possibly_used() {
        let temp = tempfile::tempdir().unwrap();
        let original = DataDir::open(&temp.path().join("old")).unwrap();
        let keypair = original.initialise(&settings()).unwrap();
        let restored = DataDir::open(&temp.path().join("new")).unwrap();
        fs::copy(original.key_path(), restored.key_path()).unwrap();
        let again = restored.initialise(&settings()).unwrap();
        assert_eq!(again.author(), keypair.author());
        assert!(!restored.settings().unwrap().fresh_key);
        assert!(original.settings().unwrap().fresh_key);
    }

    #[test]
    fn a_missing_key_means_not_initialised() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(temp.path()).unwrap();
        assert!(matches!(
            dir.load_identity(),
            Err(NodeError::NotInitialised)
        ));
    }

    #[test]
    fn a_symlinked_data_dir_is_refused() {
        let temp = tempfile::tempdir().unwrap();
        let real = temp.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = temp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(matches!(
            DataDir::open(&link),
            Err(NodeError::UnsafeDataDir { .. })
        ));
    }
}

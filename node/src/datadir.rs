//! The data folder: where a node keeps its key, store, settings and control socket.
//!
//! The folder is private (mode 0700) and the key file is written 0600 through a temporary file
//! and a rename, so a power cut never leaves half a key. A key that fails to load is an error:
//! a new one is never silently made over it, since that would change the node's identity.
//! With a passphrase, the key file is sealed ([`keyfile`]) and so are the settings' name and
//! region and every stored value that holds words or addresses ([`crate::vault`]).

use std::fs::{self, OpenOptions};
use std::io::IsTerminal;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sangam_protocol::Keypair;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{NodeError, Result};
use crate::vault::{self, Passphrase, Vault};

mod keyfile;
mod wipe;

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
    /// Where `sangam run` listens (multiaddresses), instead of every interface on `port`: for a
    /// hub run as a service, so it needs no command-line flags. Empty: the default.
    #[serde(default)]
    pub listen: Vec<String>,
    /// Peers `sangam run` connects to at start besides those it knows (multiaddresses ending in
    /// `/p2p/<id>`), like `--bootstrap`.
    #[serde(default)]
    pub bootstrap: Vec<String>,
    /// Whether `sangam run` relays for members that cannot be dialled directly (`--relay`).
    #[serde(default)]
    pub relay: bool,
}

/// The port folders made before `init` picked one listen on.
pub const OLD_DEFAULT_PORT: u16 = 7117;

impl Settings {
    /// Where `sangam run` listens unless told otherwise: TCP and QUIC on every interface, IPv4
    /// and IPv6 (much mobile data is IPv6 first, where a firewall rather than a NAT stands
    /// between two laptops), on this folder's port.
    pub fn listen_addresses(&self) -> Vec<String> {
        if !self.listen.is_empty() {
            return self.listen.clone();
        }
        let port = self.port.unwrap_or(OLD_DEFAULT_PORT);
        vec![
            format!("/ip4/0.0.0.0/tcp/{port}"),
            format!("/ip4/0.0.0.0/udp/{port}/quic-v1"),
            format!("/ip6/::/tcp/{port}"),
            format!("/ip6/::/udp/{port}/quic-v1"),
        ]
    }
}

/// A port from the dynamic range, picked at random (none of the well-known ports a scanner
/// tries first).
fn random_port() -> Result<u16> {
    // 20,000–59,999: above the registered services most scanners try, below the range
    // operating systems hand out for outgoing connections.
    Ok(20_000 + u16::from_be_bytes(vault::random::<2>()?) % 40_000)
}

/// Where a command gets the folder's passphrase, if the folder has one.
#[derive(Clone, Debug, Default)]
pub enum PassphraseSource {
    /// Ask on the terminal (no echo); without a terminal, the folder stays locked.
    #[default]
    Prompt,
    /// The first line of this file (`--passphrase-file`, `SANGAM_PASSPHRASE_FILE`, a systemd
    /// credential).
    File(PathBuf),
    /// Given by the program (the terminal app's own prompt, tests).
    Given(Passphrase),
}

impl PassphraseSource {
    /// Reads the passphrase.
    pub fn read(&self) -> Result<Passphrase> {
        match self {
            PassphraseSource::Given(p) => Ok(p.clone()),
            PassphraseSource::File(path) => {
                let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| NodeError::Io {
                    what: format!("reading the passphrase file {}", path.display()),
                    source: e,
                })?);
                Ok(Zeroizing::new(
                    text.lines().next().unwrap_or_default().to_string(),
                ))
            }
            // Only when a person is at the keyboard: a script without a passphrase file gets
            // a plain error instead of hanging on a prompt nobody sees.
            PassphraseSource::Prompt if !std::io::stdin().is_terminal() => Err(NodeError::Locked),
            PassphraseSource::Prompt => {
                rpassword::prompt_password("Passphrase for this Sangam folder: ")
                    .map(Zeroizing::new)
                    .map_err(|_| NodeError::Locked)
            }
        }
    }
}

/// The unlocked key file, kept for the life of the process so the passphrase is asked once.
struct Unlocked {
    secret: Zeroizing<[u8; 32]>,
    vault: Option<Vault>,
}

/// A node's data folder.
#[derive(Clone)]
pub struct DataDir {
    root: PathBuf,
    passphrase: PassphraseSource,
    unlocked: Arc<Mutex<Option<Arc<Unlocked>>>>,
}

impl std::fmt::Debug for DataDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataDir").field("root", &self.root).finish()
    }
}

/// What the settings file holds: the settings, with the name and region sealed when the folder
/// has a passphrase (so the file names no collective).
#[derive(Default, Serialize, Deserialize)]
struct SettingsFile {
    #[serde(default)]
    name: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    fresh_key: bool,
    #[serde(default)]
    mdns: bool,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    listen: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    bootstrap: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    relay: bool,
    /// Hex of the sealed `[name, region]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed: Option<String>,
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

    /// Opens the folder, creating it (private) if it does not exist. From here on every file
    /// this process creates is private to its user (mode 0600, folders 0700): the store's own
    /// files, made by sled, included.
    pub fn open(root: &Path) -> Result<DataDir> {
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
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
            passphrase: PassphraseSource::default(),
            unlocked: Arc::default(),
        })
    }

    /// The same folder, unlocked with a passphrase from `source` when it has one.
    pub fn with_passphrase(mut self, source: PassphraseSource) -> DataDir {
        self.passphrase = source;
        self
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

    /// Whether the folder holds a key copied in from a backup and nothing else set up yet
    /// (`init` keeps such a key instead of making one).
    pub fn holds_restored_key(&self) -> bool {
        self.is_initialised() && !self.settings_path().exists()
    }

    /// Whether the key file is sealed with a passphrase (without asking for it).
    pub fn has_passphrase(&self) -> bool {
        fs::read_to_string(self.key_path()).is_ok_and(|text| keyfile::is_sealed(&text))
    }

    /// Makes a new identity and saves it with the settings; with a passphrase, the key file is
    /// sealed with it and a new data key that seals the store. A key file already here without
    /// settings is a key restored from a backup: it is kept (never replaced) and marked as one
    /// that may have posted before. Fails if this folder is fully set up already.
    pub fn initialise(&self, settings: &Settings, passphrase: Option<&str>) -> Result<Keypair> {
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
        let secret = Zeroizing::new(vault::random::<32>()?);
        let keypair = Keypair::from_secret_bytes(&secret);
        let (text, vault) = match passphrase.filter(|p| !p.is_empty()) {
            Some(passphrase) => {
                let data_key = Zeroizing::new(vault::random::<32>()?);
                let text = keyfile::sealed(&secret, &data_key, passphrase, vault::KDF_COST)?;
                (Zeroizing::new(text), Some(Vault::new(&data_key)))
            }
            None => (keyfile::plain(&secret), None),
        };
        write_private(&self.key_path(), text.as_bytes())?;
        self.remember(Unlocked { secret, vault });
        self.save_settings(&Settings {
            fresh_key: true,
            port: Some(settings.port.map_or_else(random_port, Ok)?),
            ..settings.clone()
        })?;
        Ok(keypair)
    }

    fn remember(&self, unlocked: Unlocked) -> Arc<Unlocked> {
        let unlocked = Arc::new(unlocked);
        if let Ok(mut slot) = self.unlocked.lock() {
            *slot = Some(unlocked.clone());
        }
        unlocked
    }

    /// Opens the key file once (asking for the passphrase if it is sealed).
    fn unlock(&self) -> Result<Arc<Unlocked>> {
        if let Some(done) = self.unlocked.lock().ok().and_then(|slot| slot.clone()) {
            return Ok(done);
        }
        let path = self.key_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => Zeroizing::new(text),
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
        let keys = keyfile::open(&path, &text, || self.passphrase.read())?;
        Ok(self.remember(Unlocked {
            secret: keys.secret,
            vault: keys.vault,
        }))
    }

    /// Loads the identity. Missing: not initialised. Unreadable: an error, never a new key.
    pub fn load_identity(&self) -> Result<Keypair> {
        Ok(Keypair::from_secret_bytes(&self.unlock()?.secret))
    }

    /// The data key, for a folder made with a passphrase; `None` for a plain folder.
    pub fn vault(&self) -> Result<Option<Vault>> {
        Ok(self.unlock()?.vault.clone())
    }

    /// Opens the folder's store, sealed with its data key when it has one.
    #[cfg(feature = "daemon")]
    pub fn open_store(&self) -> Result<crate::store::Store> {
        crate::store::Store::open_sealed(&self.store_path(), self.vault()?)
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
        let file: SettingsFile = serde_json::from_str(&text)
            .map_err(|_| NodeError::Corrupt("settings.json is not valid"))?;
        let (name, region) = match &file.sealed {
            Some(sealed) => {
                let vault = self.vault()?.ok_or(NodeError::Corrupt(
                    "settings.json is sealed but the key file is not",
                ))?;
                let plain = hex::decode(sealed)
                    .ok()
                    .and_then(|bytes| vault.open(SETTINGS_CONTEXT, &bytes).ok())
                    .ok_or(NodeError::Corrupt(
                        "settings.json's sealed part does not open",
                    ))?;
                serde_json::from_slice::<(String, String)>(&plain)
                    .map_err(|_| NodeError::Corrupt("settings.json's sealed part is not valid"))?
            }
            None => (file.name, file.region),
        };
        Ok(Settings {
            name,
            region,
            fresh_key: file.fresh_key,
            mdns: file.mdns,
            port: file.port,
            listen: file.listen,
            bootstrap: file.bootstrap,
            relay: file.relay,
        })
    }

    /// Saves the settings (name and region sealed when the folder has a passphrase).
    pub fn save_settings(&self, settings: &Settings) -> Result<()> {
        let mut file = SettingsFile {
            fresh_key: settings.fresh_key,
            mdns: settings.mdns,
            port: settings.port,
            listen: settings.listen.clone(),
            bootstrap: settings.bootstrap.clone(),
            relay: settings.relay,
            ..SettingsFile::default()
        };
        match self.vault()? {
            Some(vault) => {
                let plain = serde_json::to_vec(&(&settings.name, &settings.region))
                    .map_err(|_| NodeError::Corrupt("settings could not be encoded"))?;
                file.sealed = Some(hex::encode(vault.seal(SETTINGS_CONTEXT, &plain)?));
            }
            None => {
                file.name = settings.name.clone();
                file.region = settings.region.clone();
            }
        }
        let text = serde_json::to_vec_pretty(&file)
            .map_err(|_| NodeError::Corrupt("settings could not be encoded"))?;
        write_private(&self.settings_path(), &text)
    }
}

/// What the sealed part of settings.json is bound to.
const SETTINGS_CONTEXT: &[u8] = b"settings.json";

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
            ..Settings::default()
        }
    }

    #[test]
    fn init_picks_a_random_port_unless_one_is_given() {
        let temp = tempfile::tempdir().unwrap();
        let mut ports = std::collections::BTreeSet::new();
        for i in 0..8 {
            let dir = DataDir::open(&temp.path().join(format!("node{i}"))).unwrap();
            dir.initialise(
                &Settings {
                    port: None,
                    ..settings()
                },
                None,
            )
            .unwrap();
            let port = dir.settings().unwrap().port.unwrap();
            assert!((20_000..60_000).contains(&port), "{port}");
            ports.insert(port);
        }
        assert!(ports.len() > 1, "eight folders all got port {ports:?}");
        let listen = settings().listen_addresses();
        assert_eq!(
            listen,
            [
                "/ip4/0.0.0.0/tcp/23456",
                "/ip4/0.0.0.0/udp/23456/quic-v1",
                "/ip6/::/tcp/23456",
                "/ip6/::/udp/23456/quic-v1"
            ]
        );
    }

    #[test]
    fn identity_survives_reopening_and_is_private() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(&temp.path().join("node")).unwrap();
        let keypair = dir.initialise(&settings(), None).unwrap();
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
        let keypair = dir.initialise(&settings(), None).unwrap();
        assert!(matches!(
            dir.initialise(&settings(), None),
            Err(NodeError::AlreadyInitialised(_))
        ));
        assert_eq!(dir.load_identity().unwrap().author(), keypair.author());
    }

    #[test]
    fn a_damaged_key_is_an_error_not_a_new_identity() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(temp.path()).unwrap();
        dir.initialise(&settings(), None).unwrap();
        fs::write(dir.key_path(), "sangam-key-v1\nnot hex\n").unwrap();
        // A later command (this process has the key it made in memory).
        let dir = DataDir::open(temp.path()).unwrap();
        assert!(matches!(
            dir.load_identity(),
            Err(NodeError::BadKeyFile { .. })
        ));
        assert!(matches!(
            dir.initialise(&settings(), None),
            Err(NodeError::BadKeyFile { .. })
        ));
    }

    #[test]
    fn a_restored_key_is_kept_and_marked_as_possibly_used() {
        let temp = tempfile::tempdir().unwrap();
        let original = DataDir::open(&temp.path().join("old")).unwrap();
        let keypair = original.initialise(&settings(), None).unwrap();
        let restored = DataDir::open(&temp.path().join("new")).unwrap();
        fs::copy(original.key_path(), restored.key_path()).unwrap();
        assert!(restored.holds_restored_key());
        let again = restored.initialise(&settings(), None).unwrap();
        assert!(!restored.holds_restored_key());
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

    #[test]
    fn a_hub_sets_where_it_listens_and_whom_it_dials_in_the_settings_file() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(temp.path()).unwrap();
        dir.initialise(&settings(), None).unwrap();
        let text = fs::read_to_string(temp.path().join("settings.json")).unwrap();
        assert!(
            !text.contains("listen"),
            "defaults are not written out: {text}"
        );
        let hub = Settings {
            listen: vec!["/ip4/0.0.0.0/tcp/4001".into()],
            bootstrap: vec!["/dns4/hub.example.org/tcp/4001/p2p/12D3KooWLCUsXfwBnptoFKJv3o2MPqwDmn63TQ8q5LBqr9oUt7W3".into()],
            ..settings()
        };
        dir.save_settings(&hub).unwrap();
        let again = DataDir::open(temp.path()).unwrap().settings().unwrap();
        assert_eq!(again, hub);
        assert_eq!(
            again.listen_addresses(),
            vec!["/ip4/0.0.0.0/tcp/4001".to_string()]
        );
    }

    #[test]
    fn a_folder_with_a_passphrase_names_nobody_and_asks_once() {
        let temp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(temp.path()).unwrap();
        let keypair = dir.initialise(&settings(), Some("river of many")).unwrap();
        assert!(dir.has_passphrase());
        for file in ["identity.key", "settings.json"] {
            let text = fs::read_to_string(temp.path().join(file)).unwrap();
            assert!(
                !text.contains("Utthan") && !text.contains("West Bengal"),
                "{file}: {text}"
            );
            let secret = hex::encode(&keypair.secret_bytes()[..]);
            assert!(!text.contains(&secret), "{file} holds the key");
        }
        let locked = DataDir::open(temp.path())
            .unwrap()
            .with_passphrase(PassphraseSource::File(temp.path().join("missing")));
        assert!(locked.load_identity().is_err());
        let wrong = DataDir::open(temp.path())
            .unwrap()
            .with_passphrase(PassphraseSource::Given(Zeroizing::new("river".into())));
        assert!(matches!(
            wrong.load_identity(),
            Err(NodeError::WrongPassphrase)
        ));
        let passphrase_file = temp.path().join("pass");
        fs::write(&passphrase_file, "river of many\n").unwrap();
        let right = DataDir::open(temp.path())
            .unwrap()
            .with_passphrase(PassphraseSource::File(passphrase_file));
        assert_eq!(right.load_identity().unwrap().author(), keypair.author());
        assert_eq!(right.settings().unwrap(), settings());
        assert!(right.vault().unwrap().is_some());
    }
}

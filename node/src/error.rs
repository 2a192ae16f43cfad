//! The node crate's one error type, in words a collective's leader can act on.

use std::path::PathBuf;

/// What went wrong in the node.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The data folder could not be created, read or secured.
    #[error("the data folder {path} cannot be used: {source}")]
    DataDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The data folder is not private (symlink, or owned by someone else).
    #[error("the data folder {path} is not safe to use: {why}")]
    UnsafeDataDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        why: &'static str,
    },
    /// The key file exists but could not be read as a key. It is never silently replaced.
    #[error(
        "the identity key {path} is damaged or unreadable ({why}); restore it from a backup — \
         Sangam will not make a new one over it"
    )]
    BadKeyFile {
        /// The key file.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// The folder is locked with a passphrase and none was given.
    #[error(
        "this data folder is locked with a passphrase: run the command in a terminal to type it, \
         or pass --passphrase-file FILE (or set SANGAM_PASSPHRASE_FILE)"
    )]
    Locked,
    /// The passphrase given does not open the key file.
    #[error("that passphrase does not open this data folder; check it and try again")]
    WrongPassphrase,
    /// `init` has not been run for this data folder.
    #[error("this node is not set up yet: run `sangam init --name NAME` first")]
    NotInitialised,
    /// `init` was run already.
    #[error("this node is already set up (id {0}); use another --data-dir for a second node")]
    AlreadyInitialised(String),
    /// The node is not part of a network yet.
    #[error(
        "this node is not in a network yet: found one with `sangam network create --name NAME` \
         or join one with `sangam join INVITE`"
    )]
    NoNetwork,
    /// The node is already part of a network.
    #[error("this node already belongs to the network {0}")]
    AlreadyInNetwork(String),
    /// Another process (a running `sangam run`, usually) holds the data folder's store.
    #[error(
        "another Sangam node is using this data folder; stop it first (`sangam status` says \
         whether one is running)"
    )]
    FolderInUse,
    /// The on-disk store failed.
    #[cfg(feature = "daemon")]
    #[error("the message store failed: {0}")]
    Store(#[from] sled::Error),
    /// Something in the store is not what this version wrote.
    #[error("the message store holds damaged data: {0}")]
    Corrupt(&'static str),
    /// A message, invite or proof broke a protocol rule.
    #[error("{0}")]
    Protocol(#[from] sangam_protocol::Error),
    /// This node may not do what was asked.
    #[error("{0}")]
    NotAllowed(String),
    /// A laptop restored from a backed-up key may not post until members have told it what it
    /// posted before (a new post could otherwise reuse a sequence number).
    #[error(
        "this laptop is still fetching its own earlier posts from the network; keep `sangam run` \
         going and post once it has reached two members (or every member, in a smaller network)"
    )]
    OwnFeedPending,
    /// Something the user named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The running daemon could not be reached or answered something unreadable.
    #[error("{0}")]
    Api(String),
    /// The node refused a control request; `reason` is its stable reason code.
    #[error("{message}")]
    Refused {
        /// The stable reason code (see PROTOCOL.md, "Control API").
        reason: String,
        /// Why, in plain words.
        message: String,
    },
    /// A control request named an address that is not one.
    #[error("`{0}` is not a network address like /ip4/1.2.3.4/tcp/7117/p2p/12D3KooW…")]
    BadAddress(String),
    /// The node could not start a connection to an address.
    #[error("cannot connect to {address}: {why}")]
    CannotDial {
        /// The address as given.
        address: String,
        /// Why, as libp2p said it.
        why: String,
    },
    /// A post was signed but could not be saved to disk; it was not sent.
    #[error("the post could not be saved to disk ({0})")]
    NotSaved(String),
    /// A control request that is not one line of valid JSON naming a known request.
    #[error("{0}")]
    InvalidRequest(String),
    /// The node stopped before it answered.
    #[error("the node is shutting down")]
    ShuttingDown,
    /// What was asked needs the daemon running.
    #[error("this needs the node to be running: start it with `sangam run`")]
    NotRunning,
    /// Reading or writing a file or socket failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The network layer could not start.
    #[error("the network could not start: {0}")]
    Network(String),
}

impl NodeError {
    /// Wraps an I/O error with what was being done.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> NodeError {
        let what = what.into();
        move |source| NodeError::Io { what, source }
    }
}

impl NodeError {
    /// The stable reason code a control-API client gets with this error.
    pub fn reason(&self) -> &str {
        match self {
            NodeError::DataDir { .. } | NodeError::UnsafeDataDir { .. } => "data_folder",
            NodeError::BadKeyFile { .. } => "bad_key_file",
            NodeError::Locked => "locked",
            NodeError::WrongPassphrase => "wrong_passphrase",
            NodeError::NotInitialised => "not_initialised",
            NodeError::AlreadyInitialised(_) => "already_initialised",
            NodeError::NoNetwork => "no_network",
            NodeError::AlreadyInNetwork(_) => "already_in_network",
            NodeError::FolderInUse => "folder_in_use",
            #[cfg(feature = "daemon")]
            NodeError::Store(_) => "store_failed",
            NodeError::Corrupt(_) => "store_damaged",
            NodeError::Protocol(rule) => rule.reason(),
            NodeError::NotAllowed(_) => "not_allowed",
            NodeError::OwnFeedPending => "own_feed_pending",
            NodeError::NotFound(_) => "not_found",
            NodeError::Api(_) => "api",
            NodeError::Refused { reason, .. } => reason,
            NodeError::BadAddress(_) => "bad_address",
            NodeError::CannotDial { .. } => "cannot_dial",
            NodeError::NotSaved(_) => "disk",
            NodeError::ShuttingDown => "shutting_down",
            NodeError::InvalidRequest(_) => "invalid_request",
            NodeError::NotRunning => "not_running",
            NodeError::Io { .. } => "io",
            NodeError::Network(_) => "network",
        }
    }

    /// This error as a control-API answer.
    pub fn to_response(&self) -> sangam_protocol::api::Response {
        sangam_protocol::api::Response::Error {
            reason: self.reason().to_string(),
            message: self.to_string(),
        }
    }
}

/// A refusal of a peer rather than of a message: counted in `sangam status` under its reason
/// code, beside the message rules' codes (PROTOCOL.md §10).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PeerRefusal {
    /// A connection whose peer did not prove membership (or whose proof was refused).
    OutsiderConnection,
    /// A peer that sent provably invalid messages too often; disconnected for a while.
    MisbehavingPeer,
    /// A stranger's connection past the few this node allows at once.
    StrangerOverBudget,
    /// A member asked to sync more often than this node answers.
    SyncRateLimited,
    /// A relay reservation or circuit refused (not a member, or over the limits).
    RelayRefused,
}

impl PeerRefusal {
    /// Its stable reason code.
    pub fn reason(self) -> &'static str {
        match self {
            PeerRefusal::OutsiderConnection => "outsider_connection",
            PeerRefusal::MisbehavingPeer => "misbehaving_peer",
            PeerRefusal::StrangerOverBudget => "stranger_over_budget",
            PeerRefusal::SyncRateLimited => "sync_rate_limited",
            PeerRefusal::RelayRefused => "relay_refused",
        }
    }
}

/// Results in the node crate.
pub type Result<T, E = NodeError> = std::result::Result<T, E>;

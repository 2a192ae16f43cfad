//! Setting a collective's node up, as `sangam network create` and `sangam join` do (and the
//! demo): found a network, or join one with an invite. `sangam init` is
//! [`crate::datadir::DataDir::initialise`]; admitting goes through the control API
//! ([`crate::client::Client::admit`]).

use sangam_protocol::invite::Invite;
use sangam_protocol::{NetworkId, Role};

use crate::datadir::DataDir;
use crate::error::Result;
use crate::ledger::Ledger;

/// The network a node joined.
#[derive(Clone, Debug)]
pub struct Joined {
    /// Its id.
    pub network: NetworkId,
    /// Its name.
    pub name: String,
    /// This collective's role in it.
    pub role: Role,
}

/// Founds a network named `name` with this collective as founder and first steward.
pub fn found(dir: &DataDir, name: &str, now: u64) -> Result<NetworkId> {
    let keypair = dir.load_identity()?;
    let settings = dir.settings()?;
    let mut ledger = Ledger::open(dir.open_store()?)?;
    let genesis = ledger.found(&keypair, name, &settings.name, now)?;
    Ok(genesis.header().network)
}

/// Joins the network an invite leads to, and remembers the inviter's addresses to dial.
pub fn join(dir: &DataDir, invite: &str, now: u64) -> Result<Joined> {
    let keypair = dir.load_identity()?;
    let settings = dir.settings()?;
    let invite = Invite::decode(invite)?;
    let mut ledger = Ledger::open(dir.open_store()?)?;
    let proven = ledger.join(&invite.proof, &keypair.author(), !settings.fresh_key, now)?;
    ledger.save_bootstrap_addresses(&invite.addresses)?;
    let name = ledger
        .membership()
        .map(|m| m.network_name().to_string())
        .unwrap_or_default();
    Ok(Joined {
        network: proven.network,
        name,
        role: proven.role,
    })
}

//! Helpers the ledger's unit tests share.

use sangam_protocol::kinds::{Admit, Announcement, Revoke};
use sangam_protocol::{Body, Keypair, Message, MessageId, Role};

use super::Ledger;
use super::store::Store;

/// The time the ledger's unit tests run at.
pub const NOW: u64 = 1_780_000_000_000;

/// A network founded by `founder` in `dir` (named "Sangam", founder "Forum").
pub fn founded(dir: &std::path::Path, founder: &Keypair) -> Ledger {
    let mut ledger = Ledger::open(Store::open(dir).expect("store")).expect("ledger");
    ledger
        .found(founder, "Sangam", "Forum", NOW)
        .expect("founded");
    ledger
}

/// The ledger over the store in `dir`.
pub(crate) fn open(dir: &std::path::Path) -> Ledger {
    Ledger::open(Store::open(dir).unwrap()).unwrap()
}

/// An admission of `member`.
pub(crate) fn admit(member: &Keypair, role: Role, name: &str) -> Body {
    Body::Admit(Admit {
        member: member.author(),
        role,
        name: name.into(),
    })
}

/// An announcement titled `title`.
pub(crate) fn note(title: &str) -> Body {
    Body::Announcement(Announcement {
        title: title.into(),
        body: "…".into(),
        tags: Vec::new(),
        expires_at: None,
    })
}

/// A network founded at `at` in `dir` by key 1 ("Forum"), with key 2 admitted as steward "S".
pub(crate) fn with_steward(dir: &std::path::Path, at: u64) -> (Ledger, Keypair, Keypair) {
    let founder = Keypair::from_secret_bytes(&[1; 32]);
    let steward = Keypair::from_secret_bytes(&[2; 32]);
    let mut ledger = open(dir);
    ledger.found(&founder, "Sangam", "Forum", at).unwrap();
    ledger
        .publish(&founder, admit(&steward, Role::Steward, "S"), at)
        .unwrap();
    (ledger, founder, steward)
}

/// Messages of `author`'s feed signed by hand from `seq` on `prev`.
pub(crate) fn signed(
    ledger: &Ledger,
    author: &Keypair,
    seq: u64,
    prev: Option<MessageId>,
    body: Body,
) -> Message {
    sangam_protocol::Draft {
        network: ledger.network().unwrap(),
        seq,
        prev,
        timestamp: NOW,
        body,
    }
    .sign(author)
    .unwrap()
}

/// A network with steward S (key 2) and member M (key 3), and the body of a revocation of M
/// trusting none of its messages, for S to sign by hand.
pub(crate) fn steward_and_member_to_revoke(
    dir: &std::path::Path,
) -> (Ledger, Keypair, Keypair, Body) {
    let member = Keypair::from_secret_bytes(&[3; 32]);
    let (mut ledger, founder, steward) = with_steward(dir, NOW);
    ledger
        .publish(&founder, admit(&member, Role::Member, "M"), NOW)
        .unwrap();
    let body = Body::Revoke(Revoke {
        member: member.author(),
        reason: "r".into(),
        trusted_seq: 0,
        trusted: None,
    });
    (ledger, steward, member, body)
}

/// Runs a whole sync from `from` into `into`, as the event loop does.
pub(crate) fn sync_into(into: &mut Ledger, from: &Ledger, now: u64) {
    use sangam_protocol::sync::{Step, SyncSession};
    let (mut session, mut request) = SyncSession::start(&into.vector().unwrap());
    loop {
        let response = from.answer_sync(&request, &from.vector().unwrap());
        let mut step = session.handle(response, &into.vector().unwrap()).unwrap();
        if let Step::Ingest(messages) | Step::Proofs(messages) = &step {
            into.ingest_batch(messages, now).unwrap();
            step = session.after_ingest(&into.vector().unwrap()).unwrap();
        }
        match step {
            Step::Send(next) => request = next,
            _ => return,
        }
    }
}

//! Sealing a body for named collectives, and opening one as a reader: the steps that turn a
//! [`Body`] into a [`Sealed`] one and back (PROTOCOL.md §15).

use crate::error::Error;
use crate::identity::AuthorId;
use crate::ids::{EncryptionKey, NetworkId};
use crate::kinds::Body;
use crate::sealed::{
    Lockbox, MESSAGE_INFO, SEALABLE, Sealed, SealingSecret, binding, check_recipients, pad,
    random_bytes, randomness_for, reader_slot, unpad,
};

impl Sealed {
    /// Opens the body as `reader` with its sealing secret. The body is checked like any body
    /// (fields, and an offer's request equal to the public reference).
    pub fn open(
        &self,
        network: &NetworkId,
        author: &AuthorId,
        reader: &AuthorId,
        secret: &SealingSecret,
    ) -> Result<Body, Error> {
        let slot = reader_slot(&self.recipients, author, reader)
            .ok_or(Error::CannotOpen("it was not sealed for this collective"))?;
        let binding = self.binding(network, author);
        let padded = self.lock().open(MESSAGE_INFO, &binding, slot, secret)?;
        let bytes = unpad(&padded)?;
        let body = Body::decode(self.inner_kind, bytes)
            .map_err(|_| Error::CannotOpen("its words are damaged"))?;
        body.check_fields()
            .map_err(|_| Error::CannotOpen("its words break the protocol's rules"))?;
        if let Body::Offer(offer) = &body
            && Some(offer.request) != self.reference
        {
            return Err(Error::CannotOpen(
                "the offer inside answers another request than it says",
            ));
        }
        Ok(body)
    }
}

/// What to seal and for whom.
#[derive(Debug)]
pub struct SealRequest<'a> {
    /// The network it is posted in.
    pub network: NetworkId,
    /// Its author.
    pub author: AuthorId,
    /// The author's own sealing key (so it can read what it sent).
    pub author_key: EncryptionKey,
    /// The recipients and their sealing keys.
    pub recipients: &'a [(AuthorId, EncryptionKey)],
    /// The body to hide: an announcement, an offer or a resource.
    pub body: &'a Body,
}

impl SealRequest<'_> {
    /// Seals with fresh randomness from the operating system.
    pub fn seal(&self) -> Result<Sealed, Error> {
        let randomness = random_bytes(randomness_for(self.recipients.len() + 1))?;
        self.seal_with(&randomness)
    }

    /// Seals with the given randomness ([`randomness_for`] readers' worth), for test vectors.
    pub fn seal_with(&self, randomness: &[u8]) -> Result<Sealed, Error> {
        let inner_kind = self.body.kind();
        if !SEALABLE.contains(&inner_kind) {
            return Err(Error::CannotSeal(
                "only an announcement, an offer or a resource can be sealed",
            ));
        }
        self.body.check_fields()?;
        let recipients: Vec<AuthorId> = self.recipients.iter().map(|(id, _)| *id).collect();
        check_recipients(&recipients)?;
        if recipients.contains(&self.author) {
            return Err(Error::CannotSeal(
                "the author reads its own sealed messages already; name only others",
            ));
        }
        let reference = match self.body {
            Body::Offer(offer) => Some(offer.request),
            _ => None,
        };
        let mut readers: Vec<EncryptionKey> = self.recipients.iter().map(|(_, k)| *k).collect();
        readers.push(self.author_key);
        let binding = binding(
            &self.network,
            &self.author,
            &recipients,
            inner_kind,
            reference,
        );
        let plaintext = pad(&self.body.encode());
        let lock = Lockbox::lock(MESSAGE_INFO, &binding, &readers, &plaintext, randomness)?;
        Ok(Sealed {
            recipients,
            inner_kind,
            reference,
            commitment: lock.commitment,
            keys: lock.keys,
            ciphertext: lock.ciphertext,
        })
    }
}

#[cfg(test)]
mod tests;

//! The key file: the identity secret, plain (`sangam-key-v1`) or sealed with a passphrase
//! together with the data key (`sangam-key-v2`). The formats are in PROTOCOL.md ("Data folder").

use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{NodeError, Result};
use crate::vault::{self, KdfCost, Vault};

/// First line of a plain key file.
pub const PLAIN_HEADER: &str = "sangam-key-v1";
/// First line of a key file sealed with a passphrase.
pub const SEALED_HEADER: &str = "sangam-key-v2";

/// What the key file holds once opened.
pub struct Keys {
    /// The identity secret.
    pub secret: Zeroizing<[u8; 32]>,
    /// The data key, for a folder made with a passphrase.
    pub vault: Option<Vault>,
}

/// Whether the key file text is sealed with a passphrase.
pub fn is_sealed(text: &str) -> bool {
    text.lines().next() == Some(SEALED_HEADER)
}

/// A plain key file for `secret`.
pub fn plain(secret: &[u8; 32]) -> Zeroizing<String> {
    Zeroizing::new(format!("{PLAIN_HEADER}\n{}\n", hex::encode(secret)))
}

/// A key file sealing `secret` and `data_key` with `passphrase`.
pub fn sealed(
    secret: &[u8; 32],
    data_key: &[u8; 32],
    passphrase: &str,
    cost: KdfCost,
) -> Result<String> {
    let salt = vault::random::<16>()?;
    let preamble = preamble(cost, &salt);
    let mut both = Zeroizing::new([0u8; 64]);
    both[..32].copy_from_slice(secret);
    both[32..].copy_from_slice(data_key);
    let sealed = vault::stretch(passphrase, &salt, cost)?.seal(preamble.as_bytes(), &both[..])?;
    Ok(format!("{preamble}{}\n", hex::encode(sealed)))
}

/// The lines before the sealed keys; they are also the associated data of the sealing, so a
/// changed cost or salt fails to open rather than weakening the file.
fn preamble(cost: KdfCost, salt: &[u8]) -> String {
    format!(
        "{SEALED_HEADER}\nargon2id {} {} {}\n{}\n",
        cost.memory_kib,
        cost.passes,
        cost.lanes,
        hex::encode(salt)
    )
}

/// Opens a key file's text. `passphrase` is asked for only if the file is sealed.
pub fn open(
    path: &Path,
    text: &str,
    passphrase: impl FnOnce() -> Result<vault::Passphrase>,
) -> Result<Keys> {
    let bad = |why: &str| NodeError::BadKeyFile {
        path: path.to_path_buf(),
        why: why.into(),
    };
    let mut lines = text.lines();
    match lines.next() {
        Some(PLAIN_HEADER) => {
            let digits = lines.next().ok_or_else(|| bad("the key line is missing"))?;
            Ok(Keys {
                secret: secret_from_hex(digits)
                    .ok_or_else(|| bad("the key line is not 64 hexadecimal digits"))?,
                vault: None,
            })
        }
        Some(SEALED_HEADER) => {
            let cost_line = lines
                .next()
                .ok_or_else(|| bad("the passphrase settings are missing"))?;
            let cost = parse_cost(cost_line)
                .ok_or_else(|| bad("the passphrase settings are not valid"))?;
            let salt = lines
                .next()
                .and_then(|l| hex::decode(l).ok())
                .filter(|s| s.len() >= 8)
                .ok_or_else(|| bad("the salt is not valid"))?;
            let sealed = lines
                .next()
                .and_then(|l| hex::decode(l).ok())
                .ok_or_else(|| bad("the sealed key is not hexadecimal"))?;
            let passphrase = passphrase()?;
            let both = Zeroizing::new(
                vault::stretch(&passphrase, &salt, cost)?
                    .open(preamble(cost, &salt).as_bytes(), &sealed)
                    .map_err(|_| NodeError::WrongPassphrase)?,
            );
            if both.len() != 64 {
                return Err(bad("the sealed key has the wrong length"));
            }
            let mut secret = Zeroizing::new([0u8; 32]);
            secret.copy_from_slice(&both[..32]);
            let mut data_key = Zeroizing::new([0u8; 32]);
            data_key.copy_from_slice(&both[32..]);
            Ok(Keys {
                secret,
                vault: Some(Vault::new(&data_key)),
            })
        }
        _ => Err(bad("it does not start with the Sangam key header")),
    }
}

fn parse_cost(line: &str) -> Option<KdfCost> {
    let mut words = line.split(' ');
    if words.next()? != "argon2id" {
        return None;
    }
    let mut number = || words.next()?.parse::<u32>().ok();
    let cost = KdfCost {
        memory_kib: number()?,
        passes: number()?,
        lanes: number()?,
    };
    // A thief could lower the cost in a stolen file, but that only fails to open it (the
    // cost is sealed in); the bound stops a damaged file from asking for terabytes.
    (cost.memory_kib <= 4 * 1024 * 1024 && cost.passes <= 64 && cost.lanes <= 16).then_some(cost)
}

fn secret_from_hex(digits: &str) -> Option<Zeroizing<[u8; 32]>> {
    let mut secret = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(digits, &mut secret[..]).ok()?;
    Some(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: KdfCost = KdfCost {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };

    fn given(p: &str) -> impl FnOnce() -> Result<vault::Passphrase> {
        let p = p.to_string();
        move || Ok(Zeroizing::new(p))
    }

    #[test]
    fn a_sealed_key_file_opens_with_its_passphrase_only() {
        let text = sealed(&[7; 32], &[9; 32], "jamuna river", CHEAP).unwrap();
        assert!(is_sealed(&text));
        assert!(!text.contains(&hex::encode([7u8; 32])));
        let keys = open(Path::new("k"), &text, given("jamuna river")).unwrap();
        assert_eq!(*keys.secret, [7; 32]);
        let vault = keys.vault.unwrap();
        assert_eq!(
            vault.open(b"c", &vault.seal(b"c", b"x").unwrap()).unwrap(),
            b"x"
        );
        assert!(matches!(
            open(Path::new("k"), &text, given("jamuna rivers")),
            Err(NodeError::WrongPassphrase)
        ));
    }

    #[test]
    fn a_weakened_cost_or_swapped_salt_does_not_open() {
        let text = sealed(&[7; 32], &[9; 32], "p", CHEAP).unwrap();
        let weaker = text.replace("argon2id 64 1 1", "argon2id 32 1 1");
        assert!(matches!(
            open(Path::new("k"), &weaker, given("p")),
            Err(NodeError::WrongPassphrase)
        ));
        let huge = text.replace("argon2id 64 1 1", "argon2id 4294967295 1 1");
        assert!(matches!(
            open(Path::new("k"), &huge, given("p")),
            Err(NodeError::BadKeyFile { .. })
        ));
    }

    #[test]
    fn a_plain_key_file_never_asks_for_a_passphrase() {
        let text = plain(&[3; 32]);
        let keys = open(Path::new("k"), &text, || Err(NodeError::Locked)).unwrap();
        assert_eq!(*keys.secret, [3; 32]);
        assert!(keys.vault.is_none());
    }

    /// The vector in PROTOCOL.md §13: another implementation must open it to these keys.
    #[test]
    fn the_documented_vector_opens() {
        let text = "sangam-key-v2\nargon2id 65536 3 1\n7ff1f5f5dceca887af0e20aa3212c1d8\n\
            b725aeb12c05bdb8fd2aaf3908b8fc4df1f98b74fae6e36fb511415c6a296fd97be3e022784d0e974b\
            7b478f23cb19a97ac81eb7f3836ed297ac3cfef6e4cb658b9ce91e94b026120a9e81e217193d5a63b1d5\
            4015e3f2d21aa2f7de211349bd52b6d0603fd8e107\n";
        let keys = open(Path::new("k"), text, given("sangam test vector")).unwrap();
        assert_eq!(*keys.secret, [7; 32]);
        let value = hex::decode(
            "ae973c46038271068f9fbdf7843aa5398df56911fe00bf74184cd2a4337c6386267fcd4cd253ef2f\
             493f65d440",
        )
        .unwrap();
        let vault = keys.vault.unwrap();
        assert_eq!(vault.open(b"messages\0abc", &value).unwrap(), b"hello");
        let again = sealed(&[7; 32], &[9; 32], "sangam test vector", vault::KDF_COST).unwrap();
        let reopened = open(Path::new("k"), &again, given("sangam test vector")).unwrap();
        assert_eq!(*reopened.secret, [7; 32]);
    }
}

//! Personal data at rest beyond the log: the columns of the read models and of the outbox that
//! hold what the log holds encrypted (names, communes, cadres d'intervention, contribution
//! texts, addresses, messages) are stored sealed, so a copy of the database (a file, a
//! `pg_dump`, a replica) reads nothing of them without the service's master key.
//!
//! One key seals them all, the *read-model key*: random, kept in the database only wrapped by
//! the master key (see the ledger's `store::keyring`), and handed to the process at start-up
//! once the master key has opened it ([`crate::db::ReadDb::unlock`]). A read model is derived
//! from the log and rebuilt from it: it needs no key per person, since an erasure overwrites
//! its rows (and the store asks the database to reclaim the old pages).
//!
//! A sealed column holds `sealed:v1:<nonce hex>:<ciphertext hex>`, XChaCha20-Poly1305 with the
//! column's name as associated data, so a value copied into another column does not open.
//! Every value written to such a column is sealed, whatever its text: a text that looks sealed
//! is sealed again, and a stored value that does not open is an error, never read as text.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

const PREFIX: &str = "sealed:v1:";

/// The sealed columns, each as `table.column` (its associated data): every column of the read
/// models and of the outbox that receives the value of a personal field
/// (`cpts_domain::personal::PERSONAL_FIELDS`) or a text that may quote one.
pub mod column {
    /// A member's name (`MemberAdmitted.name`).
    pub const MEMBER_NAME: &str = "proj_members.name";
    /// Where a representative lives (`MandateGranted.commune`).
    pub const MEMBER_COMMUNE: &str = "proj_members.commune";
    /// A representative's cadre d'intervention (`MandateGranted`, `CadreInterventionWritten`).
    pub const MEMBER_CADRE: &str = "proj_members.cadre_intervention";
    /// A contribution's text (`ContributionSubmitted`, `ContributionAmended`).
    pub const CONTRIBUTION_TEXT: &str = "proj_contributions.text";
    /// A contribution's attachment (`ContributionSubmitted.attachment`).
    pub const CONTRIBUTION_ATTACHMENT: &str = "proj_contributions.attachment";
    /// Why its author amended a contribution (`ContributionAmended.reason`).
    pub const AMENDMENT_REASON: &str = "proj_contributions.amendment_reason";
    /// Why a contribution was withdrawn (`ContributionWithdrawn.reason`).
    pub const WITHDRAWAL_REASON: &str = "proj_contributions.withdrawal_reason";
    /// A version of a contribution's text (`ContributionSubmitted.text`,
    /// `ContributionAmended.text`).
    pub const VERSION_TEXT: &str = "proj_contribution_versions.text";
    /// Why its author amended it, for that version (`ContributionAmended.reason`).
    pub const VERSION_REASON: &str = "proj_contribution_versions.reason";
    /// Why an event was set aside: a reading error may quote the event's values.
    pub const SET_ASIDE_REASON: &str = "proj_set_aside.reason";
    /// Where a notification goes: an address (or the webhook's URL).
    pub const OUTBOX_RECIPIENT: &str = "notify_outbox.recipient";
    /// A notification's title.
    pub const OUTBOX_TITLE: &str = "notify_outbox.title";
    /// A notification's text, which quotes the record.
    pub const OUTBOX_BODY: &str = "notify_outbox.body";
    /// The last delivery error, which an SMTP server words with the address.
    pub const OUTBOX_LAST_ERROR: &str = "notify_outbox.last_error";
    /// What an API token is for, in the words of whoever created it ("Martine's phone").
    pub const TOKEN_LABEL: &str = "api_tokens.label";
}

/// Every sealed column of the read models and the outbox.
pub const SEALED_COLUMNS: &[&str] = &[
    column::MEMBER_NAME,
    column::MEMBER_COMMUNE,
    column::MEMBER_CADRE,
    column::CONTRIBUTION_TEXT,
    column::CONTRIBUTION_ATTACHMENT,
    column::AMENDMENT_REASON,
    column::WITHDRAWAL_REASON,
    column::VERSION_TEXT,
    column::VERSION_REASON,
    column::SET_ASIDE_REASON,
    column::OUTBOX_RECIPIENT,
    column::OUTBOX_TITLE,
    column::OUTBOX_BODY,
    column::OUTBOX_LAST_ERROR,
    column::TOKEN_LABEL,
];

/// The read-model key, unwrapped: what seals and opens the personal columns.
#[derive(Clone)]
pub struct AtRest {
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for AtRest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AtRest(..)")
    }
}

/// A stored value of a sealed column that does not open with this key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a sealed value of {column} does not open with this service's key")]
pub struct Unreadable {
    /// The column.
    pub column: String,
}

impl From<Unreadable> for sqlx::Error {
    fn from(error: Unreadable) -> Self {
        sqlx::Error::Decode(Box::new(error))
    }
}

impl AtRest {
    /// The sealer of this read-model key.
    pub fn new(key: [u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// Seals `plain` for the column `column` (`table.column`).
    pub fn seal(&self, column: &str, plain: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        // Encrypting into a Vec cannot fail for inputs under 256 GiB.
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: column.as_bytes(),
                },
            )
            .unwrap_or_default();
        format!("{PREFIX}{}:{}", hex::encode(nonce), hex::encode(sealed))
    }

    /// Seals an optional value (NULL stays NULL).
    pub fn seal_opt(&self, column: &str, plain: Option<&str>) -> Option<String> {
        plain.map(|p| self.seal(column, p))
    }

    /// Opens a stored value of `column`.
    pub fn open(&self, column: &str, stored: &str) -> Result<String, Unreadable> {
        let unreadable = || Unreadable {
            column: column.to_owned(),
        };
        let rest = stored.strip_prefix(PREFIX).ok_or_else(unreadable)?;
        let (nonce, body) = rest.split_once(':').ok_or_else(unreadable)?;
        let nonce = hex::decode(nonce)
            .ok()
            .filter(|n| n.len() == 24)
            .ok_or_else(unreadable)?;
        let body = hex::decode(body).map_err(|_| unreadable())?;
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &body,
                    aad: column.as_bytes(),
                },
            )
            .map_err(|_| unreadable())?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }

    /// Opens an optional stored value (NULL stays NULL).
    pub fn open_opt(
        &self,
        column: &str,
        stored: Option<&str>,
    ) -> Result<Option<String>, Unreadable> {
        stored.map(|s| self.open(column, s)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_column() {
        let at_rest = AtRest::new([3; 32]);
        let sealed = at_rest.seal("proj_members.name", "Martine Roussel");
        assert!(sealed.starts_with("sealed:v1:"));
        assert!(!sealed.contains("Martine"));
        assert_eq!(
            at_rest.open("proj_members.name", &sealed).as_deref(),
            Ok("Martine Roussel")
        );
        assert!(at_rest.open("proj_members.commune", &sealed).is_err());
        assert!(AtRest::new([4; 32])
            .open("proj_members.name", &sealed)
            .is_err());
    }

    #[test]
    fn a_text_that_looks_sealed_is_sealed_again_and_plaintext_never_opens() {
        let at_rest = AtRest::new([3; 32]);
        let looks_sealed = at_rest.seal("c", "x");
        let sealed = at_rest.seal("c", &looks_sealed);
        assert_eq!(at_rest.open("c", &sealed), Ok(looks_sealed.clone()));
        assert!(at_rest.open("c", "Martine Roussel").is_err());
        assert_ne!(at_rest.seal("c", "x"), at_rest.seal("c", "x"));
    }
}

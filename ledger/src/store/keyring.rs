//! The master key that opens the database's personal data.

use cpts_projections::at_rest::AtRest;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::EventRepository;

/// The key-encryption key, kept outside the database.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// A master key of these bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl EventRepository {
    /// Opens the database's personal columns with the master key.
    pub async fn unlock(&self, master: &MasterKey) -> anyhow::Result<()> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&master.0)
            .map_err(|_| anyhow::anyhow!("a master key is 32 bytes"))?;
        mac.update(b"cpts-ledger read models");
        self.db
            .unlock(AtRest::new(mac.finalize().into_bytes().into()));
        Ok(())
    }
}

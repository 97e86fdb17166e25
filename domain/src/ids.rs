//! Typed identifiers. Every record of the ledger is named by a UUID; the newtypes keep a
//! member id from being passed where a decision id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Wraps an existing UUID.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID behind this id.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }
    };
}

id_type!(
    /// A CPTS (the community); every other record belongs to exactly one.
    CommunityId
);
id_type!(
    /// A collège of a CPTS.
    CollegeId
);
id_type!(
    /// A body of a CPTS: general assembly, board, bureau or working group.
    BodyId
);
id_type!(
    /// A users' or patients' association.
    AssociationId
);
id_type!(
    /// A member of a CPTS: a person or an organisation.
    MemberId
);
id_type!(
    /// A consultation of users or members.
    ConsultationId
);
id_type!(
    /// One contribution submitted to a consultation.
    ContributionId
);
id_type!(
    /// A decision of one of the bodies of a CPTS.
    DecisionId
);

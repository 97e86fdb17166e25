//! How an aggregate reads the other records its rules depend on.
//!
//! A decision may only answer a contribution that exists and was not withdrawn; a mandate may
//! only name an association of the same CPTS. Those facts live in other aggregates, so the
//! command handlers ask a [`Directory`]. The domain defines the trait; the service implements
//! it by loading the aggregates from the event store, and the tests by an in-memory map.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use cqrs_es::Aggregate;

use crate::association::{Association, AssociationEvent};
use crate::claims::{claims, Claim, Claiming};
use crate::community::{Community, CommunityEvent};
use crate::consultation::{Consultation, ConsultationEvent};
use crate::error::{DomainError, Record};
use crate::ids::{AssociationId, CommunityId, ConsultationId, MemberId};
use crate::member::{Member, MemberEvent};

/// Read access to the current state of other aggregates.
#[async_trait]
pub trait Directory: Send + Sync {
    /// The CPTS with this id, if it was registered.
    async fn community(&self, id: CommunityId) -> Result<Option<Community>, DomainError>;
    /// The association with this id, if it was registered.
    async fn association(&self, id: AssociationId) -> Result<Option<Association>, DomainError>;
    /// The member with this id, if it was admitted.
    async fn member(&self, id: MemberId) -> Result<Option<Member>, DomainError>;
    /// The consultation with this id, if it was opened.
    async fn consultation(&self, id: ConsultationId) -> Result<Option<Consultation>, DomainError>;
    /// Whether this collège, body or contribution id is already claimed anywhere in the log
    /// (see [`crate::claims`]).
    async fn sub_record_taken(&self, claim: Claim) -> Result<bool, DomainError>;
}

/// Fails with [`DomainError::IdTaken`] if the id is already claimed anywhere in the log.
pub(crate) async fn unclaimed(directory: &dyn Directory, claim: Claim) -> Result<(), DomainError> {
    if directory.sub_record_taken(claim).await? {
        return Err(DomainError::IdTaken(claim.kind.record()));
    }
    Ok(())
}

/// The services handed to the aggregates that look up other records.
pub type DirectoryService = Arc<dyn Directory>;

/// Loads a CPTS, or fails with "CPTS introuvable".
pub(crate) async fn existing_community(
    directory: &dyn Directory,
    id: CommunityId,
) -> Result<Community, DomainError> {
    directory
        .community(id)
        .await?
        .ok_or(DomainError::NotFound(Record::Community))
}

/// An in-memory [`Directory`], built from events: for tests and for tools that replay a log.
#[derive(Debug, Default, Clone)]
pub struct InMemoryDirectory {
    communities: HashMap<CommunityId, Community>,
    associations: HashMap<AssociationId, Association>,
    members: HashMap<MemberId, Member>,
    consultations: HashMap<ConsultationId, Consultation>,
    claimed: HashSet<Claim>,
}

fn replay<A: Aggregate>(events: impl IntoIterator<Item = A::Event>) -> A {
    let mut aggregate = A::default();
    for event in events {
        aggregate.apply(event);
    }
    aggregate
}

impl InMemoryDirectory {
    /// Adds the CPTS that these events build.
    #[must_use]
    pub fn with_community(mut self, events: impl IntoIterator<Item = CommunityEvent>) -> Self {
        let events: Vec<CommunityEvent> = events.into_iter().collect();
        for event in &events {
            self.claimed.extend(claims(Claiming::Community(event)));
        }
        let community: Community = replay(events);
        if let Some(id) = community.id() {
            self.communities.insert(id, community);
        }
        self
    }

    /// Adds the association that these events build.
    #[must_use]
    pub fn with_association(mut self, events: impl IntoIterator<Item = AssociationEvent>) -> Self {
        let association: Association = replay(events);
        if let Some(id) = association.id() {
            self.associations.insert(id, association);
        }
        self
    }

    /// Adds the member that these events build.
    #[must_use]
    pub fn with_member(mut self, events: impl IntoIterator<Item = MemberEvent>) -> Self {
        let member: Member = replay(events);
        if let Some(id) = member.id() {
            self.members.insert(id, member);
        }
        self
    }

    /// Adds the consultation that these events build.
    #[must_use]
    pub fn with_consultation(
        mut self,
        events: impl IntoIterator<Item = ConsultationEvent>,
    ) -> Self {
        let events: Vec<ConsultationEvent> = events.into_iter().collect();
        for event in &events {
            self.claimed.extend(claims(Claiming::Consultation(event)));
        }
        let consultation: Consultation = replay(events);
        if let Some(id) = consultation.id() {
            self.consultations.insert(id, consultation);
        }
        self
    }

    /// Marks a sub-record id as claimed, as if another record of the log had taken it.
    #[must_use]
    pub fn with_claim(mut self, claim: Claim) -> Self {
        self.claimed.insert(claim);
        self
    }

    /// Wraps the directory as the services of an aggregate.
    pub fn into_service(self) -> DirectoryService {
        Arc::new(self)
    }
}

#[async_trait]
impl Directory for InMemoryDirectory {
    async fn community(&self, id: CommunityId) -> Result<Option<Community>, DomainError> {
        Ok(self.communities.get(&id).cloned())
    }

    async fn association(&self, id: AssociationId) -> Result<Option<Association>, DomainError> {
        Ok(self.associations.get(&id).cloned())
    }

    async fn member(&self, id: MemberId) -> Result<Option<Member>, DomainError> {
        Ok(self.members.get(&id).cloned())
    }

    async fn consultation(&self, id: ConsultationId) -> Result<Option<Consultation>, DomainError> {
        Ok(self.consultations.get(&id).cloned())
    }

    async fn sub_record_taken(&self, claim: Claim) -> Result<bool, DomainError> {
        Ok(self.claimed.contains(&claim))
    }
}

//! A users' or patients' association: its approval (agrément) and how it engages with the CPTS.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::directory::{existing_community, DirectoryService};
use crate::domain_event;
use crate::error::{DomainError, Field, Record};
use crate::ids::{AssociationId, CommunityId};
use crate::values::{approval_expires_on, limits, optional_text, required_text, ApprovalLevel};

/// How an association engages with the CPTS, from the lightest to the deepest form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum Engagement {
    /// Its representative takes part in actions or missions.
    Participation,
    /// It signed an agreement (convention) with the CPTS.
    Partnership {
        /// The convention's reference.
        convention_reference: String,
    },
    /// It joined (adhère) the CPTS and may sit on its bodies.
    Governance,
}

/// A command to an association.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AssociationCommand {
    /// Registers an association in a CPTS's record.
    Register {
        /// The id the caller chose.
        association_id: AssociationId,
        /// The CPTS it works with.
        community_id: CommunityId,
        /// Its name.
        name: String,
    },
    /// Records an approval (agrément), national or regional, valid five years.
    RecordApproval {
        /// National or regional.
        level: ApprovalLevel,
        /// When it was granted.
        granted_on: NaiveDate,
    },
    /// Records how the association engages with the CPTS (replacing any earlier form).
    Engage {
        /// The form of engagement.
        engagement: Engagement,
        /// Since when.
        since: NaiveDate,
    },
    /// Records that the association withdrew from the CPTS.
    Withdraw {
        /// When.
        on: NaiveDate,
        /// Why, if known.
        reason: Option<String>,
    },
}

/// A fact recorded about an association.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AssociationEvent {
    /// The association was registered.
    AssociationRegistered {
        /// Its id.
        association_id: AssociationId,
        /// Its CPTS.
        community_id: CommunityId,
        /// Its name.
        name: String,
    },
    /// An approval was recorded.
    AssociationApproved {
        /// National or regional.
        level: ApprovalLevel,
        /// When it was granted.
        granted_on: NaiveDate,
        /// The last day it is valid.
        expires_on: NaiveDate,
    },
    /// Its engagement with the CPTS was recorded.
    AssociationEngaged {
        /// The form of engagement.
        engagement: Engagement,
        /// Since when.
        since: NaiveDate,
    },
    /// It withdrew from the CPTS.
    AssociationWithdrew {
        /// When.
        on: NaiveDate,
        /// Why, if known.
        reason: Option<String>,
    },
}

domain_event!(AssociationEvent {
    AssociationRegistered,
    AssociationApproved,
    AssociationEngaged,
    AssociationWithdrew
});

/// An approval of an association.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// National or regional.
    pub level: ApprovalLevel,
    /// When it was granted.
    pub granted_on: NaiveDate,
    /// The last day it is valid.
    pub expires_on: NaiveDate,
}

impl Approval {
    /// Whether the approval is in force on `date`.
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.granted_on <= date && date <= self.expires_on
    }
}

/// The current state of an association.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Association {
    id: Option<AssociationId>,
    community_id: Option<CommunityId>,
    name: String,
    approval: Option<Approval>,
    engagement: Option<(Engagement, NaiveDate)>,
    withdrawn_on: Option<NaiveDate>,
}

impl Association {
    /// Its id, once registered.
    pub fn id(&self) -> Option<AssociationId> {
        self.id
    }

    /// The CPTS it belongs to.
    pub fn community_id(&self) -> Option<CommunityId> {
        self.community_id
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its latest approval, if any.
    pub fn approval(&self) -> Option<&Approval> {
        self.approval.as_ref()
    }

    /// How it engages with the CPTS, and since when.
    pub fn engagement(&self) -> Option<&(Engagement, NaiveDate)> {
        self.engagement.as_ref()
    }

    /// When it withdrew, if it did.
    pub fn withdrawn_on(&self) -> Option<NaiveDate> {
        self.withdrawn_on
    }

    fn active(&self) -> Result<(), DomainError> {
        if self.id.is_none() {
            return Err(DomainError::NotFound(Record::Association));
        }
        if self.withdrawn_on.is_some() {
            return Err(DomainError::Withdrawn(Record::Association));
        }
        Ok(())
    }

    async fn decide(
        &self,
        command: AssociationCommand,
        directory: &DirectoryService,
    ) -> Result<Vec<AssociationEvent>, DomainError> {
        match command {
            AssociationCommand::Register {
                association_id,
                community_id,
                name,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::AlreadyExists(Record::Association));
                }
                let name = required_text(Field::Name, &name, limits::NAME)?;
                existing_community(directory.as_ref(), community_id).await?;
                Ok(vec![AssociationEvent::AssociationRegistered {
                    association_id,
                    community_id,
                    name,
                }])
            }
            AssociationCommand::RecordApproval { level, granted_on } => {
                self.active()?;
                Ok(vec![AssociationEvent::AssociationApproved {
                    level,
                    granted_on,
                    expires_on: approval_expires_on(granted_on),
                }])
            }
            AssociationCommand::Engage { engagement, since } => {
                self.active()?;
                let engagement = match engagement {
                    Engagement::Partnership {
                        convention_reference,
                    } => Engagement::Partnership {
                        convention_reference: required_text(
                            Field::ConventionReference,
                            &convention_reference,
                            limits::SHORT,
                        )?,
                    },
                    other => other,
                };
                Ok(vec![AssociationEvent::AssociationEngaged {
                    engagement,
                    since,
                }])
            }
            AssociationCommand::Withdraw { on, reason } => {
                self.active()?;
                let reason = optional_text(Field::Reason, reason.as_deref(), limits::TEXT)?;
                Ok(vec![AssociationEvent::AssociationWithdrew { on, reason }])
            }
        }
    }
}

impl Aggregate for Association {
    const TYPE: &'static str = "association";
    type Command = AssociationCommand;
    type Event = AssociationEvent;
    type Error = DomainError;
    type Services = DirectoryService;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command, services).await? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            AssociationEvent::AssociationRegistered {
                association_id,
                community_id,
                name,
            } => {
                self.id = Some(association_id);
                self.community_id = Some(community_id);
                self.name = name;
            }
            AssociationEvent::AssociationApproved {
                level,
                granted_on,
                expires_on,
            } => {
                self.approval = Some(Approval {
                    level,
                    granted_on,
                    expires_on,
                });
            }
            AssociationEvent::AssociationEngaged { engagement, since } => {
                self.engagement = Some((engagement, since));
            }
            AssociationEvent::AssociationWithdrew { on, .. } => self.withdrawn_on = Some(on),
        }
    }
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    use super::*;
    use crate::community::CommunityEvent;
    use crate::directory::InMemoryDirectory;
    use crate::values::Commune;

    fn cpts() -> CommunityId {
        CommunityId(Uuid::from_u128(1))
    }

    fn adtl() -> AssociationId {
        AssociationId(Uuid::from_u128(100))
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn given() -> TestFramework<Association> {
        let directory =
            InMemoryDirectory::default().with_community([CommunityEvent::CommunityRegistered {
                community_id: cpts(),
                name: "CPTS du Val de l'Étang".into(),
                territory: vec![Commune {
                    insee: "34301".into(),
                    name: "Sète".into(),
                }],
            }]);
        TestFramework::with(directory.into_service())
    }

    fn registered() -> AssociationEvent {
        AssociationEvent::AssociationRegistered {
            association_id: adtl(),
            community_id: cpts(),
            name: "Association Diabète Thau Littoral".into(),
        }
    }

    #[test]
    fn registering_in_a_known_community_is_recorded() {
        given()
            .given_no_previous_events()
            .when(AssociationCommand::Register {
                association_id: adtl(),
                community_id: cpts(),
                name: "Association Diabète Thau Littoral".into(),
            })
            .then_expect_events(vec![registered()]);
    }

    #[test]
    fn registering_in_an_unknown_community_is_refused() {
        given()
            .given_no_previous_events()
            .when(AssociationCommand::Register {
                association_id: adtl(),
                community_id: CommunityId(Uuid::from_u128(999)),
                name: "Association".into(),
            })
            .then_expect_error(DomainError::NotFound(Record::Community));
    }

    #[test]
    fn an_approval_is_valid_five_years() {
        given()
            .given(vec![registered()])
            .when(AssociationCommand::RecordApproval {
                level: ApprovalLevel::Regional,
                granted_on: date(2023, 1, 15),
            })
            .then_expect_events(vec![AssociationEvent::AssociationApproved {
                level: ApprovalLevel::Regional,
                granted_on: date(2023, 1, 15),
                expires_on: date(2028, 1, 14),
            }]);
    }

    #[test]
    fn a_partnership_needs_the_convention_reference() {
        given()
            .given(vec![registered()])
            .when(AssociationCommand::Engage {
                engagement: Engagement::Partnership {
                    convention_reference: " ".into(),
                },
                since: date(2026, 1, 20),
            })
            .then_expect_error(DomainError::Required {
                field: Field::ConventionReference,
            });
    }

    #[test]
    fn a_withdrawn_association_cannot_engage_again() {
        given()
            .given(vec![
                registered(),
                AssociationEvent::AssociationWithdrew {
                    on: date(2026, 6, 1),
                    reason: None,
                },
            ])
            .when(AssociationCommand::Engage {
                engagement: Engagement::Governance,
                since: date(2026, 7, 1),
            })
            .then_expect_error(DomainError::Withdrawn(Record::Association));
    }

    #[test]
    fn withdrawing_is_recorded_with_its_reason() {
        given()
            .given(vec![registered()])
            .when(AssociationCommand::Withdraw {
                on: date(2026, 6, 1),
                reason: Some("Dissolution".into()),
            })
            .then_expect_events(vec![AssociationEvent::AssociationWithdrew {
                on: date(2026, 6, 1),
                reason: Some("Dissolution".into()),
            }]);
    }

    #[test]
    fn an_approval_is_checked_against_a_date() {
        let approval = Approval {
            level: ApprovalLevel::National,
            granted_on: date(2021, 3, 1),
            expires_on: approval_expires_on(date(2021, 3, 1)),
        };
        assert!(approval.is_valid_on(date(2026, 2, 28)));
        assert!(!approval.is_valid_on(date(2026, 3, 1)));
    }
}

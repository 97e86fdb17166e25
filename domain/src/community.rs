//! The CPTS itself: its name, territory, collèges, bodies and internal rules.

use std::collections::HashSet;

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::claims::{Claim, SubRecord};
use crate::directory::{unclaimed, DirectoryService};
use crate::domain_event;
use crate::error::{DomainError, Field, Record};
use crate::ids::{BodyId, CollegeId, CommunityId};
use crate::values::{limits, required_text, BodyKind, Commune};

/// A command to the CPTS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CommunityCommand {
    /// Registers a CPTS with its territory.
    Register {
        /// The id the caller chose for the CPTS.
        community_id: CommunityId,
        /// Its name, e.g. "CPTS du Val de l'Étang".
        name: String,
        /// The communes of its territory.
        territory: Vec<Commune>,
    },
    /// Replaces the territory, e.g. after a decision on the perimeter.
    RedrawTerritory {
        /// The communes of the new territory.
        territory: Vec<Commune>,
        /// Why the territory changes.
        reason: String,
    },
    /// Defines a collège of members in the statutes.
    DefineCollege {
        /// The id the caller chose for the collège.
        college_id: CollegeId,
        /// Its name.
        name: String,
        /// Whether it is the collège usagers.
        is_users_college: bool,
    },
    /// Establishes a body: general assembly, board, bureau or working group.
    EstablishBody {
        /// The id the caller chose for the body.
        body_id: BodyId,
        /// What kind of body.
        kind: BodyKind,
        /// Its name.
        name: String,
    },
    /// Records the adoption of the internal rules (règlement intérieur).
    AdoptInternalRules {
        /// When they were adopted.
        adopted_on: NaiveDate,
        /// Whether they reimburse representatives' travel expenses.
        travel_expenses_reimbursed: bool,
    },
}

/// A fact recorded about a CPTS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CommunityEvent {
    /// The CPTS was registered.
    CommunityRegistered {
        /// Its id.
        community_id: CommunityId,
        /// Its name.
        name: String,
        /// Its territory.
        territory: Vec<Commune>,
    },
    /// Its territory was redrawn.
    TerritoryRedrawn {
        /// The new territory.
        territory: Vec<Commune>,
        /// Why.
        reason: String,
    },
    /// A collège was defined.
    CollegeDefined {
        /// Its id.
        college_id: CollegeId,
        /// Its name.
        name: String,
        /// Whether it is the collège usagers.
        is_users_college: bool,
    },
    /// A body was established.
    BodyEstablished {
        /// Its id.
        body_id: BodyId,
        /// Its kind.
        kind: BodyKind,
        /// Its name.
        name: String,
    },
    /// Internal rules were adopted.
    InternalRulesAdopted {
        /// When.
        adopted_on: NaiveDate,
        /// Whether they reimburse representatives' travel expenses.
        travel_expenses_reimbursed: bool,
    },
}

domain_event!(CommunityEvent {
    CommunityRegistered,
    TerritoryRedrawn,
    CollegeDefined,
    BodyEstablished,
    InternalRulesAdopted,
});

/// A collège of a CPTS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct College {
    /// Its id.
    pub id: CollegeId,
    /// Its name.
    pub name: String,
    /// Whether it is the collège usagers.
    pub is_users_college: bool,
}

/// A body of a CPTS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body {
    /// Its id.
    pub id: BodyId,
    /// Its kind.
    pub kind: BodyKind,
    /// Its name.
    pub name: String,
}

/// The internal rules in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InternalRules {
    /// When they were adopted.
    pub adopted_on: NaiveDate,
    /// Whether they reimburse representatives' travel expenses.
    pub travel_expenses_reimbursed: bool,
}

/// The current state of a CPTS, rebuilt from its events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Community {
    id: Option<CommunityId>,
    name: String,
    territory: Vec<Commune>,
    colleges: Vec<College>,
    bodies: Vec<Body>,
    internal_rules: Option<InternalRules>,
}

impl Community {
    /// Its id, once registered.
    pub fn id(&self) -> Option<CommunityId> {
        self.id
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The communes of its territory.
    pub fn territory(&self) -> &[Commune] {
        &self.territory
    }

    /// Its collèges.
    pub fn colleges(&self) -> &[College] {
        &self.colleges
    }

    /// One of its collèges.
    pub fn college(&self, id: CollegeId) -> Option<&College> {
        self.colleges.iter().find(|c| c.id == id)
    }

    /// Its bodies.
    pub fn bodies(&self) -> &[Body] {
        &self.bodies
    }

    /// One of its bodies.
    pub fn body(&self, id: BodyId) -> Option<&Body> {
        self.bodies.iter().find(|b| b.id == id)
    }

    /// The internal rules in force, if adopted.
    pub fn internal_rules(&self) -> Option<&InternalRules> {
        self.internal_rules.as_ref()
    }

    fn registered(&self) -> Result<(), DomainError> {
        match self.id {
            Some(_) => Ok(()),
            None => Err(DomainError::NotFound(Record::Community)),
        }
    }

    async fn decide(
        &self,
        command: CommunityCommand,
        directory: &DirectoryService,
    ) -> Result<Vec<CommunityEvent>, DomainError> {
        match command {
            CommunityCommand::Register {
                community_id,
                name,
                territory,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::AlreadyExists(Record::Community));
                }
                let name = required_text(Field::Name, &name, limits::NAME)?;
                let territory = checked_territory(territory)?;
                Ok(vec![CommunityEvent::CommunityRegistered {
                    community_id,
                    name,
                    territory,
                }])
            }
            CommunityCommand::RedrawTerritory { territory, reason } => {
                self.registered()?;
                let reason = required_text(Field::Reason, &reason, limits::TEXT)?;
                let territory = checked_territory(territory)?;
                Ok(vec![CommunityEvent::TerritoryRedrawn { territory, reason }])
            }
            CommunityCommand::DefineCollege {
                college_id,
                name,
                is_users_college,
            } => {
                self.registered()?;
                let name = required_text(Field::Name, &name, limits::NAME)?;
                // Taken here or anywhere else in the log, the same answer after the same
                // look-up: an id of another CPTS must not be told from one of this record.
                let claim = Claim {
                    kind: SubRecord::College,
                    id: college_id.0,
                };
                unclaimed(directory.as_ref(), claim).await?;
                if self.college(college_id).is_some() {
                    return Err(DomainError::IdTaken(Record::College));
                }
                if self
                    .colleges
                    .iter()
                    .any(|c| c.name.eq_ignore_ascii_case(&name))
                {
                    return Err(DomainError::DuplicateName {
                        what: Record::College,
                        name,
                    });
                }
                if is_users_college && self.colleges.iter().any(|c| c.is_users_college) {
                    return Err(DomainError::UsersCollegeAlreadyDefined);
                }
                Ok(vec![CommunityEvent::CollegeDefined {
                    college_id,
                    name,
                    is_users_college,
                }])
            }
            CommunityCommand::EstablishBody {
                body_id,
                kind,
                name,
            } => {
                self.registered()?;
                let name = required_text(Field::Name, &name, limits::NAME)?;
                // Taken here or anywhere else in the log, the same answer after the same
                // look-up: an id of another CPTS must not be told from one of this record.
                let claim = Claim {
                    kind: SubRecord::Body,
                    id: body_id.0,
                };
                unclaimed(directory.as_ref(), claim).await?;
                if self.body(body_id).is_some() {
                    return Err(DomainError::IdTaken(Record::Body));
                }
                if self
                    .bodies
                    .iter()
                    .any(|b| b.name.eq_ignore_ascii_case(&name))
                {
                    return Err(DomainError::DuplicateName {
                        what: Record::Body,
                        name,
                    });
                }
                // An association has one general assembly, one board and one bureau; it may
                // have any number of working groups.
                if kind != BodyKind::WorkingGroup && self.bodies.iter().any(|b| b.kind == kind) {
                    return Err(DomainError::SingleBodyAlreadyEstablished(kind));
                }
                Ok(vec![CommunityEvent::BodyEstablished {
                    body_id,
                    kind,
                    name,
                }])
            }
            CommunityCommand::AdoptInternalRules {
                adopted_on,
                travel_expenses_reimbursed,
            } => {
                self.registered()?;
                Ok(vec![CommunityEvent::InternalRulesAdopted {
                    adopted_on,
                    travel_expenses_reimbursed,
                }])
            }
        }
    }
}

fn checked_territory(territory: Vec<Commune>) -> Result<Vec<Commune>, DomainError> {
    if territory.is_empty() {
        return Err(DomainError::Required {
            field: Field::Territory,
        });
    }
    let mut seen = HashSet::new();
    territory
        .into_iter()
        .map(|commune| {
            let commune = Commune {
                insee: commune.insee.trim().to_uppercase(),
                name: commune.name.trim().to_owned(),
            };
            commune.validate()?;
            if !seen.insert(commune.insee.clone()) {
                return Err(DomainError::DuplicateCommune(commune.insee));
            }
            Ok(commune)
        })
        .collect()
}

impl Aggregate for Community {
    const TYPE: &'static str = "community";
    type Command = CommunityCommand;
    type Event = CommunityEvent;
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
            CommunityEvent::CommunityRegistered {
                community_id,
                name,
                territory,
            } => {
                self.id = Some(community_id);
                self.name = name;
                self.territory = territory;
            }
            CommunityEvent::TerritoryRedrawn { territory, .. } => self.territory = territory,
            CommunityEvent::CollegeDefined {
                college_id,
                name,
                is_users_college,
            } => {
                self.colleges.push(College {
                    id: college_id,
                    name,
                    is_users_college,
                });
            }
            CommunityEvent::BodyEstablished {
                body_id,
                kind,
                name,
            } => {
                self.bodies.push(Body {
                    id: body_id,
                    kind,
                    name,
                });
            }
            CommunityEvent::InternalRulesAdopted {
                adopted_on,
                travel_expenses_reimbursed,
            } => {
                self.internal_rules = Some(InternalRules {
                    adopted_on,
                    travel_expenses_reimbursed,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    use super::*;
    use crate::directory::InMemoryDirectory;

    type Given = TestFramework<Community>;

    fn directory() -> DirectoryService {
        InMemoryDirectory::default().into_service()
    }

    fn id() -> CommunityId {
        CommunityId(Uuid::from_u128(1))
    }

    fn sete() -> Commune {
        Commune {
            insee: "34301".into(),
            name: "Sète".into(),
        }
    }

    fn registered() -> CommunityEvent {
        CommunityEvent::CommunityRegistered {
            community_id: id(),
            name: "CPTS du Val de l'Étang".into(),
            territory: vec![sete()],
        }
    }

    fn college(n: u128, name: &str, users: bool) -> CommunityCommand {
        CommunityCommand::DefineCollege {
            college_id: CollegeId(Uuid::from_u128(n)),
            name: name.into(),
            is_users_college: users,
        }
    }

    #[test]
    fn registering_records_the_name_and_territory_trimmed() {
        Given::with(directory())
            .given_no_previous_events()
            .when(CommunityCommand::Register {
                community_id: id(),
                name: "  CPTS du Val de l'Étang ".into(),
                territory: vec![Commune {
                    insee: " 34301".into(),
                    name: "Sète".into(),
                }],
            })
            .then_expect_events(vec![registered()]);
    }

    #[test]
    fn registering_twice_is_refused() {
        Given::with(directory())
            .given(vec![registered()])
            .when(CommunityCommand::Register {
                community_id: id(),
                name: "Autre".into(),
                territory: vec![sete()],
            })
            .then_expect_error(DomainError::AlreadyExists(Record::Community));
    }

    #[test]
    fn registering_without_a_name_is_refused() {
        Given::with(directory())
            .given_no_previous_events()
            .when(CommunityCommand::Register {
                community_id: id(),
                name: "   ".into(),
                territory: vec![sete()],
            })
            .then_expect_error(DomainError::Required { field: Field::Name });
    }

    #[test]
    fn registering_without_territory_is_refused() {
        Given::with(directory())
            .given_no_previous_events()
            .when(CommunityCommand::Register {
                community_id: id(),
                name: "CPTS".into(),
                territory: vec![],
            })
            .then_expect_error(DomainError::Required {
                field: Field::Territory,
            });
    }

    #[test]
    fn a_malformed_insee_code_is_refused() {
        Given::with(directory())
            .given_no_previous_events()
            .when(CommunityCommand::Register {
                community_id: id(),
                name: "CPTS".into(),
                territory: vec![Commune {
                    insee: "3430".into(),
                    name: "Sète".into(),
                }],
            })
            .then_expect_error(DomainError::InvalidInseeCode("3430".into()));
    }

    #[test]
    fn corsican_insee_codes_are_accepted() {
        let ajaccio = Commune {
            insee: "2A004".into(),
            name: "Ajaccio".into(),
        };
        Given::with(directory())
            .given_no_previous_events()
            .when(CommunityCommand::Register {
                community_id: id(),
                name: "CPTS".into(),
                territory: vec![ajaccio.clone()],
            })
            .then_expect_events(vec![CommunityEvent::CommunityRegistered {
                community_id: id(),
                name: "CPTS".into(),
                territory: vec![ajaccio],
            }]);
    }

    #[test]
    fn a_commune_listed_twice_is_refused() {
        Given::with(directory())
            .given_no_previous_events()
            .when(CommunityCommand::Register {
                community_id: id(),
                name: "CPTS".into(),
                territory: vec![sete(), sete()],
            })
            .then_expect_error(DomainError::DuplicateCommune("34301".into()));
    }

    #[test]
    fn redrawing_the_territory_needs_a_reason() {
        Given::with(directory())
            .given(vec![registered()])
            .when(CommunityCommand::RedrawTerritory {
                territory: vec![sete()],
                reason: String::new(),
            })
            .then_expect_error(DomainError::Required {
                field: Field::Reason,
            });
    }

    #[test]
    fn redrawing_the_territory_records_the_new_communes_and_why() {
        let meze = Commune {
            insee: "34157".into(),
            name: "Mèze".into(),
        };
        Given::with(directory())
            .given(vec![registered()])
            .when(CommunityCommand::RedrawTerritory {
                territory: vec![sete(), meze.clone()],
                reason: "Décision du CA sur le périmètre".into(),
            })
            .then_expect_events(vec![CommunityEvent::TerritoryRedrawn {
                territory: vec![sete(), meze],
                reason: "Décision du CA sur le périmètre".into(),
            }]);
    }

    #[test]
    fn a_college_name_used_twice_is_refused() {
        Given::with(directory())
            .given(vec![
                registered(),
                CommunityEvent::CollegeDefined {
                    college_id: CollegeId(Uuid::from_u128(10)),
                    name: "Collège des usagers".into(),
                    is_users_college: true,
                },
            ])
            .when(college(11, "collège des usagers", false))
            .then_expect_error(DomainError::DuplicateName {
                what: Record::College,
                name: "collège des usagers".into(),
            });
    }

    #[test]
    fn commands_to_an_unregistered_community_are_refused() {
        Given::with(directory())
            .given_no_previous_events()
            .when(college(10, "Collège des usagers", true))
            .then_expect_error(DomainError::NotFound(Record::Community));
    }

    #[test]
    fn defining_the_users_college_is_recorded() {
        Given::with(directory())
            .given(vec![registered()])
            .when(college(10, "Collège des usagers", true))
            .then_expect_events(vec![CommunityEvent::CollegeDefined {
                college_id: CollegeId(Uuid::from_u128(10)),
                name: "Collège des usagers".into(),
                is_users_college: true,
            }]);
    }

    #[test]
    fn a_second_users_college_is_refused() {
        Given::with(directory())
            .given(vec![
                registered(),
                CommunityEvent::CollegeDefined {
                    college_id: CollegeId(Uuid::from_u128(10)),
                    name: "Collège des usagers".into(),
                    is_users_college: true,
                },
            ])
            .when(college(11, "Collège des patients", true))
            .then_expect_error(DomainError::UsersCollegeAlreadyDefined);
    }

    #[test]
    fn a_second_board_is_refused_but_working_groups_may_be_many() {
        let board = CommunityEvent::BodyEstablished {
            body_id: BodyId(Uuid::from_u128(20)),
            kind: BodyKind::Board,
            name: "Conseil d'administration".into(),
        };
        Given::with(directory())
            .given(vec![registered(), board.clone()])
            .when(CommunityCommand::EstablishBody {
                body_id: BodyId(Uuid::from_u128(21)),
                kind: BodyKind::Board,
                name: "Second conseil".into(),
            })
            .then_expect_error(DomainError::SingleBodyAlreadyEstablished(BodyKind::Board));
        Given::with(directory())
            .given(vec![
                registered(),
                CommunityEvent::BodyEstablished {
                    body_id: BodyId(Uuid::from_u128(22)),
                    kind: BodyKind::WorkingGroup,
                    name: "GT Parcours diabète".into(),
                },
            ])
            .when(CommunityCommand::EstablishBody {
                body_id: BodyId(Uuid::from_u128(23)),
                kind: BodyKind::WorkingGroup,
                name: "GT Soins non programmés".into(),
            })
            .then_expect_events(vec![CommunityEvent::BodyEstablished {
                body_id: BodyId(Uuid::from_u128(23)),
                kind: BodyKind::WorkingGroup,
                name: "GT Soins non programmés".into(),
            }]);
    }

    #[test]
    fn adopting_internal_rules_records_the_travel_expense_rule() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 20).expect("valid date");
        Given::with(directory())
            .given(vec![registered()])
            .when(CommunityCommand::AdoptInternalRules {
                adopted_on: date,
                travel_expenses_reimbursed: true,
            })
            .then_expect_events(vec![CommunityEvent::InternalRulesAdopted {
                adopted_on: date,
                travel_expenses_reimbursed: true,
            }]);
    }

    #[test]
    fn a_college_id_taken_elsewhere_in_the_register_is_refused() {
        // Another CPTS defined a collège with this id: reusing it here would name two
        // collèges with one id across the log.
        let taken = InMemoryDirectory::default()
            .with_claim(Claim {
                kind: SubRecord::College,
                id: Uuid::from_u128(10),
            })
            .into_service();
        Given::with(taken)
            .given(vec![registered()])
            .when(college(10, "Collège des usagers", true))
            .then_expect_error(DomainError::IdTaken(Record::College));
    }

    #[test]
    fn a_body_id_taken_elsewhere_in_the_register_is_refused() {
        let taken = InMemoryDirectory::default()
            .with_claim(Claim {
                kind: SubRecord::Body,
                id: Uuid::from_u128(20),
            })
            .into_service();
        Given::with(taken)
            .given(vec![registered()])
            .when(CommunityCommand::EstablishBody {
                body_id: BodyId(Uuid::from_u128(20)),
                kind: BodyKind::Board,
                name: "Conseil d'administration".into(),
            })
            .then_expect_error(DomainError::IdTaken(Record::Body));
    }

    #[test]
    fn an_id_claimed_as_another_kind_of_sub_record_is_free() {
        let other_kind = InMemoryDirectory::default()
            .with_claim(Claim {
                kind: SubRecord::Body,
                id: Uuid::from_u128(10),
            })
            .into_service();
        Given::with(other_kind)
            .given(vec![registered()])
            .when(college(10, "Collège des usagers", true))
            .then_expect_events(vec![CommunityEvent::CollegeDefined {
                college_id: CollegeId(Uuid::from_u128(10)),
                name: "Collège des usagers".into(),
                is_users_college: true,
            }]);
    }
}

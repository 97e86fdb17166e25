//! A member of a CPTS: a person or an organisation, with a representative's mandate and the
//! seats it holds in a collège and in bodies.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::directory::{existing_community, DirectoryService};
use crate::domain_event;
use crate::error::{DomainError, Field, Record, TooEarlyReason};
use crate::ids::{AssociationId, BodyId, CollegeId, CommunityId, MemberId};
use crate::values::{date_range, limits, optional_email, optional_text, required_text, Lang};

/// What kind of member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MemberKind {
    /// A health professional, with their profession.
    HealthProfessional {
        /// E.g. "médecin généraliste", "pharmacien".
        profession: String,
    },
    /// A health establishment (hospital, clinic).
    Establishment,
    /// A social body (centre social, CCAS).
    SocialBody,
    /// A medico-social body (EHPAD, SSIAD).
    MedicoSocialBody,
    /// A representative of a users' association.
    AssociationRepresentative,
    /// The CPTS's coordinator.
    Coordinator,
}

impl MemberKind {
    /// The stable name of the kind.
    pub fn wire_name(&self) -> &'static str {
        match self {
            MemberKind::HealthProfessional { .. } => "health_professional",
            MemberKind::Establishment => "establishment",
            MemberKind::SocialBody => "social_body",
            MemberKind::MedicoSocialBody => "medico_social_body",
            MemberKind::AssociationRepresentative => "association_representative",
            MemberKind::Coordinator => "coordinator",
        }
    }
}

/// A representative's mandate from an association.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mandate {
    /// The association that mandates the representative.
    pub association_id: AssociationId,
    /// First day of the mandate.
    pub start: NaiveDate,
    /// Last day of the mandate.
    pub end: NaiveDate,
    /// Whether the representative lives in the CPTS's territory.
    pub lives_in_territory: bool,
    /// Where the representative lives, if known.
    pub commune: Option<String>,
    /// The written cadre d'intervention: what the representative is there to do.
    pub cadre_intervention: Option<String>,
    /// When the mandate was ended early, if it was.
    pub ended_on: Option<NaiveDate>,
}

impl Mandate {
    /// Whether the mandate is in force on `date`.
    pub fn is_active_on(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end && self.ended_on.is_none_or(|ended| date < ended)
    }
}

/// A command to a member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MemberCommand {
    /// Admits a person or organisation as a member of a CPTS.
    Admit {
        /// The id the caller chose.
        member_id: MemberId,
        /// The CPTS.
        community_id: CommunityId,
        /// The member's name.
        name: String,
        /// What kind of member.
        kind: MemberKind,
        /// When admitted.
        admitted_on: NaiveDate,
    },
    /// Records an association's mandate for a representative.
    GrantMandate {
        /// The mandating association, of the same CPTS.
        association_id: AssociationId,
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
        /// Whether the representative lives in the territory.
        lives_in_territory: bool,
        /// Where the representative lives.
        commune: Option<String>,
        /// The written cadre d'intervention, if there is one yet.
        cadre_intervention: Option<String>,
    },
    /// Records the written cadre d'intervention of the current mandate.
    WriteCadreIntervention {
        /// The text.
        text: String,
    },
    /// Ends the current mandate before its term.
    EndMandate {
        /// Last day in office... the mandate is no longer active from this day.
        on: NaiveDate,
        /// Why.
        reason: Option<String>,
    },
    /// Seats the member in a collège of the CPTS.
    SeatInCollege {
        /// The collège.
        college_id: CollegeId,
        /// From when.
        on: NaiveDate,
    },
    /// Seats the member in a body of the CPTS.
    SeatInBody {
        /// The body.
        body_id: BodyId,
        /// From when.
        on: NaiveDate,
    },
    /// Records that the member left a body.
    LeaveBody {
        /// The body.
        body_id: BodyId,
        /// When.
        on: NaiveDate,
    },
    /// Records that the member left the CPTS.
    Depart {
        /// When.
        on: NaiveDate,
        /// Why, if known.
        reason: Option<String>,
    },
    /// Erases the member's personal data at their request (GDPR, right to erasure): their key
    /// is destroyed, so what the log holds about them can no longer be read. The record of what
    /// they did (contributions, seats, mandates) stays, nameless.
    ErasePersonalData {
        /// When the erasure was decided.
        on: NaiveDate,
    },
    /// Records how the member wishes to be told what became of their contributions: an e-mail
    /// address (none: no e-mail) and the language of the messages. The address is personal data.
    SetContact {
        /// The e-mail address, or none to receive no e-mail.
        email: Option<String>,
        /// The language of the messages.
        language: Lang,
    },
    /// Withdraws the member's address (the member, or staff at their request): no e-mail is
    /// sent to it any more and it can no longer be read, in any copy of the record. Nothing is
    /// recorded when no address is held.
    WithdrawContact,
    /// The member followed the unsubscribe link of an e-mail: as a withdrawal, sent by the
    /// service itself on their behalf (the link needs no login). Nothing is recorded when no
    /// address is held, so a second click changes nothing.
    Unsubscribe,
}

/// A fact recorded about a member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MemberEvent {
    /// The member was admitted.
    MemberAdmitted {
        /// Its id.
        member_id: MemberId,
        /// Its CPTS.
        community_id: CommunityId,
        /// Its name.
        name: String,
        /// Its kind.
        kind: MemberKind,
        /// When.
        admitted_on: NaiveDate,
    },
    /// A mandate was granted.
    MandateGranted {
        /// The mandating association.
        association_id: AssociationId,
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
        /// Whether the representative lives in the territory.
        lives_in_territory: bool,
        /// Where the representative lives.
        commune: Option<String>,
        /// The cadre d'intervention.
        cadre_intervention: Option<String>,
    },
    /// The cadre d'intervention was written.
    CadreInterventionWritten {
        /// The text.
        text: String,
    },
    /// The mandate was ended early.
    MandateEnded {
        /// When.
        on: NaiveDate,
        /// Why.
        reason: Option<String>,
    },
    /// The member took a seat in a collège.
    SeatedInCollege {
        /// The collège.
        college_id: CollegeId,
        /// From when.
        on: NaiveDate,
    },
    /// The member took a seat in a body.
    SeatedInBody {
        /// The body.
        body_id: BodyId,
        /// From when.
        on: NaiveDate,
    },
    /// The member left a body.
    LeftBody {
        /// The body.
        body_id: BodyId,
        /// When.
        on: NaiveDate,
    },
    /// The member left the CPTS.
    MemberDeparted {
        /// When.
        on: NaiveDate,
        /// Why.
        reason: Option<String>,
    },
    /// The member's personal data was erased: their key is destroyed.
    PersonalDataErased {
        /// When.
        on: NaiveDate,
    },
    /// The member's contact details were set: where and in which language they are told what
    /// became of their contributions.
    ContactSet {
        /// The e-mail address, if any (personal data).
        email: Option<String>,
        /// The language of the messages.
        language: Lang,
    },
    /// The member's address was withdrawn (by them, or by staff): consent to be written to is
    /// withdrawn, and the address's key is destroyed with it.
    ContactWithdrawn,
    /// The member unsubscribed from the link of an e-mail: as a withdrawal.
    Unsubscribed,
}

domain_event!(MemberEvent {
    MemberAdmitted,
    MandateGranted,
    CadreInterventionWritten,
    MandateEnded,
    SeatedInCollege,
    SeatedInBody,
    LeftBody,
    MemberDeparted,
    PersonalDataErased,
    ContactSet,
    ContactWithdrawn,
    Unsubscribed,
});

/// The current state of a member.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Member {
    id: Option<MemberId>,
    community_id: Option<CommunityId>,
    name: String,
    kind: Option<MemberKind>,
    admitted_on: Option<NaiveDate>,
    mandate: Option<Mandate>,
    college: Option<(CollegeId, NaiveDate)>,
    bodies: Vec<(BodyId, NaiveDate)>,
    departed_on: Option<NaiveDate>,
    erased_on: Option<NaiveDate>,
    /// Whether an address is held (set, and neither withdrawn nor erased since).
    #[serde(default)]
    contact_held: bool,
}

impl Member {
    /// Its id, once admitted.
    pub fn id(&self) -> Option<MemberId> {
        self.id
    }

    /// Its CPTS.
    pub fn community_id(&self) -> Option<CommunityId> {
        self.community_id
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its kind.
    pub fn kind(&self) -> Option<&MemberKind> {
        self.kind.as_ref()
    }

    /// When it was admitted.
    pub fn admitted_on(&self) -> Option<NaiveDate> {
        self.admitted_on
    }

    /// Its latest mandate, if it is a representative who received one.
    pub fn mandate(&self) -> Option<&Mandate> {
        self.mandate.as_ref()
    }

    /// The collège it sits in, and since when.
    pub fn college(&self) -> Option<(CollegeId, NaiveDate)> {
        self.college
    }

    /// The bodies it sits in, and since when.
    pub fn bodies(&self) -> &[(BodyId, NaiveDate)] {
        &self.bodies
    }

    /// When it left the CPTS, if it did.
    pub fn departed_on(&self) -> Option<NaiveDate> {
        self.departed_on
    }

    /// Whether it has left the CPTS.
    pub fn has_departed(&self) -> bool {
        self.departed_on.is_some()
    }

    fn present(&self) -> Result<NaiveDate, DomainError> {
        let admitted_on = self
            .admitted_on
            .ok_or(DomainError::NotFound(Record::Member))?;
        if self.departed_on.is_some() {
            return Err(DomainError::MemberDeparted);
        }
        Ok(admitted_on)
    }

    fn not_before_admission(
        &self,
        date: NaiveDate,
        admitted_on: NaiveDate,
    ) -> Result<(), DomainError> {
        if date < admitted_on {
            return Err(DomainError::TooEarly {
                date,
                earliest: admitted_on,
                reason: TooEarlyReason::BeforeAdmission,
            });
        }
        Ok(())
    }

    fn current_mandate(&self) -> Result<&Mandate, DomainError> {
        self.mandate
            .as_ref()
            .filter(|m| m.ended_on.is_none())
            .ok_or(DomainError::NoActiveMandate)
    }

    async fn decide(
        &self,
        command: MemberCommand,
        directory: &DirectoryService,
    ) -> Result<Vec<MemberEvent>, DomainError> {
        match command {
            MemberCommand::Admit {
                member_id,
                community_id,
                name,
                kind,
                admitted_on,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::AlreadyExists(Record::Member));
                }
                let name = required_text(Field::Name, &name, limits::NAME)?;
                let kind = match kind {
                    MemberKind::HealthProfessional { profession } => {
                        MemberKind::HealthProfessional {
                            profession: required_text(
                                Field::Profession,
                                &profession,
                                limits::NAME,
                            )?,
                        }
                    }
                    other => other,
                };
                existing_community(directory.as_ref(), community_id).await?;
                Ok(vec![MemberEvent::MemberAdmitted {
                    member_id,
                    community_id,
                    name,
                    kind,
                    admitted_on,
                }])
            }
            MemberCommand::GrantMandate {
                association_id,
                start,
                end,
                lives_in_territory,
                commune,
                cadre_intervention,
            } => {
                let admitted_on = self.present()?;
                if self.kind != Some(MemberKind::AssociationRepresentative) {
                    return Err(DomainError::NotARepresentative);
                }
                if self.current_mandate().is_ok() {
                    return Err(DomainError::MandateAlreadyActive);
                }
                date_range(Field::Mandate, start, end)?;
                self.not_before_admission(start, admitted_on)?;
                let commune = optional_text(Field::Commune, commune.as_deref(), limits::NAME)?;
                let cadre_intervention = optional_text(
                    Field::CadreIntervention,
                    cadre_intervention.as_deref(),
                    limits::TEXT,
                )?;
                let association = directory
                    .association(association_id)
                    .await?
                    .ok_or(DomainError::NotFound(Record::Association))?;
                if association.community_id() != self.community_id {
                    // Another CPTS's record is answered as one that does not exist.
                    return Err(DomainError::NotFound(Record::Association));
                }
                if association.withdrawn_on().is_some() {
                    return Err(DomainError::Withdrawn(Record::Association));
                }
                Ok(vec![MemberEvent::MandateGranted {
                    association_id,
                    start,
                    end,
                    lives_in_territory,
                    commune,
                    cadre_intervention,
                }])
            }
            MemberCommand::WriteCadreIntervention { text } => {
                self.present()?;
                self.current_mandate()?;
                let text = required_text(Field::CadreIntervention, &text, limits::TEXT)?;
                Ok(vec![MemberEvent::CadreInterventionWritten { text }])
            }
            MemberCommand::EndMandate { on, reason } => {
                self.present()?;
                let mandate = self.current_mandate()?;
                if on < mandate.start {
                    return Err(DomainError::TooEarly {
                        date: on,
                        earliest: mandate.start,
                        reason: TooEarlyReason::BeforeMandateStart,
                    });
                }
                let reason = optional_text(Field::Reason, reason.as_deref(), limits::TEXT)?;
                Ok(vec![MemberEvent::MandateEnded { on, reason }])
            }
            MemberCommand::SeatInCollege { college_id, on } => {
                let admitted_on = self.present()?;
                self.not_before_admission(on, admitted_on)?;
                if self.college.is_some() {
                    return Err(DomainError::AlreadySeated);
                }
                let community = self.own_community(directory).await?;
                if community.college(college_id).is_none() {
                    return Err(DomainError::NotFound(Record::College));
                }
                Ok(vec![MemberEvent::SeatedInCollege { college_id, on }])
            }
            MemberCommand::SeatInBody { body_id, on } => {
                let admitted_on = self.present()?;
                self.not_before_admission(on, admitted_on)?;
                if self.bodies.iter().any(|(b, _)| *b == body_id) {
                    return Err(DomainError::AlreadySeated);
                }
                let community = self.own_community(directory).await?;
                if community.body(body_id).is_none() {
                    return Err(DomainError::NotFound(Record::Body));
                }
                Ok(vec![MemberEvent::SeatedInBody { body_id, on }])
            }
            MemberCommand::LeaveBody { body_id, on } => {
                self.present()?;
                let (_, since) = self
                    .bodies
                    .iter()
                    .find(|(b, _)| *b == body_id)
                    .ok_or(DomainError::NotSeated)?;
                self.not_before_admission(on, *since)?;
                Ok(vec![MemberEvent::LeftBody { body_id, on }])
            }
            MemberCommand::Depart { on, reason } => {
                let admitted_on = self.present()?;
                self.not_before_admission(on, admitted_on)?;
                let reason = optional_text(Field::Reason, reason.as_deref(), limits::TEXT)?;
                Ok(vec![MemberEvent::MemberDeparted { on, reason }])
            }
            MemberCommand::ErasePersonalData { on } => {
                let admitted_on = self
                    .admitted_on
                    .ok_or(DomainError::NotFound(Record::Member))?;
                if self.erased_on.is_some() {
                    return Err(DomainError::AlreadyErased);
                }
                self.not_before_admission(on, admitted_on)?;
                Ok(vec![MemberEvent::PersonalDataErased { on }])
            }
            MemberCommand::SetContact { email, language } => {
                self.present()?;
                if self.erased_on.is_some() {
                    return Err(DomainError::AlreadyErased);
                }
                let email = optional_email(email.as_deref())?;
                // Removing the address is withdrawing it: recorded as such, so its key goes.
                let mut events = Vec::new();
                if email.is_none() && self.contact_held {
                    events.push(MemberEvent::ContactWithdrawn);
                }
                events.push(MemberEvent::ContactSet { email, language });
                Ok(events)
            }
            MemberCommand::WithdrawContact => {
                self.admitted_on
                    .ok_or(DomainError::NotFound(Record::Member))?;
                Ok(if self.contact_held {
                    vec![MemberEvent::ContactWithdrawn]
                } else {
                    vec![]
                })
            }
            MemberCommand::Unsubscribe => {
                self.admitted_on
                    .ok_or(DomainError::NotFound(Record::Member))?;
                Ok(if self.contact_held {
                    vec![MemberEvent::Unsubscribed]
                } else {
                    vec![]
                })
            }
        }
    }

    async fn own_community(
        &self,
        directory: &DirectoryService,
    ) -> Result<crate::community::Community, DomainError> {
        let id = self
            .community_id
            .ok_or(DomainError::NotFound(Record::Member))?;
        existing_community(directory.as_ref(), id).await
    }
}

impl Aggregate for Member {
    const TYPE: &'static str = "member";
    type Command = MemberCommand;
    type Event = MemberEvent;
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
            MemberEvent::MemberAdmitted {
                member_id,
                community_id,
                name,
                kind,
                admitted_on,
            } => {
                self.id = Some(member_id);
                self.community_id = Some(community_id);
                self.name = name;
                self.kind = Some(kind);
                self.admitted_on = Some(admitted_on);
            }
            MemberEvent::MandateGranted {
                association_id,
                start,
                end,
                lives_in_territory,
                commune,
                cadre_intervention,
            } => {
                self.mandate = Some(Mandate {
                    association_id,
                    start,
                    end,
                    lives_in_territory,
                    commune,
                    cadre_intervention,
                    ended_on: None,
                });
            }
            MemberEvent::CadreInterventionWritten { text } => {
                if let Some(mandate) = self.mandate.as_mut() {
                    mandate.cadre_intervention = Some(text);
                }
            }
            MemberEvent::MandateEnded { on, .. } => {
                if let Some(mandate) = self.mandate.as_mut() {
                    mandate.ended_on = Some(on);
                }
            }
            MemberEvent::SeatedInCollege { college_id, on } => {
                self.college = Some((college_id, on))
            }
            MemberEvent::SeatedInBody { body_id, on } => self.bodies.push((body_id, on)),
            MemberEvent::LeftBody { body_id, .. } => self.bodies.retain(|(b, _)| *b != body_id),
            MemberEvent::MemberDeparted { on, .. } => {
                self.departed_on = Some(on);
                if let Some(mandate) = self.mandate.as_mut() {
                    mandate.ended_on.get_or_insert(on);
                }
                self.bodies.clear();
            }
            // Contact details are for the notifications; the member only knows whether an
            // address is held, so that withdrawing twice records nothing the second time.
            MemberEvent::ContactSet { email, .. } => self.contact_held = email.is_some(),
            MemberEvent::ContactWithdrawn | MemberEvent::Unsubscribed => self.contact_held = false,
            MemberEvent::PersonalDataErased { on } => {
                self.erased_on = Some(on);
                self.contact_held = false;
                self.name = crate::personal::ERASED.to_owned();
                if let Some(mandate) = self.mandate.as_mut() {
                    mandate.commune = None;
                    mandate.cadre_intervention = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    use super::*;
    use crate::association::AssociationEvent;
    use crate::community::CommunityEvent;
    use crate::directory::InMemoryDirectory;
    use crate::values::{BodyKind, Commune};

    const CPTS: CommunityId = CommunityId(Uuid::from_u128(1));
    const OTHER_CPTS: CommunityId = CommunityId(Uuid::from_u128(2));
    const ADTL: AssociationId = AssociationId(Uuid::from_u128(100));
    const FOREIGN: AssociationId = AssociationId(Uuid::from_u128(101));
    const GONE: AssociationId = AssociationId(Uuid::from_u128(102));
    const USERS: CollegeId = CollegeId(Uuid::from_u128(10));
    const BOARD: BodyId = BodyId(Uuid::from_u128(20));
    const KARIM: MemberId = MemberId(Uuid::from_u128(1000));

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn registered(id: CommunityId) -> Vec<CommunityEvent> {
        vec![
            CommunityEvent::CommunityRegistered {
                community_id: id,
                name: format!("CPTS {id}"),
                territory: vec![Commune {
                    insee: "34301".into(),
                    name: "Sète".into(),
                }],
            },
            CommunityEvent::CollegeDefined {
                college_id: USERS,
                name: "Collège des usagers".into(),
                is_users_college: true,
            },
            CommunityEvent::BodyEstablished {
                body_id: BOARD,
                kind: BodyKind::Board,
                name: "CA".into(),
            },
        ]
    }

    fn association(id: AssociationId, community_id: CommunityId) -> AssociationEvent {
        AssociationEvent::AssociationRegistered {
            association_id: id,
            community_id,
            name: format!("Association {id}"),
        }
    }

    fn given() -> TestFramework<Member> {
        let directory = InMemoryDirectory::default()
            .with_community(registered(CPTS))
            .with_community(registered(OTHER_CPTS))
            .with_association([association(ADTL, CPTS)])
            .with_association([association(FOREIGN, OTHER_CPTS)])
            .with_association([
                association(GONE, CPTS),
                AssociationEvent::AssociationWithdrew {
                    on: date(2026, 1, 1),
                    reason: None,
                },
            ]);
        TestFramework::with(directory.into_service())
    }

    fn admitted(kind: MemberKind) -> MemberEvent {
        MemberEvent::MemberAdmitted {
            member_id: KARIM,
            community_id: CPTS,
            name: "Karim Benali".into(),
            kind,
            admitted_on: date(2026, 1, 20),
        }
    }

    fn grant(association_id: AssociationId) -> MemberCommand {
        MemberCommand::GrantMandate {
            association_id,
            start: date(2026, 1, 20),
            end: date(2027, 12, 31),
            lives_in_territory: false,
            commune: Some("Montpellier".into()),
            cadre_intervention: None,
        }
    }

    fn granted() -> MemberEvent {
        MemberEvent::MandateGranted {
            association_id: ADTL,
            start: date(2026, 1, 20),
            end: date(2027, 12, 31),
            lives_in_territory: false,
            commune: Some("Montpellier".into()),
            cadre_intervention: None,
        }
    }

    #[test]
    fn a_health_professional_needs_a_profession() {
        given()
            .given_no_previous_events()
            .when(MemberCommand::Admit {
                member_id: KARIM,
                community_id: CPTS,
                name: "Julien Fabre".into(),
                kind: MemberKind::HealthProfessional {
                    profession: "".into(),
                },
                admitted_on: date(2026, 1, 5),
            })
            .then_expect_error(DomainError::Required {
                field: Field::Profession,
            });
    }

    #[test]
    fn admitting_into_an_unknown_community_is_refused() {
        given()
            .given_no_previous_events()
            .when(MemberCommand::Admit {
                member_id: KARIM,
                community_id: CommunityId(Uuid::from_u128(3)),
                name: "Karim Benali".into(),
                kind: MemberKind::AssociationRepresentative,
                admitted_on: date(2026, 1, 20),
            })
            .then_expect_error(DomainError::NotFound(Record::Community));
    }

    #[test]
    fn a_representative_receives_a_mandate_without_cadre_yet() {
        given()
            .given(vec![admitted(MemberKind::AssociationRepresentative)])
            .when(grant(ADTL))
            .then_expect_events(vec![granted()]);
    }

    #[test]
    fn only_a_representative_receives_a_mandate() {
        given()
            .given(vec![admitted(MemberKind::Coordinator)])
            .when(grant(ADTL))
            .then_expect_error(DomainError::NotARepresentative);
    }

    #[test]
    fn a_mandate_from_another_cpts_association_is_refused_as_unknown() {
        given()
            .given(vec![admitted(MemberKind::AssociationRepresentative)])
            .when(grant(FOREIGN))
            .then_expect_error(DomainError::NotFound(Record::Association));
    }

    #[test]
    fn a_mandate_from_a_withdrawn_association_is_refused() {
        given()
            .given(vec![admitted(MemberKind::AssociationRepresentative)])
            .when(grant(GONE))
            .then_expect_error(DomainError::Withdrawn(Record::Association));
    }

    #[test]
    fn a_mandate_that_ends_before_it_starts_is_refused() {
        given()
            .given(vec![admitted(MemberKind::AssociationRepresentative)])
            .when(MemberCommand::GrantMandate {
                association_id: ADTL,
                start: date(2026, 6, 1),
                end: date(2026, 1, 31),
                lives_in_territory: true,
                commune: None,
                cadre_intervention: None,
            })
            .then_expect_error(DomainError::DateRange {
                field: Field::Mandate,
                start: date(2026, 6, 1),
                end: date(2026, 1, 31),
            });
    }

    #[test]
    fn a_second_mandate_while_one_is_active_is_refused() {
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                granted(),
            ])
            .when(grant(ADTL))
            .then_expect_error(DomainError::MandateAlreadyActive);
    }

    #[test]
    fn the_cadre_intervention_is_written_for_the_current_mandate() {
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                granted(),
            ])
            .when(MemberCommand::WriteCadreIntervention {
                text: "Porter la parole des aidants.".into(),
            })
            .then_expect_events(vec![MemberEvent::CadreInterventionWritten {
                text: "Porter la parole des aidants.".into(),
            }]);
    }

    #[test]
    fn a_cadre_intervention_without_mandate_is_refused() {
        given()
            .given(vec![admitted(MemberKind::AssociationRepresentative)])
            .when(MemberCommand::WriteCadreIntervention {
                text: "Texte".into(),
            })
            .then_expect_error(DomainError::NoActiveMandate);
    }

    #[test]
    fn seating_in_the_users_college_is_recorded() {
        given()
            .given(vec![admitted(MemberKind::AssociationRepresentative)])
            .when(MemberCommand::SeatInCollege {
                college_id: USERS,
                on: date(2026, 1, 20),
            })
            .then_expect_events(vec![MemberEvent::SeatedInCollege {
                college_id: USERS,
                on: date(2026, 1, 20),
            }]);
    }

    #[test]
    fn seating_in_an_unknown_college_is_refused() {
        given()
            .given(vec![admitted(MemberKind::AssociationRepresentative)])
            .when(MemberCommand::SeatInCollege {
                college_id: CollegeId(Uuid::from_u128(77)),
                on: date(2026, 1, 20),
            })
            .then_expect_error(DomainError::NotFound(Record::College));
    }

    #[test]
    fn seating_before_admission_is_refused() {
        given()
            .given(vec![admitted(MemberKind::AssociationRepresentative)])
            .when(MemberCommand::SeatInBody {
                body_id: BOARD,
                on: date(2025, 12, 1),
            })
            .then_expect_error(DomainError::TooEarly {
                date: date(2025, 12, 1),
                earliest: date(2026, 1, 20),
                reason: TooEarlyReason::BeforeAdmission,
            });
    }

    #[test]
    fn seating_twice_in_a_body_is_refused() {
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                MemberEvent::SeatedInBody {
                    body_id: BOARD,
                    on: date(2026, 1, 20),
                },
            ])
            .when(MemberCommand::SeatInBody {
                body_id: BOARD,
                on: date(2026, 2, 1),
            })
            .then_expect_error(DomainError::AlreadySeated);
    }

    #[test]
    fn leaving_a_body_one_does_not_sit_in_is_refused() {
        given()
            .given(vec![admitted(MemberKind::AssociationRepresentative)])
            .when(MemberCommand::LeaveBody {
                body_id: BOARD,
                on: date(2026, 2, 1),
            })
            .then_expect_error(DomainError::NotSeated);
    }

    #[test]
    fn a_departed_member_takes_no_more_seats() {
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                MemberEvent::MemberDeparted {
                    on: date(2026, 3, 1),
                    reason: None,
                },
            ])
            .when(MemberCommand::SeatInBody {
                body_id: BOARD,
                on: date(2026, 3, 2),
            })
            .then_expect_error(DomainError::MemberDeparted);
    }

    #[test]
    fn ending_a_mandate_before_it_starts_is_refused() {
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                granted(),
            ])
            .when(MemberCommand::EndMandate {
                on: date(2026, 1, 1),
                reason: None,
            })
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 1, 1),
                earliest: date(2026, 1, 20),
                reason: TooEarlyReason::BeforeMandateStart,
            });
    }

    #[test]
    fn ending_a_mandate_is_recorded_and_frees_the_representative_for_a_new_one() {
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                granted(),
            ])
            .when(MemberCommand::EndMandate {
                on: date(2026, 9, 1),
                reason: Some("Démission".into()),
            })
            .then_expect_events(vec![MemberEvent::MandateEnded {
                on: date(2026, 9, 1),
                reason: Some("Démission".into()),
            }]);
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                granted(),
                MemberEvent::MandateEnded {
                    on: date(2026, 9, 1),
                    reason: None,
                },
            ])
            .when(grant(ADTL))
            .then_expect_events(vec![granted()]);
    }

    #[test]
    fn a_member_is_erased_once() {
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                granted(),
            ])
            .when(MemberCommand::ErasePersonalData {
                on: date(2026, 11, 30),
            })
            .then_expect_events(vec![MemberEvent::PersonalDataErased {
                on: date(2026, 11, 30),
            }]);
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                MemberEvent::PersonalDataErased {
                    on: date(2026, 11, 30),
                },
            ])
            .when(MemberCommand::ErasePersonalData {
                on: date(2026, 12, 1),
            })
            .then_expect_error(DomainError::AlreadyErased);
    }

    #[test]
    fn nobody_is_erased_who_was_never_admitted() {
        given()
            .given_no_previous_events()
            .when(MemberCommand::ErasePersonalData {
                on: date(2026, 11, 30),
            })
            .then_expect_error(DomainError::NotFound(Record::Member));
    }

    #[test]
    fn leaving_a_body_is_recorded() {
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                MemberEvent::SeatedInBody {
                    body_id: BOARD,
                    on: date(2026, 1, 20),
                },
            ])
            .when(MemberCommand::LeaveBody {
                body_id: BOARD,
                on: date(2026, 6, 30),
            })
            .then_expect_events(vec![MemberEvent::LeftBody {
                body_id: BOARD,
                on: date(2026, 6, 30),
            }]);
    }

    #[test]
    fn a_departure_is_recorded_once() {
        let departed = MemberEvent::MemberDeparted {
            on: date(2026, 3, 1),
            reason: Some("Retraite".into()),
        };
        given()
            .given(vec![admitted(MemberKind::AssociationRepresentative)])
            .when(MemberCommand::Depart {
                on: date(2026, 3, 1),
                reason: Some("Retraite".into()),
            })
            .then_expect_events(vec![departed.clone()]);
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                departed,
            ])
            .when(MemberCommand::Depart {
                on: date(2026, 3, 2),
                reason: None,
            })
            .then_expect_error(DomainError::MemberDeparted);
    }

    #[test]
    fn admitting_the_same_member_twice_is_refused() {
        given()
            .given(vec![admitted(MemberKind::Coordinator)])
            .when(MemberCommand::Admit {
                member_id: KARIM,
                community_id: CPTS,
                name: "Karim Benali".into(),
                kind: MemberKind::Coordinator,
                admitted_on: date(2026, 1, 20),
            })
            .then_expect_error(DomainError::AlreadyExists(Record::Member));
    }

    #[test]
    fn an_ended_mandate_is_no_longer_active() {
        let mut member = Member::default();
        for event in [
            admitted(MemberKind::AssociationRepresentative),
            granted(),
            MemberEvent::MandateEnded {
                on: date(2026, 9, 1),
                reason: None,
            },
        ] {
            member.apply(event);
        }
        let mandate = member.mandate().expect("a mandate");
        assert!(mandate.is_active_on(date(2026, 8, 31)));
        assert!(!mandate.is_active_on(date(2026, 9, 1)));
    }

    #[test]
    fn a_member_sets_an_address_checked_and_trimmed() {
        given()
            .given(vec![admitted(MemberKind::AssociationRepresentative)])
            .when(MemberCommand::SetContact {
                email: Some("  martine.roussel@example.org ".into()),
                language: Lang::En,
            })
            .then_expect_events(vec![MemberEvent::ContactSet {
                email: Some("martine.roussel@example.org".into()),
                language: Lang::En,
            }]);
        for bad in [
            "martine",
            "@example.org",
            "a@b",
            "a b@example.org",
            "a@@example.org",
        ] {
            given()
                .given(vec![admitted(MemberKind::AssociationRepresentative)])
                .when(MemberCommand::SetContact {
                    email: Some(bad.into()),
                    language: Lang::Fr,
                })
                .then_expect_error(DomainError::InvalidEmail(bad.into()));
        }
    }

    #[test]
    fn an_erased_member_sets_no_address() {
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                MemberEvent::PersonalDataErased {
                    on: date(2026, 11, 30),
                },
            ])
            .when(MemberCommand::SetContact {
                email: Some("m@example.org".into()),
                language: Lang::Fr,
            })
            .then_expect_error(DomainError::AlreadyErased);
    }

    #[test]
    fn a_withdrawn_or_unsubscribed_address_is_recorded_once() {
        let set = MemberEvent::ContactSet {
            email: Some("m@example.org".into()),
            language: Lang::Fr,
        };
        for (command, event) in [
            (
                MemberCommand::WithdrawContact,
                MemberEvent::ContactWithdrawn,
            ),
            (MemberCommand::Unsubscribe, MemberEvent::Unsubscribed),
        ] {
            given()
                .given(vec![
                    admitted(MemberKind::AssociationRepresentative),
                    set.clone(),
                ])
                .when(command.clone())
                .then_expect_events(vec![event.clone()]);
            // A second click, or a withdrawal of nothing, records nothing.
            given()
                .given(vec![
                    admitted(MemberKind::AssociationRepresentative),
                    set.clone(),
                    event,
                ])
                .when(command.clone())
                .then_expect_events(vec![]);
            given()
                .given(vec![admitted(MemberKind::AssociationRepresentative)])
                .when(command)
                .then_expect_events(vec![]);
        }
    }

    #[test]
    fn removing_the_address_withdraws_it() {
        given()
            .given(vec![
                admitted(MemberKind::AssociationRepresentative),
                MemberEvent::ContactSet {
                    email: Some("m@example.org".into()),
                    language: Lang::Fr,
                },
            ])
            .when(MemberCommand::SetContact {
                email: None,
                language: Lang::En,
            })
            .then_expect_events(vec![
                MemberEvent::ContactWithdrawn,
                MemberEvent::ContactSet {
                    email: None,
                    language: Lang::En,
                },
            ]);
    }
}

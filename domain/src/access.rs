//! Who may do what: the roles of the people who use the ledger, and the one rule that says which
//! commands each may send. The CPTS a record belongs to is checked by the service, which knows
//! where each record lives; everything else about access is decided here.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::command::{Actor, AddressedCommand};
use crate::consultation::{Author, ConsultationCommand};
use crate::decision::DecisionCommand;
use crate::ids::{CommunityId, MemberId};
use crate::member::MemberCommand;
use crate::values::Lang;

/// What an API token lets its holder do, within one CPTS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the CPTS's record: every command of their CPTS, every read.
    Coordinator,
    /// Sits on a deciding body: records answers to contributions and votes; reads everything.
    BoardMember,
    /// Represents users: contributes in their own name, reads their own follow-up and the
    /// published decisions.
    Representative,
    /// Checks the record (the ARS, an auditor, the general assembly's rapporteur): reads
    /// everything of their CPTS, the timeline included, writes nothing.
    Auditor,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [
        Role::Coordinator,
        Role::BoardMember,
        Role::Representative,
        Role::Auditor,
    ];

    /// The name used on the command line, in storage and in the API.
    pub fn wire_name(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::BoardMember => "board_member",
            Role::Representative => "representative",
            Role::Auditor => "auditor",
        }
    }

    /// Parses [`Role::wire_name`] back.
    pub fn from_wire_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.wire_name() == name)
    }

    /// The role's name for people, from the text catalogue.
    pub fn label(self, lang: Lang) -> &'static str {
        crate::texts::t(
            lang,
            match self {
                Role::Coordinator => "role-coordinator",
                Role::BoardMember => "role-board_member",
                Role::Representative => "role-representative",
                Role::Auditor => "role-auditor",
            },
        )
    }

    /// Whether the role reads everything of its CPTS: names, unpublished answers, the timeline.
    pub fn reads_everything(self) -> bool {
        matches!(self, Role::Coordinator | Role::BoardMember | Role::Auditor)
    }

    /// Whether a token of this role must name the member who holds it.
    pub fn needs_member(self) -> bool {
        matches!(self, Role::BoardMember | Role::Representative)
    }
}

/// The holder of a valid API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    /// The token, recorded as the actor when no member is named.
    pub token_id: Uuid,
    /// The only CPTS the token reaches.
    pub community: CommunityId,
    /// What the token allows.
    pub role: Role,
    /// The member who holds it, if the token names one.
    pub member: Option<MemberId>,
}

impl Principal {
    /// Who acts, as recorded in the events.
    pub fn actor(&self) -> Actor {
        match self.member {
            Some(member) => Actor::Member(member),
            None => Actor::Token(self.token_id),
        }
    }
}

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// Code of the service itself (the demo, imports, tests): not subject to roles.
    Trusted(Actor),
    /// Someone without a token: reads published decisions, writes nothing.
    Public,
    /// The holder of a token.
    Principal(Principal),
}

impl Caller {
    /// Who acts, as recorded in the events.
    pub fn actor(&self) -> Actor {
        match self {
            Caller::Trusted(actor) => *actor,
            Caller::Public => Actor::Anonymous,
            Caller::Principal(p) => p.actor(),
        }
    }

    /// The CPTS the caller is confined to; `None` for trusted code.
    pub fn community(&self) -> Option<CommunityId> {
        match self {
            Caller::Principal(p) => Some(p.community),
            _ => None,
        }
    }
}

/// Why a caller may not send a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The command needs a token and none was given.
    Unauthenticated,
    /// The token's role does not allow the command.
    RoleForbids {
        /// The caller's role.
        role: Role,
    },
    /// A representative may contribute only in their own name.
    NotInOwnName,
    /// The record belongs to another CPTS (or does not exist): the caller cannot tell which.
    OutsideCommunity,
}

impl AccessError {
    /// The message in the given language, from the text catalogue.
    pub fn message(&self, lang: Lang) -> String {
        use crate::texts::{t, t_args};
        match self {
            AccessError::Unauthenticated => t(lang, "access-unauthenticated").to_owned(),
            AccessError::RoleForbids { role } => t_args(
                lang,
                "access-role-forbids",
                &[("role", role.label(lang).into())],
            ),
            AccessError::NotInOwnName => t(lang, "access-not-in-own-name").to_owned(),
            AccessError::OutsideCommunity => t(lang, "access-outside-community").to_owned(),
        }
    }
}

/// French; [`AccessError::message`] gives either language.
impl std::fmt::Display for AccessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::Fr))
    }
}

/// Whether a caller's role allows a command. The CPTS of the record is checked separately,
/// against the store; trusted code is not subject to roles.
pub fn authorize(caller: &Caller, command: &AddressedCommand) -> Result<(), AccessError> {
    let principal = match caller {
        Caller::Trusted(_) => return Ok(()),
        Caller::Public => return Err(AccessError::Unauthenticated),
        Caller::Principal(principal) => principal,
    };
    let forbidden = Err(AccessError::RoleForbids {
        role: principal.role,
    });
    // The unsubscribe link is the person's own act, sent by the service on their behalf: no
    // token sends it, a coordinator included (staff withdraw an address instead).
    if matches!(
        command,
        AddressedCommand::Member {
            command: MemberCommand::Unsubscribe,
            ..
        } | AddressedCommand::Consultation {
            command: ConsultationCommand::UnsubscribeInhabitant { .. },
            ..
        }
    ) {
        return forbidden;
    }
    match principal.role {
        Role::Coordinator => Ok(()),
        Role::Auditor => forbidden,
        Role::BoardMember => match command {
            AddressedCommand::Decision {
                command:
                    DecisionCommand::DraftAnswer { .. }
                    | DecisionCommand::ReviseAnswer { .. }
                    | DecisionCommand::PublishAnswer { .. }
                    | DecisionCommand::PublishAllAnswers { .. }
                    | DecisionCommand::RecordVote { .. },
                ..
            } => Ok(()),
            // Everyone sets, or withdraws, their own contact details.
            AddressedCommand::Member {
                id,
                command: MemberCommand::SetContact { .. } | MemberCommand::WithdrawContact,
            } if Some(*id) == principal.member => Ok(()),
            command => own_words(principal, command).unwrap_or(forbidden),
        },
        // A contribution received after the closing is accepted as late by a coordinator only,
        // in the representative's own name too: its reception date and reason are the CPTS's
        // account of what it received, not the author's.
        Role::Representative => match command {
            AddressedCommand::Consultation {
                command: ConsultationCommand::Submit { author, .. },
                ..
            } => match author {
                Author::Member { member_id } if Some(*member_id) == principal.member => Ok(()),
                _ => Err(AccessError::NotInOwnName),
            },
            AddressedCommand::Member {
                id,
                command: MemberCommand::SetContact { .. } | MemberCommand::WithdrawContact,
            } if Some(*id) == principal.member => Ok(()),
            command => own_words(principal, command).unwrap_or(forbidden),
        },
    }
}

/// Who may open the file a contribution carries: those who read everything of its CPTS (the
/// service has checked the CPTS), and its author. A file may hold what its author did not put in
/// words (names on a scanned paper form, a table of patients), so it is shown neither to other
/// representatives nor to the public, whatever became of the contribution.
pub fn may_read_file(principal: &Principal, author: Option<MemberId>) -> bool {
    principal.role.reads_everything() || (author.is_some() && author == principal.member)
}

/// A member amends or withdraws a contribution in their own name only; the consultation then
/// checks that the name is its author's (`Consultation::own_words`). `None` for any other
/// command.
fn own_words(principal: &Principal, command: &AddressedCommand) -> Option<Result<(), AccessError>> {
    let by = match command {
        AddressedCommand::Consultation {
            command:
                ConsultationCommand::Amend { by, .. } | ConsultationCommand::Withdraw { by, .. },
            ..
        } => by,
        _ => return None,
    };
    Some(match (by, principal.member) {
        (Some(by), Some(me)) if *by == me => Ok(()),
        _ => Err(AccessError::NotInOwnName),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::community::CommunityCommand;
    use crate::ids::{ConsultationId, ContributionId, DecisionId};
    use crate::values::ContributionKind;

    fn principal(role: Role, member: Option<MemberId>) -> Caller {
        Caller::Principal(Principal {
            token_id: Uuid::new_v4(),
            community: CommunityId(Uuid::new_v4()),
            role,
            member,
        })
    }

    fn submit(author: Author) -> AddressedCommand {
        AddressedCommand::Consultation {
            id: ConsultationId(Uuid::new_v4()),
            command: ConsultationCommand::Submit {
                contribution_id: ContributionId(Uuid::new_v4()),
                author,
                kind: ContributionKind::Opinion,
                text: "Un avis.".into(),
                submitted_on: "2026-02-05".parse().expect("date"),
                attachment: None,
                file: None,
            },
        }
    }

    fn publish_all() -> AddressedCommand {
        AddressedCommand::Decision {
            id: DecisionId(Uuid::new_v4()),
            command: DecisionCommand::PublishAllAnswers {
                on: "2026-04-07".parse().expect("date"),
            },
        }
    }

    fn adopt_rules() -> AddressedCommand {
        AddressedCommand::Community {
            id: CommunityId(Uuid::new_v4()),
            command: CommunityCommand::AdoptInternalRules {
                adopted_on: "2026-01-10".parse().expect("date"),
                travel_expenses_reimbursed: true,
            },
        }
    }

    #[test]
    fn nobody_writes_without_a_token() {
        for command in [
            submit(Author::Anonymous {
                commune: Some("Sète".into()),
            }),
            publish_all(),
            adopt_rules(),
        ] {
            assert_eq!(
                authorize(&Caller::Public, &command),
                Err(AccessError::Unauthenticated)
            );
        }
    }

    #[test]
    fn a_coordinator_sends_every_command_and_an_auditor_none() {
        for command in [
            submit(Author::Anonymous {
                commune: Some("Sète".into()),
            }),
            publish_all(),
            adopt_rules(),
        ] {
            assert_eq!(
                authorize(&principal(Role::Coordinator, None), &command),
                Ok(())
            );
            assert_eq!(
                authorize(&principal(Role::Auditor, None), &command),
                Err(AccessError::RoleForbids {
                    role: Role::Auditor
                })
            );
        }
    }

    #[test]
    fn a_board_member_records_answers_and_votes_only() {
        let board = principal(Role::BoardMember, Some(MemberId(Uuid::new_v4())));
        assert_eq!(authorize(&board, &publish_all()), Ok(()));
        assert!(authorize(&board, &adopt_rules()).is_err());
        assert!(authorize(
            &board,
            &submit(Author::Anonymous {
                commune: Some("Sète".into())
            })
        )
        .is_err());
    }

    #[test]
    fn a_representative_contributes_in_their_own_name_only() {
        let me = MemberId(Uuid::new_v4());
        let representative = principal(Role::Representative, Some(me));
        assert_eq!(
            authorize(&representative, &submit(Author::Member { member_id: me })),
            Ok(())
        );
        assert_eq!(
            authorize(
                &representative,
                &submit(Author::Member {
                    member_id: MemberId(Uuid::new_v4())
                })
            ),
            Err(AccessError::NotInOwnName)
        );
        assert_eq!(
            authorize(
                &representative,
                &submit(Author::Anonymous {
                    commune: Some("Sète".into())
                })
            ),
            Err(AccessError::NotInOwnName)
        );
        assert!(authorize(&representative, &publish_all()).is_err());
    }

    #[test]
    fn a_member_amends_or_withdraws_in_their_own_name_only() {
        let me = MemberId(Uuid::new_v4());
        let withdraw = |by| AddressedCommand::Consultation {
            id: ConsultationId(Uuid::new_v4()),
            command: ConsultationCommand::Withdraw {
                contribution_id: ContributionId(Uuid::new_v4()),
                on: "2026-03-16".parse().expect("date"),
                reason: Some("Je me suis trompé.".into()),
                by,
                answer_published: false,
            },
        };
        for role in [Role::Representative, Role::BoardMember] {
            let member = principal(role, Some(me));
            assert_eq!(authorize(&member, &withdraw(Some(me))), Ok(()));
            assert_eq!(
                authorize(&member, &withdraw(Some(MemberId(Uuid::new_v4())))),
                Err(AccessError::NotInOwnName)
            );
            assert_eq!(
                authorize(&member, &withdraw(None)),
                Err(AccessError::NotInOwnName)
            );
        }
        assert!(authorize(&principal(Role::Auditor, Some(me)), &withdraw(Some(me))).is_err());
        assert_eq!(
            authorize(&principal(Role::Coordinator, None), &withdraw(None)),
            Ok(())
        );
    }

    #[test]
    fn only_a_coordinator_accepts_a_late_contribution() {
        let me = MemberId(Uuid::new_v4());
        let late = AddressedCommand::Consultation {
            id: ConsultationId(Uuid::new_v4()),
            command: ConsultationCommand::AcceptLateContribution {
                contribution_id: ContributionId(Uuid::new_v4()),
                author: Author::Member { member_id: me },
                kind: ContributionKind::Opinion,
                text: "Un avis posté avant la clôture.".into(),
                received_on: "2026-03-16".parse().expect("date"),
                reason: "Reçu par la poste.".into(),
                attachment: None,
                file: None,
            },
        };
        assert_eq!(
            authorize(&principal(Role::Coordinator, None), &late),
            Ok(())
        );
        for role in [Role::Representative, Role::BoardMember, Role::Auditor] {
            assert_eq!(
                authorize(&principal(role, Some(me)), &late),
                Err(AccessError::RoleForbids { role })
            );
        }
    }

    #[test]
    fn trusted_code_is_not_subject_to_roles() {
        assert_eq!(
            authorize(&Caller::Trusted(Actor::System), &adopt_rules()),
            Ok(())
        );
    }

    #[test]
    fn roles_round_trip_through_their_wire_names() {
        for role in Role::ALL {
            assert_eq!(Role::from_wire_name(role.wire_name()), Some(role));
        }
        assert_eq!(Role::from_wire_name("admin"), None);
    }

    #[test]
    fn members_set_their_own_contact_details_only() {
        let me = MemberId(Uuid::new_v4());
        let set = |id| AddressedCommand::Member {
            id,
            command: MemberCommand::SetContact {
                email: Some("me@example.org".into()),
                language: Lang::Fr,
            },
        };
        for role in [Role::Representative, Role::BoardMember] {
            assert_eq!(authorize(&principal(role, Some(me)), &set(me)), Ok(()));
            assert_eq!(
                authorize(&principal(role, Some(me)), &set(MemberId(Uuid::new_v4()))),
                Err(AccessError::RoleForbids { role })
            );
        }
        assert_eq!(
            authorize(&principal(Role::Coordinator, None), &set(me)),
            Ok(())
        );
        assert!(authorize(&principal(Role::Auditor, None), &set(me)).is_err());
    }

    #[test]
    fn members_withdraw_their_own_address_and_only_the_service_unsubscribes() {
        let me = MemberId(Uuid::new_v4());
        let member = |id, command| AddressedCommand::Member { id, command };
        for role in [Role::Representative, Role::BoardMember] {
            let caller = principal(role, Some(me));
            assert_eq!(
                authorize(&caller, &member(me, MemberCommand::WithdrawContact)),
                Ok(())
            );
            assert_eq!(
                authorize(
                    &caller,
                    &member(MemberId(Uuid::new_v4()), MemberCommand::WithdrawContact)
                ),
                Err(AccessError::RoleForbids { role })
            );
        }
        let coordinator = principal(Role::Coordinator, None);
        assert_eq!(
            authorize(&coordinator, &member(me, MemberCommand::WithdrawContact)),
            Ok(())
        );
        let unsubscribe_inhabitant = AddressedCommand::Consultation {
            id: ConsultationId(Uuid::new_v4()),
            command: ConsultationCommand::UnsubscribeInhabitant {
                contribution_id: ContributionId(Uuid::new_v4()),
            },
        };
        for command in [
            member(me, MemberCommand::Unsubscribe),
            unsubscribe_inhabitant,
        ] {
            for role in Role::ALL {
                assert!(authorize(&principal(role, Some(me)), &command).is_err());
            }
            assert_eq!(authorize(&Caller::Trusted(Actor::System), &command), Ok(()));
        }
    }
}

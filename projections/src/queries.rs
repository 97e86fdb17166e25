//! The answers people ask for, read from the projections. Whatever depends on time (overdue,
//! expired approval, active mandate) is computed against an explicit `as_of` date, so the same
//! question about the same date always gets the same answer.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use cpts_domain::values::{Lang, Rung};
use serde::Serialize;

use crate::db::{Param, ReadDb};

/// A read failed.
pub type Result<T> = std::result::Result<T, sqlx::Error>;

fn date(text: &Option<String>) -> Option<NaiveDate> {
    text.as_deref().and_then(|t| t.parse().ok())
}

pub(crate) fn published_by(published_on: &Option<String>, as_of: NaiveDate) -> Option<NaiveDate> {
    date(published_on).filter(|d| *d <= as_of)
}

pub(crate) fn promise(rung: &str, lang: Lang) -> String {
    Rung::from_wire_name(rung)
        .map(|r| r.promise(lang).to_owned())
        .unwrap_or_default()
}

/// A consultation a decision drew on, with the promise its rung makes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrailConsultation {
    /// Its id.
    pub consultation_id: String,
    /// Its subject.
    pub subject: String,
    /// Its rung.
    pub rung: String,
    /// The promise, in French.
    pub promise_fr: String,
    /// The promise, in English.
    pub promise_en: String,
    /// The last day an answer is on time.
    pub answer_deadline: String,
}

/// One contribution of a decision's trail, and what became of it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct TrailEntry {
    /// The contribution.
    pub contribution_id: String,
    /// Its consultation.
    pub consultation_id: String,
    /// The member who wrote it, if a member did.
    pub author_member_id: Option<String>,
    /// The member's name, if a member wrote it.
    pub author_name: Option<String>,
    /// The anonymous inhabitant's commune, if given.
    pub anonymous_commune: Option<String>,
    /// Its kind.
    pub kind: String,
    /// Its text.
    pub text: String,
    /// When it was submitted.
    pub submitted_on: String,
    /// When it was withdrawn.
    pub withdrawn_on: Option<String>,
    /// The disposition of its answer in this decision.
    pub disposition: Option<String>,
    /// The rationale.
    pub rationale: Option<String>,
    /// When the answer was written.
    pub written_on: Option<String>,
    /// When the answer was published (by the "as of" date).
    pub published_on: Option<String>,
    /// Who answered.
    pub answered_by: Option<String>,
    /// The promised deadline.
    pub answer_deadline: String,
    /// Whether the answer was published by the deadline (None while unpublished).
    #[sqlx(skip)]
    pub on_time: Option<bool>,
}

impl TrailEntry {
    /// "Habitant anonyme (commune)" or the member's name.
    pub fn author(&self, lang: Lang) -> String {
        match (&self.author_name, &self.anonymous_commune, lang) {
            (Some(name), _, _) => name.clone(),
            (None, Some(commune), Lang::Fr) => format!("Habitant anonyme ({commune})"),
            (None, Some(commune), Lang::En) => format!("Anonymous inhabitant ({commune})"),
            (None, None, Lang::Fr) => "Habitant anonyme".to_owned(),
            (None, None, Lang::En) => "Anonymous inhabitant".to_owned(),
        }
    }
}

/// How every contribution a decision drew on influenced it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InfluenceTrail {
    /// The decision.
    pub decision_id: String,
    /// Its title.
    pub title: String,
    /// Its status: proposed, adopted, rejected, deferred or withdrawn.
    pub status: String,
    /// The consultations it drew on.
    pub consultations: Vec<TrailConsultation>,
    /// Every contribution of those consultations.
    pub entries: Vec<TrailEntry>,
    /// Published answers per disposition.
    pub counts: BTreeMap<String, u64>,
    /// Share of published answers retained fully or partly, from 0 to 1.
    pub share_retained: Option<f64>,
}

#[derive(sqlx::FromRow)]
struct ConsultationRow {
    consultation_id: String,
    subject: String,
    rung: String,
    answer_deadline: String,
}

/// The influence trail of a decision, as of a date: [`crate::listing::influence_trails`] for
/// one id, so the single and batched answers cannot drift apart.
pub async fn influence_trail(
    db: &ReadDb,
    decision_id: &str,
    as_of: NaiveDate,
) -> Result<Option<InfluenceTrail>> {
    let ids = [decision_id.to_owned()];
    Ok(crate::listing::influence_trails(db, &ids, as_of)
        .await?
        .remove(decision_id))
}

/// Whether a consultation kept its promise to answer, as of a date.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PromiseKeeping {
    /// The consultation.
    pub consultation_id: String,
    /// Its subject.
    pub subject: String,
    /// Its rung.
    pub rung: String,
    /// The promise, in French.
    pub promise_fr: String,
    /// The promise, in English.
    pub promise_en: String,
    /// The last day an answer is on time.
    pub answer_deadline: String,
    /// Contributions owed an answer (not withdrawn, on a rung that owes answers).
    pub owed: u64,
    /// Answered by the deadline.
    pub answered_on_time: u64,
    /// Answered after the deadline.
    pub answered_late: u64,
    /// Not answered yet, deadline not passed.
    pub unanswered_not_due: u64,
    /// Not answered, deadline passed.
    pub unanswered_overdue: u64,
    /// The contributions answered late or overdue.
    pub late_contributions: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct OwedRow {
    contribution_id: String,
    first_published_on: Option<String>,
}

/// Promise keeping of one consultation, as of a date.
pub async fn promise_keeping(
    db: &ReadDb,
    consultation_id: &str,
    as_of: NaiveDate,
) -> Result<Option<PromiseKeeping>> {
    let Some(c) = db
        .fetch::<ConsultationRow>(
            "SELECT consultation_id, subject, rung, answer_deadline FROM proj_consultations WHERE consultation_id = $1",
            &[Param::from(consultation_id)],
        )
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let owes = Rung::from_wire_name(&c.rung).is_some_and(Rung::owes_answers);
    let rows = db
        .fetch::<OwedRow>(
            "SELECT k.contribution_id, MIN(a.first_published_on) AS first_published_on \
             FROM proj_contributions k LEFT JOIN proj_answers a ON a.contribution_id = k.contribution_id \
             WHERE k.consultation_id = $1 AND k.submitted_on <= $2 \
             AND (k.withdrawn_on IS NULL OR k.withdrawn_on > $2) \
             GROUP BY k.contribution_id ORDER BY k.contribution_id",
            &[Param::from(consultation_id), Param::from(as_of)],
        )
        .await?;
    let deadline = c
        .answer_deadline
        .parse::<NaiveDate>()
        .unwrap_or(NaiveDate::MAX);
    let mut keeping = PromiseKeeping {
        promise_fr: promise(&c.rung, Lang::Fr),
        promise_en: promise(&c.rung, Lang::En),
        consultation_id: c.consultation_id,
        subject: c.subject,
        rung: c.rung,
        answer_deadline: c.answer_deadline,
        owed: 0,
        answered_on_time: 0,
        answered_late: 0,
        unanswered_not_due: 0,
        unanswered_overdue: 0,
        late_contributions: vec![],
    };
    if !owes {
        return Ok(Some(keeping));
    }
    for row in rows {
        keeping.owed += 1;
        match published_by(&row.first_published_on, as_of) {
            Some(published) if published <= deadline => keeping.answered_on_time += 1,
            Some(_) => {
                keeping.answered_late += 1;
                keeping.late_contributions.push(row.contribution_id);
            }
            None if as_of > deadline => {
                keeping.unanswered_overdue += 1;
                keeping.late_contributions.push(row.contribution_id);
            }
            None => keeping.unanswered_not_due += 1,
        }
    }
    Ok(Some(keeping))
}

/// Where one contribution stands for its author.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FollowUp {
    /// The contribution.
    pub contribution_id: String,
    /// Its consultation's subject.
    pub subject: String,
    /// Its text.
    pub text: String,
    /// `awaiting`, `answered`, `overdue` or `withdrawn`.
    pub status: String,
    /// The decision that answered it, with its title.
    pub decision: Option<(String, String)>,
    /// The disposition.
    pub disposition: Option<String>,
    /// The rationale.
    pub rationale: Option<String>,
    /// Days from submission to the published answer.
    pub days_to_answer: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct FollowUpRow {
    contribution_id: String,
    subject: String,
    text: String,
    submitted_on: String,
    withdrawn_on: Option<String>,
    answer_deadline: String,
    decision_id: Option<String>,
    title: Option<String>,
    disposition: Option<String>,
    rationale: Option<String>,
    published_on: Option<String>,
}

/// Every contribution of a member, or of the representatives an association mandated, and
/// where each stands as of a date.
pub async fn contributor_follow_up(
    db: &ReadDb,
    member_or_association_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<FollowUp>> {
    let rows = db
        .fetch::<FollowUpRow>(
            "SELECT k.contribution_id, c.subject, k.text, k.submitted_on, k.withdrawn_on, c.answer_deadline, \
             a.decision_id, d.title, a.disposition, a.rationale, a.published_on \
             FROM proj_contributions k \
             JOIN proj_consultations c ON c.consultation_id = k.consultation_id \
             LEFT JOIN proj_answers a ON a.contribution_id = k.contribution_id \
             LEFT JOIN proj_decisions d ON d.decision_id = a.decision_id \
             WHERE k.submitted_on <= $2 AND (k.author_member_id = $1 OR k.author_member_id IN \
               (SELECT member_id FROM proj_members WHERE mandate_association_id = $1)) \
             ORDER BY k.submitted_on, k.contribution_id",
            &[Param::from(member_or_association_id), Param::from(as_of)],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let published = published_by(&row.published_on, as_of);
            let deadline = row
                .answer_deadline
                .parse::<NaiveDate>()
                .unwrap_or(NaiveDate::MAX);
            let status = if date(&row.withdrawn_on).is_some_and(|w| w <= as_of) {
                "withdrawn"
            } else if published.is_some() {
                "answered"
            } else if as_of > deadline {
                "overdue"
            } else {
                "awaiting"
            };
            let submitted = row.submitted_on.parse::<NaiveDate>().ok();
            FollowUp {
                days_to_answer: published.zip(submitted).map(|(p, s)| (p - s).num_days()),
                decision: published.and(row.decision_id.zip(row.title)),
                disposition: published.and(row.disposition),
                rationale: published.and(row.rationale),
                contribution_id: row.contribution_id,
                subject: row.subject,
                text: row.text,
                status: status.to_owned(),
            }
        })
        .collect())
}

/// One compliance check of the register, with what to do when it fails.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    /// A stable code, e.g. `at_least_two_active_representatives`.
    pub code: String,
    /// Whether it holds.
    pub ok: bool,
    /// What was found, in French.
    pub detail_fr: String,
    /// What was found, in English.
    pub detail_en: String,
    /// What to do, in French (empty when it holds).
    pub what_to_do_fr: String,
    /// What to do, in English (empty when it holds).
    pub what_to_do_en: String,
}

/// A representative, as of a date.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Representative {
    /// The member.
    pub member_id: String,
    /// Their name.
    pub name: String,
    /// The mandating association's name.
    pub association: Option<String>,
    /// First day of the mandate.
    pub mandate_start: Option<String>,
    /// Last day of the mandate.
    pub mandate_end: Option<String>,
    /// When it was ended early.
    pub mandate_ended_on: Option<String>,
    /// Whether they live in the territory (1) or not (0).
    pub lives_in_territory: Option<i64>,
    /// Where they live.
    pub commune: Option<String>,
    /// Their written cadre d'intervention.
    pub cadre_intervention: Option<String>,
    /// When they left the CPTS.
    pub departed_on: Option<String>,
    /// Whether the mandate is active on the "as of" date.
    #[sqlx(skip)]
    pub active: bool,
}

/// An association and its approval status, as of a date.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AssociationStatus {
    /// The association.
    pub association_id: String,
    /// Its name.
    pub name: String,
    /// `approved`, `expired` or `not_approved`.
    pub approval: String,
    /// The next step, in French (empty when approved).
    pub next_step_fr: String,
    /// The next step, in English (empty when approved).
    pub next_step_en: String,
}

/// The membership and governance register of a CPTS, with its compliance checks.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Register {
    /// Active members by kind.
    pub members_by_kind: BTreeMap<String, u64>,
    /// Active members by collège name.
    pub members_by_college: BTreeMap<String, u64>,
    /// Representatives with a mandate.
    pub representatives: Vec<Representative>,
    /// Associations and their approval.
    pub associations: Vec<AssociationStatus>,
    /// Compliance checks.
    pub checks: Vec<Check>,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    kind: String,
    college: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AssociationRow {
    association_id: String,
    name: String,
    approval_granted_on: Option<String>,
    approval_expires_on: Option<String>,
    withdrawn_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CommunityRow {
    rules_adopted_on: Option<String>,
    travel_expenses_reimbursed: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Count {
    n: i64,
}

#[derive(sqlx::FromRow)]
struct MomentRow {
    moment: String,
}

fn check(code: &str, ok: bool, detail: (String, String), what_to_do: (&str, &str)) -> Check {
    Check {
        code: code.to_owned(),
        ok,
        detail_fr: detail.0,
        detail_en: detail.1,
        what_to_do_fr: if ok {
            String::new()
        } else {
            what_to_do.0.to_owned()
        },
        what_to_do_en: if ok {
            String::new()
        } else {
            what_to_do.1.to_owned()
        },
    }
}

/// The register of a CPTS and its compliance checks, as of a date.
pub async fn register(db: &ReadDb, community_id: &str, as_of: NaiveDate) -> Result<Register> {
    let cpts = Param::from(community_id);
    let day = Param::from(as_of);
    let present = "admitted_on <= $2 AND (departed_on IS NULL OR departed_on > $2)";

    let mut members_by_kind = BTreeMap::new();
    let mut members_by_college = BTreeMap::new();
    let members = db
        .fetch::<MemberRow>(
            &format!(
                "SELECT m.kind, g.name AS college FROM proj_members m \
                 LEFT JOIN proj_colleges g ON g.college_id = m.college_id \
                 WHERE m.community_id = $1 AND {present}"
            ),
            &[cpts.clone(), day.clone()],
        )
        .await?;
    for m in members {
        *members_by_kind.entry(m.kind).or_insert(0) += 1;
        if let Some(college) = m.college {
            *members_by_college.entry(college).or_insert(0) += 1;
        }
    }

    let mut representatives = db
        .fetch::<Representative>(
            "SELECT m.member_id, m.name, a.name AS association, m.mandate_start, m.mandate_end, \
             m.mandate_ended_on, m.lives_in_territory, m.commune, m.cadre_intervention, m.departed_on \
             FROM proj_members m LEFT JOIN proj_associations a ON a.association_id = m.mandate_association_id \
             WHERE m.community_id = $1 AND m.mandate_association_id IS NOT NULL AND m.admitted_on <= $2 \
             ORDER BY m.name",
            &[cpts.clone(), day.clone()],
        )
        .await?;
    for r in &mut representatives {
        let started = date(&r.mandate_start).is_some_and(|s| s <= as_of);
        let not_over = date(&r.mandate_end).is_some_and(|e| as_of <= e);
        let not_ended = date(&r.mandate_ended_on).is_none_or(|e| as_of < e);
        let present = date(&r.departed_on).is_none_or(|d| as_of < d);
        r.active = started && not_over && not_ended && present;
    }
    let active: Vec<&Representative> = representatives.iter().filter(|r| r.active).collect();

    let associations = db
        .fetch::<AssociationRow>(
            "SELECT association_id, name, approval_granted_on, approval_expires_on, withdrawn_on \
             FROM proj_associations WHERE community_id = $1 ORDER BY name",
            std::slice::from_ref(&cpts),
        )
        .await?
        .into_iter()
        .filter(|a| date(&a.withdrawn_on).is_none_or(|w| as_of < w))
        .map(|a| {
            let granted = date(&a.approval_granted_on).filter(|g| *g <= as_of);
            let (approval, fr, en) = match (granted, date(&a.approval_expires_on)) {
                (Some(_), Some(expires)) if as_of <= expires => ("approved", "", ""),
                (Some(_), _) => (
                    "expired",
                    "Agrément expiré : demander son renouvellement.",
                    "Approval expired: apply for its renewal.",
                ),
                (None, _) => (
                    "not_approved",
                    "Association non agréée : contacter la délégation régionale de France Assos Santé.",
                    "Association not approved: contact the regional delegation of France Assos Santé.",
                ),
            };
            AssociationStatus {
                association_id: a.association_id,
                name: a.name,
                approval: approval.to_owned(),
                next_step_fr: fr.to_owned(),
                next_step_en: en.to_owned(),
            }
        })
        .collect();

    let mut checks = Vec::new();
    let n = active.len();
    checks.push(check(
        "at_least_two_active_representatives",
        n >= 2,
        (
            format!("{n} représentant(s) en mandat"),
            format!("{n} representative(s) in office"),
        ),
        (
            "Mandater au moins deux représentants d'associations d'usagers.",
            "Mandate at least two representatives of users' associations.",
        ),
    ));

    let seated = db
        .fetch::<Count>(
            &format!(
                "SELECT COUNT(*) AS n FROM proj_members m JOIN proj_colleges g ON g.college_id = m.college_id \
                 WHERE m.community_id = $1 AND g.is_users_college = 1 AND {present}"
            ),
            &[cpts.clone(), day.clone()],
        )
        .await?
        .first()
        .map_or(0, |c| c.n);
    let users_college = db
        .fetch::<Count>(
            "SELECT COUNT(*) AS n FROM proj_colleges WHERE community_id = $1 AND is_users_college = 1",
            std::slice::from_ref(&cpts),
        )
        .await?
        .first()
        .map_or(0, |c| c.n);
    checks.push(check(
        "users_college_exists_and_seated",
        users_college > 0 && seated > 0,
        match (users_college > 0, seated) {
            (false, _) => (
                "Aucun collège des usagers dans les statuts".into(),
                "No users' college in the statutes".into(),
            ),
            (true, 0) => (
                "Collège des usagers sans membre".into(),
                "Users' college without members".into(),
            ),
            (true, s) => (
                format!("Collège des usagers : {s} membre(s)"),
                format!("Users' college: {s} member(s)"),
            ),
        },
        (
            "Prévoir un collège des usagers dans les statuts et y faire siéger les représentants.",
            "Provide a users' college in the statutes and seat the representatives in it.",
        ),
    ));

    let rules = db
        .fetch::<CommunityRow>(
            "SELECT rules_adopted_on, travel_expenses_reimbursed FROM proj_communities WHERE community_id = $1",
            std::slice::from_ref(&cpts),
        )
        .await?;
    let reimbursed = rules.first().is_some_and(|r| {
        date(&r.rules_adopted_on).is_some_and(|d| d <= as_of)
            && r.travel_expenses_reimbursed == Some(1)
    });
    checks.push(check(
        "travel_expenses_rule_adopted",
        reimbursed,
        if reimbursed {
            ("Le règlement intérieur prévoit le remboursement des frais de déplacement".into(), "The internal rules reimburse travel expenses".into())
        } else {
            ("Pas de remboursement des frais de déplacement au règlement intérieur".into(), "No reimbursement of travel expenses in the internal rules".into())
        },
        (
            "Inscrire au règlement intérieur le remboursement des frais de déplacement des représentants.",
            "Provide in the internal rules for the reimbursement of representatives' travel expenses.",
        ),
    ));

    let lacking: Vec<&str> = active
        .iter()
        .filter(|r| r.cadre_intervention.is_none())
        .map(|r| r.name.as_str())
        .collect();
    checks.push(check(
        "cadre_intervention_for_each_representative",
        lacking.is_empty(),
        if lacking.is_empty() {
            (
                "Chaque représentant a un cadre d'intervention écrit".into(),
                "Every representative has a written cadre d'intervention".into(),
            )
        } else {
            (
                format!("Sans cadre d'intervention : {}", lacking.join(", ")),
                format!("Without a cadre d'intervention: {}", lacking.join(", ")),
            )
        },
        (
            "Le conseil d'administration rédige le cadre d'intervention de chaque représentant.",
            "The board writes each representative's cadre d'intervention.",
        ),
    ));

    let year = as_of.year();
    let (from, to) = (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(as_of),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(as_of),
    );
    let to = to.min(as_of);
    let mut moments: Vec<String> = db
        .fetch::<MomentRow>(
            "SELECT DISTINCT c.moment FROM proj_contributions k \
             JOIN proj_consultations c ON c.consultation_id = k.consultation_id \
             JOIN proj_members m ON m.member_id = k.author_member_id \
             WHERE c.community_id = $1 AND m.mandate_association_id IS NOT NULL \
             AND k.submitted_on >= $2 AND k.submitted_on <= $3",
            &[cpts.clone(), Param::from(from), Param::from(to)],
        )
        .await?
        .into_iter()
        .map(|m| m.moment)
        .collect();
    let on_board = db
        .fetch::<Count>(
            "SELECT COUNT(*) AS n FROM proj_seats s JOIN proj_bodies b ON b.body_id = s.body_id \
             JOIN proj_members m ON m.member_id = s.member_id \
             WHERE b.community_id = $1 AND b.kind = 'board' AND m.mandate_association_id IS NOT NULL \
             AND s.since <= $2 AND (s.left_on IS NULL OR s.left_on > $3)",
            &[cpts, Param::from(to), Param::from(from)],
        )
        .await?
        .first()
        .map_or(0, |c| c.n);
    if on_board > 0 {
        moments.push("governance".to_owned());
    }
    use cpts_domain::values::Moment;
    let missing: Vec<Moment> = Moment::ALL
        .iter()
        .copied()
        .filter(|m| !moments.iter().any(|x| x == m.wire_name()))
        .collect();
    let names = |lang| {
        missing
            .iter()
            .map(|m| m.label(lang))
            .collect::<Vec<_>>()
            .join(", ")
    };
    checks.push(check(
        "representatives_in_each_moment",
        missing.is_empty(),
        if missing.is_empty() {
            (format!("Représentants impliqués dans les quatre temps en {year}"), format!("Representatives involved in all four moments in {year}"))
        } else {
            (format!("Sans représentant en {year} : {}", names(Lang::Fr)), format!("No representative in {year}: {}", names(Lang::En)))
        },
        (
            "Associer les représentants aux consultations de chaque temps (diagnostic, priorisation, évaluation, gouvernance).",
            "Involve the representatives in consultations of every moment (diagnosis, prioritisation, evaluation, governance).",
        ),
    ));

    Ok(Register {
        members_by_kind,
        members_by_college,
        representatives,
        associations,
        checks,
    })
}

/// One indicator report of a decision.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct IndicatorReport {
    /// The decision.
    pub decision_id: String,
    /// The indicator.
    pub indicator: String,
    /// The period measured.
    pub period: String,
    /// The value.
    pub value: f64,
    /// The target.
    pub target: Option<f64>,
    /// When it was reported.
    pub reported_on: String,
}

/// The indicator history of a CPTS's decisions, in period order.
pub async fn indicator_history(db: &ReadDb, community_id: &str) -> Result<Vec<IndicatorReport>> {
    db.fetch(
        "SELECT i.decision_id, i.indicator, i.period, i.value, i.target, i.reported_on FROM proj_indicators i \
         JOIN proj_decisions d ON d.decision_id = i.decision_id WHERE d.community_id = $1 \
         ORDER BY i.decision_id, i.indicator, i.period",
        &[Param::from(community_id)],
    )
    .await
}

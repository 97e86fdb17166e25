//! A client of the GraphQL API that speaks the ledger's port: each domain command it is given
//! goes out as the matching mutation, over HTTP, with a bearer token. With it, code written
//! against `LedgerPort` (the demo scenario) runs through the API alone.

use anyhow::anyhow;
use async_trait::async_trait;
use cpts_domain::access::Principal;
use cpts_domain::command::AddressedCommand;
use cpts_domain::error::Record;
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_domain::DomainError;
use cpts_graphql::port::{
    CommandContext, FeedItem, LedgerError, LedgerPort, ProjectionLag, Receipt, RecordedEvent,
    VerificationReport,
};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// The API at `url`, as the holder of `token`.
pub struct GraphqlClient {
    /// The GraphQL endpoint.
    pub url: String,
    /// The bearer token every request carries.
    pub token: String,
    http: reqwest::Client,
}

impl GraphqlClient {
    /// A client of the API at `url` with a token.
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            token: token.into(),
            http: reqwest::Client::new(),
        }
    }

    /// Sends a query and returns the whole JSON answer.
    pub async fn send(&self, query: &str, variables: Value) -> Value {
        self.http
            .post(&self.url)
            .bearer_auth(&self.token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request sent")
            .json()
            .await
            .expect("a JSON answer")
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The fields whose values are GraphQL enums, written in upper case.
const ENUM_FIELDS: &[&str] = &[
    "moment",
    "mission",
    "rung",
    "method",
    "disposition",
    "outcome",
    "level",
];

/// Copies a command's fields into a mutation input: camelCase names, enums in upper case.
fn copy_fields(from: &Map<String, Value>, to: &mut Map<String, Value>) {
    for (key, value) in from {
        let value = match value {
            Value::String(text) if ENUM_FIELDS.contains(&key.as_str()) => {
                Value::String(text.to_uppercase())
            }
            other => other.clone(),
        };
        to.insert(camel(key), value);
    }
}

/// The mutation and its input for one command: the inverse of the API's `IntoCommand`.
pub fn mutation_of(command: &AddressedCommand) -> (String, Value) {
    let serialized = serde_json::to_value(command).expect("a command serializes");
    let aggregate = serialized["aggregate"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let id = serialized["id"].as_str().unwrap_or_default().to_owned();
    let inner = serialized["command"].as_object().expect("a command");
    let (variant, body) = inner.iter().next().expect("one variant");
    let body = body.as_object().cloned().unwrap_or_default();
    let mut input = Map::new();

    let name = match (aggregate.as_str(), variant.as_str()) {
        ("community", "Register") => "registerCommunity",
        ("association", "Register") => "registerAssociation",
        ("association", "Engage") => "engageAssociation",
        ("association", "Withdraw") => "withdrawAssociation",
        ("member", "Admit") => "admitMember",
        ("member", "Depart") => "recordDeparture",
        ("consultation", "Open") => "openConsultation",
        ("consultation", "Submit") => "submitContribution",
        ("consultation", "Amend") => "amendContribution",
        ("consultation", "Withdraw") => "withdrawContribution",
        ("consultation", "Close") => "closeConsultation",
        ("decision", "Propose") => "proposeDecision",
        ("decision", "Amend") => "amendDecision",
        ("decision", "Withdraw") => "withdrawDecision",
        _ => "",
    };
    let name = if name.is_empty() {
        let mut chars = variant.chars();
        chars
            .next()
            .map(|c| c.to_lowercase().collect::<String>() + chars.as_str())
            .unwrap_or_default()
    } else {
        name.to_owned()
    };

    let creating = matches!(
        (aggregate.as_str(), variant.as_str()),
        ("community", "Register")
            | ("association", "Register")
            | ("member", "Admit")
            | ("consultation", "Open")
            | ("decision", "Propose")
    );
    if creating {
        input.insert("id".into(), Value::String(id));
    } else {
        input.insert(format!("{aggregate}Id"), Value::String(id));
    }
    for (key, value) in &body {
        match (variant.as_str(), key.as_str()) {
            // The created record's own id is `id` above; the CPTS stays `communityId`.
            (_, "community_id") if aggregate != "community" => {
                input.insert("communityId".into(), value.clone());
            }
            (
                _,
                "community_id" | "association_id" | "member_id" | "consultation_id" | "decision_id",
            ) if creating && key.starts_with(&aggregate) => {}
            ("Open", "terms") | ("Propose", "proposal") => {
                copy_fields(value.as_object().expect("nested terms"), &mut input);
            }
            ("Admit", "kind") => {
                let kind = value["kind"].as_str().unwrap_or_default().to_uppercase();
                input.insert("kind".into(), Value::String(kind));
                if let Some(profession) = value.get("profession") {
                    input.insert("profession".into(), profession.clone());
                }
            }
            ("Engage", "engagement") => {
                let form = value["form"].as_str().unwrap_or_default().to_uppercase();
                input.insert("form".into(), Value::String(form));
                if let Some(reference) = value.get("convention_reference") {
                    input.insert("conventionReference".into(), reference.clone());
                }
            }
            ("Submit", "author") => match value["type"].as_str() {
                Some("member") => {
                    input.insert("memberId".into(), value["member_id"].clone());
                }
                _ => {
                    input.insert("anonymousCommune".into(), value["commune"].clone());
                }
            },
            ("Submit", "kind") => {
                let kind = value.as_str().unwrap_or_default().to_uppercase();
                input.insert("kind".into(), Value::String(kind));
            }
            ("RecordVote", "tally") => match value["type"].as_str() {
                Some("consensus") => {
                    input.insert("consensus".into(), Value::Bool(true));
                }
                _ => {
                    let colleges: Vec<Value> = value["colleges"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .iter()
                        .map(|c| {
                            json!({
                                "collegeId": c["college_id"], "votesFor": c["votes_for"],
                                "votesAgainst": c["votes_against"], "abstentions": c["abstentions"],
                            })
                        })
                        .collect();
                    input.insert("colleges".into(), Value::Array(colleges));
                }
            },
            // The API puts the caller's own member there; no input names it.
            ("Amend" | "Withdraw", "by") => {}
            ("EstablishBody", "kind") => {
                let kind = value.as_str().unwrap_or_default().to_uppercase();
                input.insert("kind".into(), Value::String(kind));
            }
            _ => {
                let mut one = Map::new();
                one.insert(key.clone(), value.clone());
                copy_fields(&one, &mut input);
            }
        }
    }
    (name, Value::Object(input))
}

fn input_type(mutation: &str) -> String {
    match mutation {
        "seatInBody" | "leaveBody" => "BodySeatInput".to_owned(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                .unwrap_or_default()
                + "Input"
        }
    }
}

fn event_of(value: &Value) -> RecordedEvent {
    RecordedEvent {
        position: value["position"].as_u64().unwrap_or_default(),
        aggregate_type: value["aggregateType"].as_str().unwrap_or_default().into(),
        aggregate_id: value["aggregateId"].as_str().unwrap_or_default().into(),
        sequence: value["sequence"].as_u64().unwrap_or_default(),
        event_type: value["eventType"].as_str().unwrap_or_default().into(),
        event_version: value["eventVersion"].as_str().unwrap_or_default().into(),
        payload: value["payload"].clone(),
        metadata: value["metadata"].clone(),
        recorded_at: value["recordedAt"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or_default(),
        hash: value["hash"].as_str().unwrap_or_default().into(),
    }
}

fn not_over_http() -> LedgerError {
    LedgerError::Internal(anyhow!("not over this client"))
}

#[async_trait]
impl LedgerPort for GraphqlClient {
    async fn execute(
        &self,
        command: AddressedCommand,
        context: CommandContext,
    ) -> Result<Receipt, LedgerError> {
        let (mutation, input) = mutation_of(&command);
        let query = format!(
            "mutation($input: {}!, $commandId: ID) {{ {mutation}(input: $input, commandId: $commandId) \
             {{ aggregateType aggregateId events {{ position aggregateType aggregateId sequence \
             eventType eventVersion payload metadata recordedAt hash }} }} }}",
            input_type(&mutation)
        );
        let answer = self
            .send(
                &query,
                json!({ "input": input, "commandId": context.command_id.to_string() }),
            )
            .await;
        if let Some(error) = answer["errors"].get(0) {
            let message = error["message"].as_str().unwrap_or_default().to_owned();
            let english = error["extensions"]["messageEn"]
                .as_str()
                .unwrap_or_default();
            if error["extensions"]["code"] == "CONFLICT"
                && mutation == "registerCommunity"
                && english.contains("already exists")
            {
                return Err(LedgerError::Domain(DomainError::AlreadyExists(
                    Record::Community,
                )));
            }
            return Err(LedgerError::Internal(anyhow!(
                "{mutation}: {message} ({error})"
            )));
        }
        let data = &answer["data"][&mutation];
        Ok(Receipt {
            aggregate_type: command.aggregate_type().to_owned(),
            aggregate_id: data["aggregateId"]
                .as_str()
                .and_then(|id| id.parse().ok())
                .unwrap_or_else(|| command.aggregate_id()),
            events: data["events"]
                .as_array()
                .map(|events| events.iter().map(event_of).collect())
                .unwrap_or_default(),
        })
    }

    async fn events_of(&self, _: &str, _: Uuid) -> Result<Vec<RecordedEvent>, LedgerError> {
        Err(not_over_http())
    }

    async fn head(&self) -> Result<(u64, String), LedgerError> {
        let answer = self
            .send("{ ledgerHead { position hash } }", json!({}))
            .await;
        let head = &answer["data"]["ledgerHead"];
        Ok((
            head["position"].as_u64().unwrap_or_default(),
            head["hash"].as_str().unwrap_or_default().to_owned(),
        ))
    }

    async fn verify(&self, _: Option<&str>) -> Result<VerificationReport, LedgerError> {
        Err(not_over_http())
    }

    async fn personal_data(&self, _: MemberId) -> Result<Value, LedgerError> {
        Err(not_over_http())
    }

    async fn report(
        &self,
        _: CommunityId,
        _: (chrono::NaiveDate, chrono::NaiveDate),
        _: chrono::NaiveDate,
        _: Option<u64>,
        _: chrono::NaiveDate,
        _: cpts_domain::values::Lang,
    ) -> Result<cpts_projections::report::Report, LedgerError> {
        Err(not_over_http())
    }

    async fn projection_lag(&self) -> Result<Vec<ProjectionLag>, LedgerError> {
        Err(not_over_http())
    }

    async fn authenticate(&self, _: &str) -> Result<Option<Principal>, LedgerError> {
        Err(not_over_http())
    }

    async fn community_of(&self, _: &str, _: Uuid) -> Result<Option<CommunityId>, LedgerError> {
        Err(not_over_http())
    }

    fn subscribe(&self, _: CommunityId) -> tokio::sync::broadcast::Receiver<FeedItem> {
        tokio::sync::broadcast::channel(1).1
    }

    async fn ping(&self) -> Result<(), LedgerError> {
        Ok(())
    }
}

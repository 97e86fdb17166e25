//! Nothing tells another CPTS's records from records that do not exist. The test reads the
//! served schema, finds every query and mutation argument that is an id (directly or as a
//! field of an input, at any depth), and sends each call twice as a coordinator of CPTS A:
//! once with an existing id of CPTS B, once with a random unknown id, every other argument
//! valid for CPTS A. Both must get the same code and the same message, in French and in
//! English. A new id argument is walked the day it is added; one whose kind the test cannot
//! tell fails it until the table below learns it.

use std::collections::{BTreeMap, HashMap};

use cpts_domain::access::Role;
use cpts_domain::ids::CommunityId;
use cpts_ledger::tokens;
use cpts_ledger_tests::service::Service;
use serde_json::{json, Map, Value};

/// The kinds of record an id can name, and the ids the schema's argument names take for them.
const KINDS: &[(&str, &str)] = &[
    ("communityId", "community"),
    ("associationId", "association"),
    ("memberId", "member"),
    ("consultationId", "consultation"),
    ("contributionId", "contribution"),
    ("decisionId", "decision"),
    ("bodyId", "body"),
    ("collegeId", "college"),
    ("key", "notification"),
    ("tokenId", "token"),
];

/// Ids that are not records of a CPTS, and where their rule is tested instead.
const NOT_RECORDS: &[(&str, &str)] = &[(
    "commandId",
    "a command id already used is a CONFLICT by design, whoever used it: tests/tests/command_ids.rs",
)];

/// Values that a valid call needs and a type alone cannot give.
fn string_for(field: &str, serial: usize) -> Value {
    match field {
        "insee" => json!("34301"),
        "email" => json!("personne@example.org"),
        "period" => json!("2026-09"),
        // A token naming a member: the member's CPTS is then what is checked.
        "role" => json!("representative"),
        // Names and texts are fresh each time, so that no call fails on a name used before.
        _ => json!(format!("Texte {serial}")),
    }
}

/// Enum values a valid call needs where the first one would not do.
fn enum_value<'a>(enum_name: &str, values: &'a [String]) -> &'a str {
    let wanted = match enum_name {
        // Working groups may be many; a second board is refused whatever the ids.
        "BodyKind" => "WORKING_GROUP",
        "MemberKindInput" => "ASSOCIATION_REPRESENTATIVE",
        _ => "",
    };
    values
        .iter()
        .find(|v| v.as_str() == wanted)
        .or_else(|| values.first())
        .map_or("", String::as_str)
}

const INTROSPECTION: &str = "{ __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { name kind enumValues { name }
      fields { name args { name defaultValue type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
               type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
      inputFields { name defaultValue type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

/// A type reference: `NON_NULL`, `LIST`, or a named type.
#[derive(Debug, Clone)]
enum TypeRef {
    NonNull(Box<TypeRef>),
    List(Box<TypeRef>),
    Named(String),
}

impl TypeRef {
    fn parse(value: &Value) -> Self {
        match value["kind"].as_str() {
            Some("NON_NULL") => TypeRef::NonNull(Box::new(Self::parse(&value["ofType"]))),
            Some("LIST") => TypeRef::List(Box::new(Self::parse(&value["ofType"]))),
            _ => TypeRef::Named(value["name"].as_str().expect("a named type").to_owned()),
        }
    }

    fn name(&self) -> &str {
        match self {
            TypeRef::NonNull(inner) | TypeRef::List(inner) => inner.name(),
            TypeRef::Named(name) => name,
        }
    }

    fn required(&self) -> bool {
        matches!(self, TypeRef::NonNull(_))
    }

    /// `[Foo!]!` as GraphQL writes it, for a variable's declaration.
    fn written(&self) -> String {
        match self {
            TypeRef::NonNull(inner) => format!("{}!", inner.written()),
            TypeRef::List(inner) => format!("[{}]", inner.written()),
            TypeRef::Named(name) => name.clone(),
        }
    }
}

/// An argument of a field, or a field of an input.
#[derive(Debug, Clone)]
struct InputValue {
    name: String,
    ty: TypeRef,
    has_default: bool,
}

#[derive(Debug, Clone)]
struct Type {
    kind: String,
    enum_values: Vec<String>,
    fields: Vec<(String, Vec<InputValue>, TypeRef)>,
    input_fields: Vec<InputValue>,
}

struct Schema {
    types: HashMap<String, Type>,
    query: String,
    mutation: String,
    subscription: Option<String>,
}

fn input_values(list: &Value) -> Vec<InputValue> {
    list.as_array()
        .map(|values| {
            values
                .iter()
                .map(|v| InputValue {
                    name: v["name"].as_str().expect("a name").to_owned(),
                    ty: TypeRef::parse(&v["type"]),
                    has_default: !v["defaultValue"].is_null(),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Schema {
    async fn served(service: &Service) -> Self {
        let data = service.ok(INTROSPECTION, json!({})).await;
        let schema = &data["__schema"];
        let mut types = HashMap::new();
        for t in schema["types"].as_array().expect("types") {
            let fields = t["fields"]
                .as_array()
                .map(|fields| {
                    fields
                        .iter()
                        .map(|f| {
                            (
                                f["name"].as_str().expect("a name").to_owned(),
                                input_values(&f["args"]),
                                TypeRef::parse(&f["type"]),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let enum_values = t["enumValues"]
                .as_array()
                .map(|values| {
                    values
                        .iter()
                        .filter_map(|v| v["name"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            types.insert(
                t["name"].as_str().expect("a name").to_owned(),
                Type {
                    kind: t["kind"].as_str().expect("a kind").to_owned(),
                    enum_values,
                    fields,
                    input_fields: input_values(&t["inputFields"]),
                },
            );
        }
        let name = |root: &str| schema[root]["name"].as_str().map(str::to_owned);
        Self {
            types,
            query: name("queryType").expect("a query type"),
            mutation: name("mutationType").expect("a mutation type"),
            subscription: name("subscriptionType"),
        }
    }

    fn get(&self, name: &str) -> &Type {
        self.types.get(name).expect("a type of the schema")
    }

    /// The paths to every id inside a value of this type, with the name of the field that
    /// holds it and the name of the input or field it is part of.
    fn id_paths(&self, name: &str, ty: &TypeRef, owner: &str, depth: usize) -> Vec<IdPath> {
        assert!(depth < 8, "inputs nested deeper than expected at {name}");
        let named = ty.name();
        if named == "ID" || named == "UUID" {
            return vec![IdPath {
                steps: vec![name.to_owned()],
                field: name.to_owned(),
                owner: owner.to_owned(),
            }];
        }
        let t = self.get(named);
        if t.kind != "INPUT_OBJECT" {
            return vec![];
        }
        t.input_fields
            .iter()
            .flat_map(|f| self.id_paths(&f.name, &f.ty, named, depth + 1))
            .map(|mut path| {
                path.steps.insert(0, name.to_owned());
                path
            })
            .collect()
    }

    /// A valid value of this type for CPTS A: required input fields only, ids of A.
    fn value(&self, field: &str, ty: &TypeRef, owner: &str, a: &Ids, serial: usize) -> Value {
        match ty {
            TypeRef::NonNull(inner) => self.value(field, inner, owner, a, serial),
            TypeRef::List(inner) => json!([self.value(field, inner, owner, a, serial)]),
            TypeRef::Named(name) => match name.as_str() {
                "ID" | "UUID" => json!(a.get(&kind_of(field, owner, None))),
                "String" => string_for(field, serial),
                "Int" => json!(1),
                "Float" => json!(1.5),
                "Boolean" => json!(false),
                "NaiveDate" => json!("2026-06-15"),
                "DateTime" => json!("2026-06-15T08:00:00Z"),
                "JSON" => json!({}),
                _ => {
                    let t = self.get(name);
                    match t.kind.as_str() {
                        "ENUM" => json!(enum_value(name, &t.enum_values)),
                        "INPUT_OBJECT" => {
                            let mut object = Map::new();
                            for f in &t.input_fields {
                                if f.ty.required() && !f.has_default {
                                    object.insert(
                                        f.name.clone(),
                                        self.value(&f.name, &f.ty, name, a, serial),
                                    );
                                }
                            }
                            Value::Object(object)
                        }
                        other => panic!("no value for a {other} {name}"),
                    }
                }
            },
        }
    }

    /// What the type of the input value at `steps` is, below the root argument `arg`.
    fn type_at(&self, arg: &TypeRef, steps: &[String]) -> TypeRef {
        let mut ty = arg.clone();
        for step in steps {
            let named = ty.name().to_owned();
            let field = self
                .get(&named)
                .input_fields
                .iter()
                .find(|f| &f.name == step)
                .expect("a field of the input")
                .clone();
            ty = field.ty;
        }
        ty
    }
}

/// Where one id sits in a call: the argument then the input fields down to it.
#[derive(Debug, Clone)]
struct IdPath {
    steps: Vec<String>,
    field: String,
    owner: String,
}

/// The kind of record an id names, from its field's name, or for a bare `id`, from the field
/// or input it belongs to (`decision(id:)`, `ProposeDecisionInput.id`) or the `aggregateType`
/// it comes with.
fn kind_of(field: &str, owner: &str, aggregate_type: Option<&str>) -> String {
    if let Some((_, kind)) = KINDS.iter().find(|(name, _)| *name == field) {
        return (*kind).to_owned();
    }
    if field == "id" {
        if let Some(aggregate_type) = aggregate_type {
            return aggregate_type.to_lowercase();
        }
        let owner = owner.to_lowercase();
        if let Some((_, kind)) = KINDS.iter().find(|(_, kind)| owner.contains(kind)) {
            return (*kind).to_owned();
        }
    }
    panic!(
        "the id `{field}` of `{owner}` names no kind of record the test knows: add it to KINDS \
         (and to the fixture), or to NOT_RECORDS with where its rule is tested"
    );
}

/// One existing record of each kind, by kind.
#[derive(Debug, Clone, Default)]
struct Ids(BTreeMap<String, String>);

impl Ids {
    fn get(&self, kind: &str) -> String {
        self.0
            .get(kind)
            .unwrap_or_else(|| panic!("the fixture has no {kind}: add one"))
            .clone()
    }
}

/// A CPTS with one record of every kind, recorded through the API by its coordinator.
async fn cpts(service: &Service, coordinator: &str, community: CommunityId) -> Ids {
    let send = |query: &'static str, input: Value| async move {
        let (status, body) = service
            .send_as(Some(coordinator), query, json!({ "input": input }))
            .await;
        assert!(status == 200 && body.get("errors").is_none(), "{body}");
    };
    let id = || uuid::Uuid::new_v4().to_string();
    let community = community.to_string();
    let (college, body, association, member, consultation, contribution, decision) =
        (id(), id(), id(), id(), id(), id(), id());
    send(
        "mutation($input: RegisterCommunityInput!) { registerCommunity(input: $input) { aggregateId } }",
        json!({ "name": "CPTS du Val de l'Étang", "territory": [{ "insee": "34301", "name": "Sète" }] }),
    )
    .await;
    send(
        "mutation($input: DefineCollegeInput!) { defineCollege(input: $input) { aggregateId } }",
        json!({ "communityId": community, "collegeId": college, "name": "Collège usagers", "isUsersCollege": true }),
    )
    .await;
    send(
        "mutation($input: EstablishBodyInput!) { establishBody(input: $input) { aggregateId } }",
        json!({ "communityId": community, "bodyId": body, "kind": "BOARD", "name": "Conseil d'administration" }),
    )
    .await;
    send(
        "mutation($input: RegisterAssociationInput!) { registerAssociation(input: $input) { aggregateId } }",
        json!({ "id": association, "communityId": community, "name": "France Assos Santé Occitanie" }),
    )
    .await;
    send(
        "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { aggregateId } }",
        json!({ "id": member, "communityId": community, "name": "Martine Roussel",
            "kind": "ASSOCIATION_REPRESENTATIVE", "admittedOn": "2026-01-20" }),
    )
    .await;
    send(
        "mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }",
        json!({ "id": consultation, "communityId": community, "subject": "Périmètre", "moment": "DIAGNOSIS",
            "mission": "ACCESS_TO_CARE", "rung": "CONSULT", "audience": "membres et habitants",
            "method": "QUESTIONNAIRE", "opensOn": "2026-01-05", "closesOn": "2026-12-20", "answerWithinDays": 30 }),
    )
    .await;
    send(
        "mutation($input: SubmitContributionInput!) { submitContribution(input: $input) { aggregateId } }",
        json!({ "consultationId": consultation, "contributionId": contribution, "memberId": member,
            "kind": "PROPOSAL", "text": "Une ligne unique pour les rendez-vous.", "submittedOn": "2026-02-10" }),
    )
    .await;
    send(
        "mutation($input: ProposeDecisionInput!) { proposeDecision(input: $input) { aggregateId } }",
        json!({ "id": decision, "communityId": community, "bodyId": body, "title": "Périmètre", "text": "Texte",
            "moment": "DIAGNOSIS", "mission": "ACCESS_TO_CARE", "proposedOn": "2026-01-10" }),
    )
    .await;
    send(
        "mutation($input: LinkConsultationInput!) { linkConsultation(input: $input) { aggregateId } }",
        json!({ "decisionId": decision, "consultationId": consultation }),
    )
    .await;
    // A notification of the member, as the outbox writes it (sealed) once an answer is published.
    let key = id();
    let at_rest = service.repo.db().at_rest().expect("unlocked");
    sqlx::query(
        "INSERT INTO notify_outbox (notification_key, position, community_id, channel, subject_id, \
         member_id, lang, title, body, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, 1, $2, 'member', $3, $3, 'fr', $4, $5, \
         'unread', 0, '2026-06-15T08:00:00Z', '2026-06-15T08:00:00Z')",
    )
    .bind(&key)
    .bind(&community)
    .bind(&member)
    .bind(at_rest.seal("notify_outbox.title", "Réponse"))
    .bind(at_rest.seal(
        "notify_outbox.body",
        "Votre contribution a reçu une réponse.",
    ))
    .execute(service.repo.pg_pool().expect("PostgreSQL"))
    .await
    .expect("a notification");
    // An API token of the CPTS, which its coordinator may revoke.
    let token = cpts_ledger::tokens::create(
        &service.repo,
        CommunityId(community.parse().expect("a CPTS id")),
        cpts_domain::access::Role::Auditor,
        None,
        "audit",
    )
    .await
    .expect("a token")
    .token_id
    .to_string();
    Ids(BTreeMap::from(
        [
            ("token", token),
            ("community", community),
            ("college", college),
            ("body", body),
            ("association", association),
            ("member", member),
            ("consultation", consultation),
            ("contribution", contribution),
            ("decision", decision),
            ("notification", key),
        ]
        .map(|(kind, id)| (kind.to_owned(), id)),
    ))
}

/// What a caller can compare between two answers: the error's code and messages, or that it
/// succeeded and what type it answered.
fn seen(body: &Value) -> Value {
    match body["errors"].get(0) {
        Some(error) => json!({
            "code": error["extensions"]["code"],
            "message": error["message"],
            "messageEn": error["extensions"]["messageEn"],
        }),
        None => json!({ "ok": body["data"] }),
    }
}

/// One call to walk: a root field, the id replaced, and the rest of its arguments.
struct Case {
    operation: &'static str,
    field: String,
    args: Vec<InputValue>,
    returns_object: bool,
    path: IdPath,
    aggregate_type: Option<String>,
}

impl Case {
    fn label(&self) -> String {
        let kind = self
            .aggregate_type
            .as_deref()
            .map_or(String::new(), |t| format!(" ({t})"));
        format!(
            "{} {}.{}{kind}",
            self.operation,
            self.field,
            self.path.steps.join(".")
        )
    }

    fn kind(&self) -> String {
        kind_of(
            &self.path.field,
            &self.path.owner,
            self.aggregate_type.as_deref(),
        )
    }

    /// The request: every required argument valid for A, the id at the path set to `id`.
    fn request(&self, schema: &Schema, a: &Ids, id: &str, serial: usize) -> (String, Value) {
        let mut variables = Map::new();
        let mut declared = Vec::new();
        for arg in &self.args {
            let is_target = arg.name == self.path.steps[0];
            if !is_target && (!arg.ty.required() || arg.has_default) {
                continue;
            }
            let mut value = if arg.name == "aggregateType" {
                json!(self.aggregate_type.clone().unwrap_or_default())
            } else if is_target && self.path.steps.len() == 1 {
                Value::Null
            } else {
                schema.value(&arg.name, &arg.ty, &self.field, a, serial)
            };
            if is_target {
                set(
                    schema,
                    &arg.ty,
                    &mut value,
                    &self.path.steps[1..],
                    id,
                    a,
                    serial,
                );
            }
            declared.push(format!("${}: {}", arg.name, arg.ty.written()));
            variables.insert(arg.name.clone(), value);
        }
        let passed: Vec<String> = variables.keys().map(|k| format!("{k}: ${k}")).collect();
        let selection = if self.returns_object {
            " { __typename }"
        } else {
            ""
        };
        let declaration = if declared.is_empty() {
            String::new()
        } else {
            format!("({})", declared.join(", "))
        };
        let arguments = if passed.is_empty() {
            String::new()
        } else {
            format!("({})", passed.join(", "))
        };
        (
            format!(
                "{}{declaration} {{ {}{arguments}{selection} }}",
                self.operation, self.field
            ),
            Value::Object(variables),
        )
    }
}

/// Puts `id` at `steps` inside `value` (of type `ty`), creating the inputs on the way.
fn set(
    schema: &Schema,
    ty: &TypeRef,
    value: &mut Value,
    steps: &[String],
    id: &str,
    a: &Ids,
    serial: usize,
) {
    let Some((step, rest)) = steps.split_first() else {
        *value = match ty {
            TypeRef::NonNull(inner) if matches!(**inner, TypeRef::List(_)) => json!([id]),
            TypeRef::List(_) => json!([id]),
            _ => json!(id),
        };
        return;
    };
    let object = match value {
        Value::Array(items) => items.first_mut().expect("one element"),
        other => other,
    };
    if !object.is_object() {
        *object = json!({});
    }
    let field_ty = schema.type_at(ty, std::slice::from_ref(step));
    let owner = ty.name().to_owned();
    let entry = object
        .as_object_mut()
        .expect("an input object")
        .entry(step.clone())
        .or_insert_with(|| schema.value(step, &field_ty, &owner, a, serial));
    set(schema, &field_ty, entry, rest, id, a, serial);
}

#[tokio::test]
async fn another_cptss_ids_are_answered_exactly_as_unknown_ids() {
    let service = Service::start().await;
    let a = cpts(&service, &service.coordinator, service.community).await;
    let other = CommunityId(uuid::Uuid::new_v4());
    let other_coordinator = tokens::create(&service.repo, other, Role::Coordinator, None, "B")
        .await
        .expect("token")
        .secret;
    let b = cpts(&service, &other_coordinator, other).await;
    let schema = Schema::served(&service).await;

    if let Some(subscription) = &schema.subscription {
        for (field, args, _) in &schema.get(subscription).fields {
            let ids: Vec<_> = args
                .iter()
                .flat_map(|arg| schema.id_paths(&arg.name, &arg.ty, field, 0))
                .collect();
            assert!(
                ids.is_empty(),
                "the subscription {field} takes ids: walk it over the WebSocket too"
            );
        }
    }

    let mut cases = Vec::new();
    for (operation, root) in [("query", &schema.query), ("mutation", &schema.mutation)] {
        for (field, args, returns) in &schema.get(root).fields {
            if field.starts_with("__") {
                continue;
            }
            let returns_object = matches!(
                schema.get(returns.name()).kind.as_str(),
                "OBJECT" | "INTERFACE" | "UNION"
            );
            for arg in args {
                for path in schema.id_paths(&arg.name, &arg.ty, field, 0) {
                    if let Some((_, why)) = NOT_RECORDS.iter().find(|(n, _)| *n == path.field) {
                        eprintln!("not walked: {operation} {field}.{}: {why}", path.field);
                        continue;
                    }
                    // An id that comes with the kind of its record is walked for every kind.
                    let types = args
                        .iter()
                        .find(|x| x.name == "aggregateType")
                        .map(|x| schema.get(x.ty.name()).enum_values.clone());
                    let variants: Vec<Option<String>> = match types {
                        Some(values) => values.into_iter().map(Some).collect(),
                        None => vec![None],
                    };
                    for aggregate_type in variants {
                        cases.push(Case {
                            operation,
                            field: field.clone(),
                            args: args.clone(),
                            returns_object,
                            path: path.clone(),
                            aggregate_type,
                        });
                    }
                }
            }
        }
    }

    // Each request has texts of its own, so that none fails on a name an earlier one took.
    let serial = std::sync::atomic::AtomicUsize::new(0);
    let send = |case: &Case, id: String| {
        let (query, variables) = case.request(
            &schema,
            &a,
            &id,
            serial.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        );
        let service = &service;
        async move { seen(&service.send(&query, variables).await.1) }
    };
    let mut differences = Vec::new();
    let mut not_found = 0;
    // First every id whose unknown value is refused; the ids that a random value creates (a
    // new record's) come last, so that what another CPTS's id records there, if anything,
    // changes no other call's answer.
    let mut creating = Vec::new();
    for case in &cases {
        let unknown = send(case, uuid::Uuid::new_v4().to_string()).await;
        if unknown.get("ok").is_some() {
            creating.push((case, unknown));
            continue;
        }
        let theirs = send(case, b.get(&case.kind())).await;
        if theirs == unknown {
            if theirs["code"] == "NOT_FOUND" {
                not_found += 1;
            }
            eprintln!("same      {}: {theirs}", case.label());
        } else {
            differences.push(format!(
                "{}: another CPTS's id {theirs}, an unknown id {unknown}",
                case.label()
            ));
        }
    }
    // A new record's id cannot be answered as unknown once it is taken: another CPTS's must
    // then be answered as one taken in the caller's own CPTS.
    for (case, unknown) in creating {
        let theirs = send(case, b.get(&case.kind())).await;
        if theirs == unknown {
            eprintln!("same      {}: {theirs}", case.label());
            continue;
        }
        let ours = send(case, a.get(&case.kind())).await;
        if theirs == ours {
            eprintln!("as taken  {}: {theirs}", case.label());
        } else {
            differences.push(format!(
                "{}: another CPTS's id {theirs}, one of A's own {ours}",
                case.label()
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "ids of another CPTS are told from unknown ones:\n{}",
        differences.join("\n")
    );
    // The walk reached the checks it is about, rather than failing on something else first.
    assert!(
        cases.len() >= 60,
        "only {} id arguments walked",
        cases.len()
    );
    assert!(
        not_found >= 30,
        "only {not_found} of {} calls were answered NOT_FOUND: the arguments built around the \
         ids are not valid enough to reach the look-ups",
        cases.len()
    );
}

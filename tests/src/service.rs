//! The real service over HTTP on a fresh PostgreSQL database, and a GraphQL client for it.

use std::net::SocketAddr;
use std::sync::Arc;

use cpts_domain::access::Role;
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_graphql::load::LoadLimits;
use cpts_ledger::app;
use cpts_ledger::service::Ledger;
use cpts_ledger::store::EventRepository;
use cpts_ledger::tokens;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::{open_store, postgres_db, TestDb};

/// A running service, stopped when dropped.
pub struct Service {
    _db: TestDb,
    /// The store under the service.
    pub repo: EventRepository,
    /// The GraphQL endpoint.
    pub url: String,
    /// The HTTP client.
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    /// The CPTS the coordinator's token reaches (registered by the fixture).
    pub community: CommunityId,
    /// A coordinator's token, used by `send`, `ok` and `refused`.
    pub coordinator: String,
}

impl Service {
    /// Starts the service on a fresh database, with a coordinator's token for a new CPTS.
    pub async fn start() -> Self {
        Self::start_with_limits(LoadLimits::default()).await
    }

    /// [`Service::start`], with these time and concurrency limits on the GraphQL routes.
    pub async fn start_with_limits(limits: LoadLimits) -> Self {
        let db = postgres_db().await;
        let repo = open_store(db.url()).await.expect("store opens");
        let (stop, stopped) = oneshot::channel::<()>();
        let listen: SocketAddr = "127.0.0.1:0".parse().expect("address");
        let ledger = Arc::new(Ledger::new(repo.clone()));
        let options = app::HttpOptions {
            load: limits,
            ..app::HttpOptions::default()
        };
        let server = app::start_with(ledger, listen, options, async {
            stopped.await.ok();
        })
        .await
        .expect("service starts");
        let community = CommunityId(uuid::Uuid::new_v4());
        let coordinator = tokens::create(&repo, community, Role::Coordinator, None, "coordination")
            .await
            .expect("token created")
            .secret;
        Self {
            _db: db,
            repo,
            url: format!("http://{}/graphql", server.addr),
            http: reqwest::Client::new(),
            stop: Some(stop),
            community,
            coordinator,
        }
    }

    /// A new token of this CPTS.
    pub async fn token(&self, role: Role, member: Option<&str>) -> String {
        let member = member.map(|m| MemberId(m.parse().expect("a member id")));
        tokens::create(&self.repo, self.community, role, member, role.wire_name())
            .await
            .expect("token created")
            .secret
    }

    /// Sends a GraphQL request as the coordinator and returns the HTTP status and the JSON body.
    pub async fn send(&self, query: &str, variables: Value) -> (u16, Value) {
        self.send_as(Some(&self.coordinator), query, variables)
            .await
    }

    /// Sends a GraphQL request with a token, or none.
    pub async fn send_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    /// Sends a request that must succeed, and returns its data.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self.send(query, variables).await;
        assert_eq!(status, 200);
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Sends a request that must fail with `code`, and checks that nothing was written.
    pub async fn refused(&self, query: &str, variables: Value, code: &str) -> Value {
        let before = self.head().await;
        let (_, body) = self.send(query, variables).await;
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], code, "{body}");
        assert!(
            !error["message"].as_str().unwrap_or("").is_empty(),
            "a message in French"
        );
        assert!(
            !error["extensions"]["messageEn"]
                .as_str()
                .unwrap_or("")
                .is_empty(),
            "and in English"
        );
        assert_eq!(self.head().await, before, "nothing was written");
        error.clone()
    }

    /// The position of the head of the log, read as the coordinator.
    pub async fn head(&self) -> u64 {
        let data = self.ok("{ ledgerHead { position } }", json!({})).await;
        data["ledgerHead"]["position"].as_u64().expect("a position")
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
    }
}

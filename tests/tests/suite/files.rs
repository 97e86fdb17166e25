//! A data contribution carries its file: sent as a GraphQL multipart upload to the real
//! service, its kind read from its bytes and its size bounded, kept sealed under its author's
//! key (no byte of it in clear in the database), its hash in the log; downloaded by staff and
//! its author only, as an attachment; erased with its author.

use cpts_domain::access::Role;
use cpts_ledger_tests::service::Service;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const SUBMIT: &str = "mutation($input: SubmitContributionInput!, $file: Upload) {
    submitContribution(input: $input, file: $file) { aggregateId events { eventType } } }";
const ENTRIES: &str = "query($id: ID!) { consultation(id: $id) { entries {
    contributionId text attachment { name mediaType kindLabel size sha256 url } } } }";

/// A PDF with a sentence no other byte of the database holds.
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n\
    (Enquete pharmacie de garde : 212 reponses a Balaruc, marqueur-7f3a9c) Tj\n%%EOF\n";

/// A GraphQL multipart request (the "GraphQL multipart request specification"): the operation,
/// the map of the file to its variable, the file.
fn multipart(query: &str, variables: Value, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "cpts-ledger-test-boundary-9b1c";
    let operations = json!({ "query": query, "variables": variables }).to_string();
    let mut body = Vec::new();
    for (part, value) in [
        ("operations", operations.as_str()),
        ("map", r#"{"0": ["variables.file"]}"#),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

struct World {
    service: Service,
    base: String,
    consultation: String,
    martine: String,
    martine_token: String,
    paul_token: String,
}

impl World {
    async fn upload(&self, token: &str, input: Value, name: &str, bytes: &[u8]) -> Value {
        let (content_type, body) =
            multipart(SUBMIT, json!({ "input": input, "file": null }), name, bytes);
        let response = self
            .service
            .http
            .post(&self.service.url)
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("sent");
        response.json().await.expect("a JSON body")
    }

    fn input(&self, author: Option<&str>, text: &str) -> Value {
        json!({ "consultationId": self.consultation, "memberId": author, "kind": "DATA",
                "text": text, "submittedOn": "2026-03-02" })
    }

    async fn download(&self, token: &str, url: &str) -> reqwest::Response {
        self.service
            .http
            .get(format!("{}{url}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("sent")
    }

    async fn entries(&self) -> Vec<Value> {
        let data = self
            .service
            .ok(ENTRIES, json!({ "id": self.consultation }))
            .await;
        data["consultation"]["entries"]
            .as_array()
            .expect("entries")
            .clone()
    }
}

async fn world() -> World {
    let service = Service::start().await;
    let base = service.url.trim_end_matches("/graphql").to_owned();
    service
        .ok(
            "mutation($input: RegisterCommunityInput!) { registerCommunity(input: $input) { aggregateId } }",
            json!({ "input": { "name": "CPTS du bassin de Thau",
                "territory": [{ "insee": "34301", "name": "Sète" }] } }),
        )
        .await;
    let mut members = Vec::new();
    for name in ["Martine Roussel", "Paul Girard"] {
        let data = service
            .ok(
                "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { aggregateId } }",
                json!({ "input": { "communityId": service.community.to_string(), "name": name,
                    "kind": "ASSOCIATION_REPRESENTATIVE", "admittedOn": "2026-01-20" } }),
            )
            .await;
        members.push(
            data["admitMember"]["aggregateId"]
                .as_str()
                .expect("an id")
                .to_owned(),
        );
    }
    let data = service
        .ok(
            "mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }",
            json!({ "input": { "communityId": service.community.to_string(),
                "subject": "Pharmacies de garde", "moment": "DIAGNOSIS", "mission": "ACCESS_TO_CARE",
                "rung": "CONSULT", "audience": "habitants", "method": "QUESTIONNAIRE",
                "opensOn": "2026-03-01", "closesOn": "2026-12-31", "answerWithinDays": 30 } }),
        )
        .await;
    let consultation = data["openConsultation"]["aggregateId"]
        .as_str()
        .expect("an id")
        .to_owned();
    let martine_token = service.token(Role::Representative, Some(&members[0])).await;
    let paul_token = service.token(Role::Representative, Some(&members[1])).await;
    World {
        base,
        consultation,
        martine: members[0].clone(),
        martine_token,
        paul_token,
        service,
    }
}

#[tokio::test]
async fn a_data_contribution_carries_its_file_which_only_staff_and_its_author_download() {
    let w = world().await;
    let input = w.input(
        Some(&w.martine),
        "Les résultats de notre enquête, en pièce jointe.",
    );
    let body = w
        .upload(&w.martine_token, input, "Enquête pharmacies.pdf", PDF)
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["submitContribution"]["events"][0]["eventType"],
        "ContributionSubmitted"
    );

    // The log records the file's hash, size and kind; the page names it.
    let sha = hex::encode(Sha256::digest(PDF));
    let entries = w.entries().await;
    let attachment = &entries[0]["attachment"];
    assert_eq!(attachment["name"], "Enquête pharmacies.pdf");
    assert_eq!(attachment["mediaType"], "application/pdf");
    assert_eq!(attachment["kindLabel"], "document PDF");
    assert_eq!(attachment["size"], PDF.len());
    assert_eq!(attachment["sha256"], sha.as_str());
    let stored: (String,) = sqlx::query_as(
        "SELECT payload::text FROM events WHERE event_type = 'ContributionSubmitted'",
    )
    .fetch_one(w.service.repo.pg_pool().expect("PostgreSQL"))
    .await
    .expect("the event");
    let payload: Value = serde_json::from_str(&stored.0).expect("JSON");
    assert_eq!(
        payload["ContributionSubmitted"]["file"],
        json!({ "sha256": sha, "size": PDF.len(), "media_type": "application/pdf" })
    );

    // No byte of it is in clear in the database: the file is sealed like its author's words.
    let clear: (i64,) = sqlx::query_as(
        "SELECT count(*) FROM contribution_files WHERE sealed LIKE '%' || $1 || '%'",
    )
    .bind(hex::encode("marqueur-7f3a9c"))
    .fetch_one(w.service.repo.pg_pool().expect("PostgreSQL"))
    .await
    .expect("counted");
    assert_eq!(clear.0, 0, "the file's content is not stored in clear");

    // Staff and its author download it, as an attachment that no browser renders as a page.
    let url = attachment["url"].as_str().expect("a url").to_owned();
    for token in [w.service.coordinator.clone(), w.martine_token.clone()] {
        let response = w.download(&token, &url).await;
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers["content-disposition"]
            .to_str()
            .expect("ASCII")
            .starts_with("attachment; filename=\"Enqu_te_pharmacies.pdf\""));
        assert!(headers["content-security-policy"]
            .to_str()
            .expect("ASCII")
            .starts_with("sandbox"));
        assert_eq!(response.bytes().await.expect("bytes").as_ref(), PDF);
    }
    // Another representative, or nobody, does not: as if there were no file.
    let response = w.download(&w.paul_token, &url).await;
    assert_eq!(response.status(), 404);
    let response = w
        .service
        .http
        .get(format!("{}{url}", w.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 401);
    let paul_sees = w
        .service
        .send_as(
            Some(&w.paul_token),
            ENTRIES,
            json!({ "id": w.consultation }),
        )
        .await
        .1;
    assert_eq!(
        paul_sees["data"]["consultation"]["entries"][0]["attachment"],
        Value::Null
    );

    // A backup carries the file, sealed as kept: restored into another store, it opens there.
    let mut export = Vec::new();
    cpts_ledger::backup::export(&w.service.repo, &mut export)
        .await
        .expect("exported");
    let text = String::from_utf8_lossy(&export).into_owned();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("{\"file\"")).count(),
        1,
        "one line for the file"
    );
    assert!(!text.contains("marqueur-7f3a9c") && !text.contains(&hex::encode("marqueur-7f3a9c")));
    let restored_db = cpts_ledger_tests::sqlite_db();
    let restored = cpts_ledger_tests::open_store(restored_db.url())
        .await
        .expect("store opens");
    cpts_ledger::backup::import(&restored, export.as_slice())
        .await
        .expect("imported");
    assert_eq!(
        restored
            .kept_file(&w.martine, &sha)
            .await
            .expect("read")
            .as_deref(),
        Some(PDF),
        "the restored store opens the file"
    );

    // The author's erasure takes the file with their words.
    w.service
        .ok(
            "mutation($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { aggregateId } }",
            json!({ "input": { "memberId": w.martine, "on": "2026-04-01" } }),
        )
        .await;
    let response = w.download(&w.service.coordinator, &url).await;
    assert_eq!(response.status(), 404);
    let left: (i64,) = sqlx::query_as("SELECT count(*) FROM contribution_files")
        .fetch_one(w.service.repo.pg_pool().expect("PostgreSQL"))
        .await
        .expect("counted");
    assert_eq!(left.0, 0, "no sealed copy is kept after the erasure");
    assert_eq!(w.entries().await[0]["attachment"], Value::Null);
}

#[tokio::test]
async fn a_file_of_a_kind_not_accepted_or_too_large_is_refused_and_nothing_is_recorded() {
    let w = world().await;
    let before = w.service.head().await;
    let program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00program";
    let body = w
        .upload(
            &w.service.coordinator,
            w.input(None, "Un tableau de chiffres."),
            "chiffres.pdf",
            program,
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INVALID_INPUT",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["field"], "file");
    assert!(body["errors"][0]["message"]
        .as_str()
        .expect("a message")
        .starts_with("Ce type de fichier n'est pas accepté"));

    let large = vec![b'a'; 10 * 1024 * 1024 + 1];
    let body = w
        .upload(
            &w.service.coordinator,
            w.input(None, "Un très gros fichier."),
            "gros.txt",
            &large,
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("a message")
            .starts_with("Le fichier joint pèse 10,0 Mo"),
        "{body}"
    );

    // A representative sending in someone else's name keeps no file either.
    let body = w
        .upload(
            &w.paul_token,
            w.input(Some(&w.martine), "Au nom de Martine."),
            "enquete.pdf",
            PDF,
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );

    assert_eq!(w.service.head().await, before, "nothing was recorded");
    let kept: (i64,) = sqlx::query_as("SELECT count(*) FROM contribution_files")
        .fetch_one(w.service.repo.pg_pool().expect("PostgreSQL"))
        .await
        .expect("counted");
    assert_eq!(kept.0, 0, "no file was kept");
    let anonymous = w
        .service
        .http
        .post(&w.service.url)
        .header("content-type", multipart(SUBMIT, json!({}), "a.pdf", PDF).0)
        .body(multipart(SUBMIT, json!({}), "a.pdf", PDF).1)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        anonymous.status(),
        401,
        "a file is taken from a signed-in caller only"
    );
}

//! Helpers: a started mock plus a reqwest client that speaks to it.

use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use vortex_mock::{MockBuilder, MockServer};

/// A response: status, content type and body (JSON, or the raw text as a JSON string).
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) text: String,
    pub(crate) json: Value,
}

impl Reply {
    /// Asserts an error answer: this status and a JSON `{"error","message"}` body.
    pub(crate) fn assert_error(&self, status: u16, error: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.json["error"], error, "{self:?}");
        assert!(
            self.json["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{self:?}"
        );
        assert_eq!(
            self.content_type.as_deref(),
            Some("application/json"),
            "{self:?}"
        );
    }
}

pub(crate) struct Api {
    pub(crate) mock: MockServer,
    pub(crate) http: reqwest::Client,
}

impl Api {
    pub(crate) async fn start() -> Self {
        Self::with(MockServer::builder()).await
    }

    pub(crate) async fn with(builder: MockBuilder) -> Self {
        Self {
            mock: builder.start().await.expect("mock starts"),
            http: reqwest::Client::new(),
        }
    }

    /// `base_url` + `/api/v1` + `path` (path given raw, e.g. already percent-encoded).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.mock.base_url())
    }

    pub(crate) fn control_url(&self, path: &str) -> String {
        format!("{}/__mock{path}", self.mock.base_url())
    }

    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request is sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.expect("body is read");
        let json = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()));
        Reply {
            status,
            content_type,
            headers,
            text,
            json,
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.send(
            self.http
                .get(self.url(path))
                .header("x-api-key", self.mock.api_key()),
        )
        .await
    }

    pub(crate) async fn delete(&self, path: &str) -> Reply {
        self.send(
            self.http
                .delete(self.url(path))
                .header("x-api-key", self.mock.api_key()),
        )
        .await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(
            self.http
                .post(self.url(path))
                .header("x-api-key", self.mock.api_key())
                .json(body),
        )
        .await
    }

    pub(crate) async fn post_raw(&self, path: &str, body: &'static str) -> Reply {
        self.send(
            self.http
                .post(self.url(path))
                .header("x-api-key", self.mock.api_key())
                .header(CONTENT_TYPE, "application/json")
                .body(body),
        )
        .await
    }

    /// Creates an invitation in scope `team/team-1` and returns its id.
    pub(crate) async fn create(&self, target_type: &str, value: &str) -> String {
        let reply = self
            .post("/invitations", &create_body(target_type, value))
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.json["id"].as_str().expect("id").to_owned()
    }
}

/// A create-invitation body for one target, inviter `user-1`, scope `team/team-1`.
pub(crate) fn create_body(target_type: &str, value: &str) -> Value {
    json!({
        "widgetConfigurationId": "component-1",
        "target": {"type": target_type, "value": value, "name": "Ada"},
        "inviter": {"userId": "user-1", "userEmail": "grace@example.com", "name": "Grace", "avatarUrl": "https://example.com/g.png"},
        "groups": [{"type": "team", "groupId": "team-1", "name": "Team One"}],
        "source": "test",
        "metadata": {"plan": "pro"},
        "unknownField": true
    })
}

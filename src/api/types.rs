//! Machines API wire types. Unknown fields are kept in `extra` so a value read from the API and written back
//! loses nothing we do not model; fields the API sometimes omits or sends as `null` decode to defaults.

use serde::{Deserialize, Serialize};

use crate::machine::{Extra, null_as_default};

/// An app, as `GET /v1/apps/{name}` and the list endpoint return it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct App {
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// `pending`, `deployed`, `suspended`, … (an open set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The organization an app belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Organization {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub slug: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /v1/apps` body: `{"total_apps": n, "apps": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct ListAppsResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_apps: u64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub apps: Vec<App>,
}

/// `POST /v1/apps` input.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct CreateAppRequest {
    /// Globally unique across Fly.
    #[serde(alias = "app_name")]
    pub name: String,
    pub org_slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_subdomains: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let wire = r#"{"id":"682kqp6pdno9d543","name":"my-app-1","machine_count":3,"network":"default",
            "internal_numeric_id":1234,"cname_target":"x.fly.dev","organization":{"slug":"personal","paid":true}}"#;
        let app: App = serde_json::from_str(wire).unwrap();
        assert_eq!(app.machine_count, Some(3));
        assert_eq!(app.extra["cname_target"], "x.fly.dev");
        let back: serde_json::Value = serde_json::to_value(&app).unwrap();
        assert_eq!(back["internal_numeric_id"], 1234);
        assert_eq!(back["organization"]["paid"], true);
    }

    #[test]
    fn nulls_and_missing_lists_decode_as_empty() {
        let list: ListAppsResponse = serde_json::from_str(r#"{"total_apps":null,"apps":null}"#).unwrap();
        assert_eq!(list, ListAppsResponse::default());
        let list: ListAppsResponse = serde_json::from_str("{}").unwrap();
        assert!(list.apps.is_empty());
    }
}

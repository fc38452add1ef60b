//! The wasm-bindgen facade of the npm package: convert JS values in, call the core, convert results out, map
//! errors to real JavaScript `Error`s with `code`, `status` and `requestId`. No logic lives here.
//!
//! Every export takes `JsValue`s and checks them itself, so wrong types from JavaScript become typed errors rather
//! than panics inside the module.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::api::{ApiError, AuthToken, CreateAppRequest, FetchTransport, MachinesClient as CoreClient};

/// Builds the thrown value: an `Error` named `FlightdeckError` with `code`, `status` and `requestId`.
fn js_error(code: &str, message: &str, status: Option<u16>, request_id: Option<&str>) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("FlightdeckError");
    let set = |key: &str, value: JsValue| {
        // Setting a property on a fresh Error object cannot fail; ignore the impossible.
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str(key), &value);
    };
    set("code", JsValue::from_str(code));
    set("status", status.map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s))));
    set("requestId", request_id.map_or(JsValue::NULL, JsValue::from_str));
    error.into()
}

fn api_error(error: &ApiError) -> JsValue {
    js_error(error.code(), &error.to_string(), error.status(), error.request_id())
}

fn invalid_argument(message: impl AsRef<str>) -> JsValue {
    js_error("invalid_argument", message.as_ref(), None, None)
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error("encode", &e.to_string(), None, None))
}

fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| invalid_argument(format!("{what}: {e}")))
}

fn string_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| invalid_argument(format!("{what} must be a string")))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientOptions {
    base_url: String,
    token: String,
}

/// The version of the library inside the package.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}

/// A Machines API client: `new MachinesClient({ baseUrl, token })`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct MachinesClient {
    inner: Rc<CoreClient<FetchTransport>>,
}

#[wasm_bindgen]
impl MachinesClient {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<MachinesClient, JsValue> {
        if !options.is_object() {
            return Err(invalid_argument("MachinesClient needs an options object: { baseUrl, token }"));
        }
        let options: ClientOptions = from_js(options, "MachinesClient options")?;
        let token = AuthToken::new(&options.token).map_err(|e| api_error(&ApiError::from(e)))?;
        let inner = CoreClient::new(&options.base_url, token, FetchTransport).map_err(|e| api_error(&e))?;
        Ok(MachinesClient { inner: Rc::new(inner) })
    }

    /// The apps of an organization: `listApps("personal")`.
    #[wasm_bindgen(js_name = listApps)]
    pub fn list_apps(&self, org_slug: JsValue) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        future_to_promise(async move {
            let org = string_arg(&org_slug, "org_slug")?;
            let apps = client.list_apps(&org).await.map_err(|e| api_error(&e))?;
            to_js(&apps)
        })
    }

    /// Creates an app: `createApp({ name, org_slug, network? })`.
    #[wasm_bindgen(js_name = createApp)]
    pub fn create_app(&self, request: JsValue) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        future_to_promise(async move {
            if !request.is_object() {
                return Err(invalid_argument("createApp needs an object: { name, org_slug }"));
            }
            let request: CreateAppRequest = from_js(request, "createApp")?;
            let app = client.create_app(&request).await.map_err(|e| api_error(&e))?;
            to_js(&app)
        })
    }

    /// One app by name.
    #[wasm_bindgen(js_name = getApp)]
    pub fn get_app(&self, name: JsValue) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        future_to_promise(async move {
            let name = string_arg(&name, "name")?;
            let app = client.get_app(&name).await.map_err(|e| api_error(&e))?;
            to_js(&app)
        })
    }
}

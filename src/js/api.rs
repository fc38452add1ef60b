//! `MachinesClient` for JavaScript: the core client over the host's `fetch`, every method returning a Promise.

use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{api_error, from_js, invalid_argument, string_arg, to_js};
use crate::api::{ApiError, AuthToken, CreateAppRequest, FetchTransport, MachinesClient as CoreClient};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientOptions {
    base_url: String,
    token: String,
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

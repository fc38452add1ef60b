//! `MachinesClient` for JavaScript: the core client over the host's `fetch`, every method returning a Promise.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{api_error, from_js, invalid_argument, string_arg, to_js};
use crate::api::{ApiError, AuthToken, CreateAppRequest, FetchTransport, MachineFilter, MachinesClient as CoreClient};

/// An engine event as `run` hands it to JavaScript: the event, and the line flyctl would print for it. The line is
/// made here, so `eventLine` reads it instead of decoding the event again (no event decoder in the wasm: 17 KB
/// gzipped).
#[derive(Serialize)]
struct RunEvent<'a> {
    #[serde(flatten)]
    event: &'a crate::engine::Event,
    line: Option<String>,
}

#[wasm_bindgen(typescript_custom_section)]
const RUN_EVENT: &str = r#"
/** An engine event as `run` hands it over: the event, and the line flyctl would print for it (`null` for events that print nothing). */
export type RunEvent = Event & { line: string | null };
"#;

#[derive(Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
struct MachinesClientOptions {
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
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "MachinesClientOptions")] options: JsValue,
    ) -> Result<MachinesClient, JsValue> {
        if !options.is_object() {
            return Err(invalid_argument("MachinesClient needs an options object: { baseUrl, token }"));
        }
        let options: MachinesClientOptions = from_js(options, "MachinesClient options")?;
        let token = AuthToken::new(&options.token).map_err(|e| api_error(&ApiError::from(e)))?;
        let inner = CoreClient::new(&options.base_url, token, FetchTransport).map_err(|e| api_error(&e))?;
        Ok(MachinesClient { inner: Rc::new(inner) })
    }

    /// The apps of an organization: `listApps("personal")`.
    #[wasm_bindgen(js_name = listApps, unchecked_return_type = "Promise<App[]>")]
    pub fn list_apps(&self, #[wasm_bindgen(unchecked_param_type = "string")] org_slug: JsValue) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        future_to_promise(async move {
            let org = string_arg(&org_slug, "org_slug")?;
            let apps = client.list_apps(&org).await.map_err(|e| api_error(&e))?;
            to_js(&apps)
        })
    }

    /// Creates an app: `createApp({ name, org_slug, network? })`.
    #[wasm_bindgen(js_name = createApp, unchecked_return_type = "Promise<App>")]
    pub fn create_app(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateAppRequest")] request: JsValue,
    ) -> js_sys::Promise {
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

    /// The app's machines (with configs): `listMachines(app)`.
    #[wasm_bindgen(js_name = listMachines, unchecked_return_type = "Promise<Machine[]>")]
    pub fn list_machines(&self, #[wasm_bindgen(unchecked_param_type = "string")] app: JsValue) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        future_to_promise(async move {
            let app = string_arg(&app, "app")?;
            let machines = client.list_machines(&app, &MachineFilter::default()).await.map_err(|e| api_error(&e))?;
            to_js(&machines)
        })
    }

    /// One machine by id or name: `getMachine(app, idOrName)`.
    #[wasm_bindgen(js_name = getMachine, unchecked_return_type = "Promise<Machine>")]
    pub fn get_machine(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] app: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] id_or_name: JsValue,
    ) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        future_to_promise(async move {
            let app = string_arg(&app, "app")?;
            let id = string_arg(&id_or_name, "machine")?;
            let machine = client.get_machine(&app, &id).await.map_err(|e| api_error(&e))?;
            to_js(&machine)
        })
    }

    /// The app's secrets, names and digests: `listSecrets(app)`.
    #[wasm_bindgen(js_name = listSecrets, unchecked_return_type = "Promise<AppSecret[]>")]
    pub fn list_secrets(&self, #[wasm_bindgen(unchecked_param_type = "string")] app: JsValue) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        future_to_promise(async move {
            let app = string_arg(&app, "app")?;
            let secrets = client.list_secrets(&app).await.map_err(|e| api_error(&e))?;
            to_js(&secrets)
        })
    }

    /// Sets (string) and unsets (null) secrets in one change: `updateSecrets(app, { A: "x", B: null })` →
    /// `{ secrets, version }`.
    #[wasm_bindgen(js_name = updateSecrets, unchecked_return_type = "Promise<SecretsUpdate>")]
    pub fn update_secrets(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] app: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string | null>")] values: JsValue,
    ) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        future_to_promise(async move {
            let app = string_arg(&app, "app")?;
            if !values.is_object() {
                return Err(invalid_argument("updateSecrets needs an object: { NAME: value | null }"));
            }
            let values: std::collections::BTreeMap<String, Option<String>> = from_js(values, "secrets")?;
            let update = client.update_secrets(&app, &values).await.map_err(|e| api_error(&e))?;
            to_js(&update)
        })
    }

    /// One app by name.
    #[wasm_bindgen(js_name = getApp, unchecked_return_type = "Promise<App>")]
    pub fn get_app(&self, #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        future_to_promise(async move {
            let name = string_arg(&name, "name")?;
            let app = client.get_app(&name).await.map_err(|e| api_error(&e))?;
            to_js(&app)
        })
    }
}

/// `run`'s options.
#[derive(Deserialize, Default)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct RunOptions {
    smoke_window_ms: Option<u64>,
    poll_interval_ms: Option<u64>,
}

#[wasm_bindgen]
impl MachinesClient {
    /// What planners need about an app: `{ machines, volumes, deployed }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<AppSnapshot>")]
    pub fn snapshot(&self, #[wasm_bindgen(unchecked_param_type = "string")] app: JsValue) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        future_to_promise(async move {
            let app = string_arg(&app, "app")?;
            let snapshot = crate::engine::AppSnapshot::read(&client, &app).await.map_err(|e| api_error(&e))?;
            to_js(&snapshot)
        })
    }

    /// Runs a plan (from `planDeploy` and friends): `run(plan, onEvent?, { signal?, smokeWindowMs?, pollIntervalMs? })`.
    /// Each event goes to `onEvent` as it happens; the promise resolves to the report, or rejects with a
    /// `FlightdeckError` (code `run`) whose `report` says what each step did. Aborting `signal` cancels: work not
    /// started is skipped and leases are released.
    #[wasm_bindgen(unchecked_return_type = "Promise<Report>")]
    pub fn run(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Plan")] plan: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "((event: RunEvent) => void) | null")] on_event: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RunOptions & { signal?: AbortSignal }")] options: JsValue,
    ) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        future_to_promise(async move {
            let plan = super::plans::plan_arg(&plan, "run")?;
            let callback = match on_event.dyn_into::<js_sys::Function>() {
                Ok(callback) => Some(callback),
                Err(value) if value.is_undefined() || value.is_null() => None,
                Err(_) => return Err(invalid_argument("onEvent must be a function")),
            };
            let signal = if options.is_object() {
                js_sys::Reflect::get(&options, &JsValue::from_str("signal")).ok().filter(|s| s.is_object())
            } else {
                None
            };
            let run_options: RunOptions = if options.is_object() {
                let plain = js_sys::Object::assign(&js_sys::Object::new(), options.unchecked_ref());
                // The signal is not JSON: it is taken out before the rest is read.
                let _ = js_sys::Reflect::delete_property(&plain, &JsValue::from_str("signal"));
                from_js(plain.into(), "run options")?
            } else if options.is_undefined() || options.is_null() {
                RunOptions::default()
            } else {
                return Err(invalid_argument("run options must be an object"));
            };
            let mut engine_options = crate::engine::EngineOptions::default();
            if let Some(ms) = run_options.smoke_window_ms {
                engine_options.smoke_window = std::time::Duration::from_millis(ms);
            }
            if let Some(ms) = run_options.poll_interval_ms {
                engine_options.poll_interval = std::time::Duration::from_millis(ms.max(10));
            }
            let cancel = crate::engine::Cancel::default();
            let signal: Option<web_sys::AbortSignal> = signal.and_then(|s| s.dyn_into().ok());
            let on_abort = signal.as_ref().map(|signal| {
                if signal.aborted() {
                    cancel.cancel();
                }
                let on_abort = cancel.clone();
                let closure = Closure::<dyn FnMut()>::new(move || on_abort.cancel());
                signal.set_onabort(Some(closure.as_ref().unchecked_ref()));
                closure
            });
            let sink = |event: crate::engine::Event| {
                let line = event.line();
                if let (Some(callback), Ok(value)) = (&callback, to_js(&RunEvent { event: &event, line })) {
                    // A throwing callback must not stop the run: its error is the caller's to handle.
                    let _ = callback.call1(&JsValue::NULL, &value);
                }
            };
            let outcome = crate::engine::run(&client, &plan, &engine_options, &sink, &cancel).await;
            if let Some(signal) = &signal {
                signal.set_onabort(None);
            }
            drop(on_abort);
            match outcome {
                Ok(report) => to_js(&report),
                Err(failure) => {
                    let error = super::js_error("run", &failure.error.to_string(), None, None);
                    if let Ok(report) = to_js(&failure.report) {
                        let _ = js_sys::Reflect::set(&error, &JsValue::from_str("report"), &report);
                    }
                    if let Ok(cause) = to_js(&failure.error) {
                        let _ = js_sys::Reflect::set(&error, &JsValue::from_str("cause"), &cause);
                    }
                    Err(error)
                }
            }
        })
    }
}

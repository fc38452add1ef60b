//! Local files for the fly.toml editor: reading the file a user picks (`<input type="file">`) and saving a text as a
//! download. Nothing leaves the browser: the text is read and written in the page.

use flightdeck::api::describe_js_error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// fly.toml files are a few kilobytes; anything this large is not one.
const LARGEST_FILE_BYTES: f64 = 1024.0 * 1024.0;

/// The text of the file picked in the input that fired `event`: `Ok(None)` when none was picked.
pub async fn picked_text(event: &web_sys::Event) -> Result<Option<(String, String)>, String> {
    let Some(input) = event.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
        return Ok(None);
    };
    let Some(file) = input.files().and_then(|files| files.get(0)) else { return Ok(None) };
    // The same file can be picked again after an edit.
    input.set_value("");
    if file.size() > LARGEST_FILE_BYTES {
        return Err(format!("{} is {:.0} KB: too large for a fly.toml", file.name(), file.size() / 1024.0));
    }
    let text = JsFuture::from(file.text()).await.map_err(|e| describe_js_error(&e))?;
    let text = text.as_string().ok_or_else(|| format!("{} could not be read as text", file.name()))?;
    Ok(Some((file.name(), text)))
}

/// Offers `text` as a download named `name` (a Blob behind a temporary link).
pub fn download(name: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/toml;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|e| describe_js_error(&e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| describe_js_error(&e))?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let link = document
        .create_element("a")
        .map_err(|e| describe_js_error(&e))?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "no link element".to_owned())?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

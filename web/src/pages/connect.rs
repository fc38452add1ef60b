//! The connect screen: the API base URL (this server's own origin by default), a token (the one the emulator offers,
//! or the user's), the organization; which backend the server fronts; and "remember on this device", opt-in, which
//! keeps the connection in this tab's sessionStorage. Without it the token lives only in memory.

use leptos::prelude::*;

use crate::components::ErrorNote;
use crate::state::{Connection, SessionInfo, SessionSlot, open, page_origin, remember, remembered};

#[component]
pub fn ConnectPage(info: SessionInfo, note: Option<String>) -> impl IntoView {
    let slot = expect_context::<SessionSlot>();
    let was = remembered();
    let base_url =
        RwSignal::new(was.as_ref().map_or_else(|| page_origin().unwrap_or_default(), |c| c.base_url.clone()));
    let token = RwSignal::new(was.as_ref().map(|c| c.token.clone()).or_else(|| info.token.clone()).unwrap_or_default());
    let org = RwSignal::new(was.as_ref().map_or_else(|| info.org_slug.clone(), |c| c.org.clone()));
    let (keep, set_keep) = signal(was.is_some());
    let connect = {
        let info = info.clone();
        Action::new_local(move |connection: &Connection| {
            let (info, connection) = (info.clone(), connection.clone());
            async move {
                let opened = open(&info, &connection).await.map_err(|e| e.to_string())?;
                remember(keep.get_untracked().then_some(&connection));
                slot.0.set(Some(opened));
                if let Some(window) = web_sys::window() {
                    let _ = window.location().set_hash("#/");
                }
                Ok::<(), String>(())
            }
        })
    };
    let backend = match info.mode.as_str() {
        "emulator" => "This server runs the local Machines API emulator; its token is filled in.".to_owned(),
        other => format!("This server proxies a Machines API ({other}): use a Fly.io API token."),
    };
    let connected = move || slot.0.with(Option::is_some);
    view! {
        <section class="card connect" aria-labelledby="connect-heading">
            <h1 id="connect-heading">"Connect"</h1>
            <p class="muted">{backend}</p>
            {note.map(|n| view! { <ErrorNote message=n/> })}
            <form class="fields" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                connect.dispatch(Connection { base_url: base_url.get_untracked(), token: token.get_untracked(), org: org.get_untracked() });
            }>
                <label for="connect-base">"API base URL"</label>
                <input id="connect-base" prop:value=base_url on:input=move |ev| base_url.set(event_target_value(&ev))/>
                <label for="connect-token">"API token"</label>
                <input id="connect-token" type="password" autocomplete="off" required prop:value=token
                    on:input=move |ev| token.set(event_target_value(&ev))/>
                <label for="connect-org">"Organization"</label>
                <input id="connect-org" prop:value=org on:input=move |ev| org.set(event_target_value(&ev))/>
                <label class="check"><input type="checkbox" prop:checked=keep
                    on:change=move |ev| set_keep.set(event_target_checked(&ev))/>
                    " Remember on this device (until this tab closes)"</label>
                <button type="submit" disabled=move || connect.pending().get()>"Connect"</button>
            </form>
            {move || connect.value().get().and_then(Result::err).map(|e| view! { <ErrorNote message=e/> })}
            {move || connected().then(|| view! {
                <button type="button" class="small danger" on:click=move |_| { remember(None); slot.0.set(None); }>
                    "Disconnect and forget"
                </button>
            })}
        </section>
    }
}

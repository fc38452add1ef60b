//! The root component: learns from the serving flightdeck-server which backend it fronts, connects (the tab's
//! remembered connection, else the token the emulator offers, else the connect screen), then shows the screen the
//! URL names.

use leptos::prelude::*;

use crate::components::{ErrorNote, Header};
use crate::pages::{AppPage, AppsPage, ConnectPage};
use crate::route::{Route, use_route};
use crate::state::{ConnectError, Connection, Drafts, SessionSlot, open, page_origin, remembered, session_info};

#[component]
pub fn App() -> impl IntoView {
    let info = LocalResource::new(session_info);
    let session = SessionSlot(RwSignal::new(None));
    provide_context(session);
    provide_context(Drafts::keep_in_tab());
    let route = use_route();
    // Connecting on its own: the remembered connection, else the emulator's token on this origin.
    let (automatic, set_automatic) = signal(None::<Result<(), String>>);
    Effect::new(move |_| {
        let Some(Ok(info)) = info.get() else { return };
        if session.0.get_untracked().is_some() {
            return;
        }
        let offered = info.token.clone().zip(page_origin().ok()).map(|(token, base_url)| Connection {
            base_url,
            token,
            org: info.org_slug.clone(),
        });
        let Some(connection) = remembered().or(offered) else {
            set_automatic.set(Some(Err(ConnectError::NoToken.to_string())));
            return;
        };
        leptos::task::spawn_local(async move {
            match open(&info, &connection).await {
                Ok(opened) => {
                    session.0.set(Some(opened));
                    set_automatic.set(Some(Ok(())));
                }
                Err(error) => set_automatic.set(Some(Err(error.to_string()))),
            }
        });
    });

    let screen = move || {
        let info = match info.get() {
            None => return view! { <p class="muted">"Connecting…"</p> }.into_any(),
            Some(Err(error)) => return view! { <ErrorNote message=error.to_string()/> }.into_any(),
            Some(Ok(info)) => info,
        };
        match (route.get(), session.0.get()) {
            (Route::Connect, _) => view! { <ConnectPage info=info note=None/> }.into_any(),
            (route, Some(current)) => {
                provide_context(current);
                match route {
                    Route::App { name, tab } => view! { <AppPage name=name tab=tab/> }.into_any(),
                    Route::Apps | Route::Connect => view! { <AppsPage/> }.into_any(),
                }
            }
            (_, None) => match automatic.get() {
                Some(Err(note)) => view! { <ConnectPage info=info note=Some(note)/> }.into_any(),
                _ => view! { <p class="muted">"Connecting…"</p> }.into_any(),
            },
        }
    };
    view! {
        <Header session=Signal::derive(move || session.0.get().map(|s| s.info))/>
        <main>{screen}</main>
    }
}

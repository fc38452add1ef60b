//! The root component: connects to the serving flightdeck-server, then shows the screen the URL names.

use leptos::prelude::*;

use crate::components::{ErrorNote, Header};
use crate::pages::{AppPage, AppsPage};
use crate::route::{Route, use_route};
use crate::state::{Drafts, Session, connect};

#[component]
pub fn App() -> impl IntoView {
    let session = LocalResource::new(connect);
    provide_context(Drafts(RwSignal::new(Default::default())));
    let route = use_route();
    view! {
        <Header session=Signal::derive(move || session.get().and_then(Result::ok).map(|s| s.info))/>
        <main>
            <Transition fallback=|| view! { <p class="muted">"Connecting…"</p> }>
                {move || session.get().map(|result| match result {
                    Ok(session) => {
                        provide_context::<Session>(session);
                        match route.get() {
                            Route::Apps => view! { <AppsPage/> }.into_any(),
                            Route::App { name, tab } => view! { <AppPage name=name tab=tab/> }.into_any(),
                        }
                    }
                    Err(error) => view! { <ErrorNote message=error.to_string()/> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

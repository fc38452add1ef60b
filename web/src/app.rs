//! The root component: connects to the serving flightdeck-server, then shows the apps page.

use leptos::prelude::*;

use crate::components::{ErrorNote, Header};
use crate::pages::AppsPage;
use crate::state::{Session, connect};

#[component]
pub fn App() -> impl IntoView {
    let session = LocalResource::new(connect);
    view! {
        <Header session=Signal::derive(move || session.get().and_then(Result::ok).map(|s| s.info))/>
        <main>
            <Transition fallback=|| view! { <p class="muted">"Connecting…"</p> }>
                {move || session.get().map(|result| match result {
                    Ok(session) => {
                        provide_context::<Session>(session);
                        view! { <AppsPage/> }.into_any()
                    }
                    Err(error) => view! { <ErrorNote message=error.to_string()/> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

//! Where the dashboard is: read from the URL's hash (`#/apps/NAME/machines`), so every screen has a link that
//! survives a reload, and the browser's back button works.

use leptos::prelude::*;

/// A tab of the app page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Machines,
    Scale,
    Config,
    Deploy,
    Secrets,
}

impl Tab {
    /// Every tab, in the order the app page shows them.
    pub const ALL: [Tab; 6] = [Tab::Overview, Tab::Machines, Tab::Scale, Tab::Config, Tab::Deploy, Tab::Secrets];

    pub fn slug(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Machines => "machines",
            Tab::Scale => "scale",
            Tab::Config => "config",
            Tab::Deploy => "deploy",
            Tab::Secrets => "secrets",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Machines => "Machines",
            Tab::Scale => "Scale",
            Tab::Config => "Config",
            Tab::Deploy => "Deploy",
            Tab::Secrets => "Secrets",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Apps,
    Connect,
    App { name: String, tab: Tab },
}

impl Route {
    /// Parses `#/apps/NAME[/TAB]` and `#/connect`; anything else is the apps list.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let mut parts = path.split('/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("apps"), Some(name), tab) if !name.is_empty() => {
                let name = js_sys::decode_uri_component(name).ok().and_then(|n| n.as_string()).unwrap_or_default();
                let tab = tab.and_then(|slug| Tab::ALL.into_iter().find(|t| t.slug() == slug)).unwrap_or(Tab::Machines);
                Route::App { name, tab }
            }
            (Some("connect"), _, _) => Route::Connect,
            _ => Route::Apps,
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::Apps => "#/".to_owned(),
            Route::Connect => "#/connect".to_owned(),
            Route::App { name, tab } => {
                let name = String::from(js_sys::encode_uri_component(name));
                format!("#/apps/{name}/{}", tab.slug())
            }
        }
    }
}

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// The route as a signal that follows the hash.
pub fn use_route() -> ReadSignal<Route> {
    let (route, set_route) = signal(Route::parse(&current_hash()));
    let handle = window_event_listener_untyped("hashchange", move |_| set_route.set(Route::parse(&current_hash())));
    on_cleanup(move || handle.remove());
    route
}

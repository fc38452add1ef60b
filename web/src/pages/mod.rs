//! Screens of the dashboard.

mod app;
mod apps;
mod config;
mod machines;
mod secrets;

pub use app::AppPage;
pub use apps::AppsPage;
pub use config::ConfigTab;
pub use machines::MachinesTab;
pub use secrets::SecretsTab;

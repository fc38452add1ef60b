//! Screens of the dashboard.

mod app;
mod apps;
mod config;
mod connect;
mod deploy;
mod group_board;
mod launch;
mod machine_detail;
mod machine_edit;
mod machine_tools;
mod machines;
mod overview;
mod scale;
mod secrets;

pub use app::AppPage;
pub use apps::AppsPage;
pub use config::ConfigTab;
pub use connect::ConnectPage;
pub use deploy::DeployTab;
pub use machines::MachinesTab;
pub use overview::OverviewTab;
pub use scale::ScaleTab;
pub use secrets::SecretsTab;

//! Screens of the dashboard.

mod apps;

pub use apps::AppsPage;

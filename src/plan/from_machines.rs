//! A fly.toml for an app that has machines but no fly.toml at hand, made from what the machines run
//! (flyctl-behaviour.md §A.9: flyctl's config when no release config exists). `scale` uses it without a local
//! fly.toml, as flyctl uses the app's remote config; the dashboard starts its editor from it.

use std::collections::BTreeMap;

use super::{group_of, is_managed};
use crate::api::Machine;
use crate::config::{AppConfig, Build, DEFAULT_GROUP};

/// The most common value, the first seen winning a tie (machines come in the API's order).
fn most_common<'a, T: PartialEq + ?Sized>(values: impl Iterator<Item = &'a T>) -> Option<&'a T> {
    let mut counts: Vec<(&T, usize)> = Vec::new();
    for value in values {
        match counts.iter_mut().find(|(seen, _)| *seen == value) {
            Some((_, n)) => *n += 1,
            None => counts.push((value, 1)),
        }
    }
    // `max_by_key` keeps the last of equals: reversed, the first seen wins.
    counts.into_iter().rev().max_by_key(|(_, n)| *n).map(|(value, _)| value)
}

/// The config of `app` as its managed machines describe it (or, when none is managed, its live machines):
/// - `app`; `primary_region` from the machines' `PRIMARY_REGION`, else the region most of them run in;
/// - `[build] image`: the image most of them run;
/// - `[processes]`: each group with the command most of its machines run (`init.cmd`, quoted as a shell would, so
///   that splitting it again gives the same arguments) — left out when the only group is `app` and it runs the
///   image's own command, as in a fly.toml without `[processes]`.
///
/// Nothing else: what a group's machines run besides (services, checks, mounts) is on the machines, and a scale
/// clones machines, so it keeps them.
pub fn config_from_machines(app: &str, machines: &[Machine]) -> AppConfig {
    let mut managed: Vec<&Machine> = machines.iter().filter(|m| is_managed(m)).collect();
    if managed.is_empty() {
        // Machines made by hand or by another tool: still the app's image and region.
        managed = machines.iter().filter(|m| !m.state.is_gone() && m.config.is_some()).collect();
    }
    let configs = || managed.iter().filter_map(|m| m.config.as_ref());
    let primary_region = most_common(configs().filter_map(|c| c.env.get("PRIMARY_REGION").map(String::as_str)))
        .or_else(|| most_common(managed.iter().map(|m| m.region.as_str())))
        .map(str::to_owned);
    let image = most_common(configs().map(|c| c.image.as_str())).filter(|i| !i.is_empty());
    let mut commands: BTreeMap<&str, Vec<&[String]>> = BTreeMap::new();
    for machine in &managed {
        let command = machine.config.as_ref().map_or(&[][..], |c| c.init.cmd.as_slice());
        commands.entry(group_of(machine)).or_default().push(command);
    }
    let processes: BTreeMap<String, String> = crate::sort::map_of(commands.iter().map(|(group, commands)| {
        let command = most_common(commands.iter().copied()).unwrap_or_default();
        ((*group).to_owned(), crate::config::join_command(command))
    }));
    let only_default = processes.len() == 1 && processes.get(DEFAULT_GROUP).is_some_and(String::is_empty);
    AppConfig {
        app: Some(app.to_owned()),
        primary_region,
        build: image.map(|image| Build { image: Some(image.to_owned()), ..Build::default() }),
        processes: if only_default { BTreeMap::new() } else { processes },
        ..AppConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MachineState;
    use crate::machine::MachineConfig;

    fn machine(group: &str, region: &str, image: &str, cmd: &[&str]) -> Machine {
        let mut config = MachineConfig { image: image.to_owned(), ..MachineConfig::default() };
        config.metadata.insert("fly_platform_version".into(), "v2".into());
        config.metadata.insert("fly_process_group".into(), group.into());
        config.init.cmd = cmd.iter().map(|s| (*s).to_owned()).collect();
        Machine { region: region.into(), state: MachineState::Started, config: Some(config), ..Machine::default() }
    }

    #[test]
    fn groups_get_their_most_common_command_quoted_so_it_splits_back() {
        let machines = [
            machine("app", "syd", "shop:v2", &["nginx", "-g", "daemon off;"]),
            machine("app", "fra", "shop:v2", &["nginx", "-g", "daemon off;"]),
            machine("app", "syd", "shop:v1", &["nginx"]),
            machine("worker", "syd", "shop:v2", &[]),
        ];
        let config = config_from_machines("shop", &machines);
        assert_eq!(config.app.as_deref(), Some("shop"));
        assert_eq!(config.primary_region.as_deref(), Some("syd"));
        assert_eq!(config.build.as_ref().and_then(|b| b.image.as_deref()), Some("shop:v2"));
        assert_eq!(config.processes["app"], "nginx -g 'daemon off;'");
        assert_eq!(config.processes["worker"], "", "the image's own command");
        assert_eq!(crate::config::split_command(&config.processes["app"]).unwrap(), ["nginx", "-g", "daemon off;"]);
        assert_eq!(config.process_names(), ["app", "worker"]);
    }

    #[test]
    fn one_default_group_on_the_images_command_needs_no_processes() {
        let config = config_from_machines("shop", &[machine("app", "iad", "shop:v1", &[])]);
        assert!(config.processes.is_empty());
        assert_eq!(config.process_names(), ["app"]);
        // A single other group, or a command, does need them.
        let config = config_from_machines("shop", &[machine("app", "iad", "shop:v1", &["serve"])]);
        assert_eq!(config.processes["app"], "serve");
    }

    #[test]
    fn the_primary_region_comes_from_the_machines_env_first() {
        let mut first = machine("app", "fra", "shop:v1", &[]);
        if let Some(config) = first.config.as_mut() {
            config.env.insert("PRIMARY_REGION".into(), "ams".into());
        }
        let config = config_from_machines("shop", &[first, machine("app", "fra", "shop:v1", &[])]);
        assert_eq!(config.primary_region.as_deref(), Some("ams"));
        assert_eq!(config_from_machines("shop", &[]).primary_region, None);
    }
}

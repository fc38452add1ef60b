//! Seeding through the control API (`POST /__emulator/seed`): apps with machines and volumes already in the state a
//! test or a demo needs, without waiting for boots. Seeded machines are in their final state at once (no timers);
//! everything after that moves as usual.

use std::collections::BTreeMap;

use flightdeck::api::MachineState;
use flightdeck::machine::MachineConfig;
use serde::{Deserialize, Serialize};

use super::machines::{MachineRecord, fresh_machine_name, new_machine, record_event, record_exit, settled_checks};
use super::volumes::VolumeRecord;
use super::{Emulator, NameTaken, PERSONAL_ORG};
use crate::ids;

/// What to create.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Seed {
    pub apps: Vec<SeedApp>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedApp {
    pub name: String,
    /// The org (default `personal`); it must exist.
    pub org: Option<String>,
    /// Created before the machines, so a machine's mount may name one of them by name.
    pub volumes: Vec<SeedVolume>,
    pub machines: Vec<SeedMachine>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedVolume {
    pub name: String,
    pub region: String,
    pub size_gb: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedMachine {
    pub name: Option<String>,
    pub region: String,
    /// `created`, `started` (the default), `stopped`, `suspended` or `failed`.
    pub state: Option<String>,
    pub config: MachineConfig,
    /// How many machines like this one (names get `-1`, `-2`, … when a name is given); default 1.
    pub count: Option<usize>,
}

/// What was created, by app: machine ids in seed order, volume ids by name.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Seeded {
    pub apps: Vec<SeededApp>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SeededApp {
    pub name: String,
    pub machines: Vec<String>,
    pub volumes: BTreeMap<String, String>,
}

/// Why a seed was refused; nothing of it was applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedError {
    #[error("app {0}: the name is taken")]
    NameTaken(String),
    #[error("app {app}: no org {org}")]
    NoOrg { app: String, org: String },
    #[error("app {app}: {message}")]
    Invalid { app: String, message: String },
}

const MAX_SEEDED_MACHINES: usize = 100_000;

/// The demo fleet (`--demo`): three apps in `personal` shaped like real ones, so a first look at the dashboard has
/// something to show — the seed thread's spread (web: 4 in iad, one of them idle, 2 in fra, 1 in syd, 1 in gru) with
/// a worker group beside it, a database-like app on a volume, and a queue worker with a stopped machine.
fn demo_seed() -> serde_json::Value {
    fn machine(group: &str, image: &str, region: &str, extra: serde_json::Value) -> serde_json::Value {
        let mut config = serde_json::json!({
            "image": image,
            "env": { "PRIMARY_REGION": "iad", "FLY_PROCESS_GROUP": group },
            "metadata": { "fly_platform_version": "v2", "fly_process_group": group },
            "guest": { "cpu_kind": "shared", "cpus": 1, "memory_mb": 512 },
        });
        if let (Some(config), serde_json::Value::Object(extra)) = (config.as_object_mut(), extra) {
            config.extend(extra);
        }
        serde_json::json!({ "region": region, "config": config })
    }
    let web = |region: &str| {
        let mut m = machine(
            "web",
            "registry.fly.io/demo-web:deployment-01J9",
            region,
            serde_json::json!({
                "init": { "cmd": ["bin/server", "--port", "8080"] },
                "services": [{
                    "protocol": "tcp", "internal_port": 8080, "autostop": "stop", "autostart": true,
                    "ports": [{ "port": 80, "handlers": ["http"], "force_https": true }, { "port": 443, "handlers": ["tls", "http"] }],
                    "checks": [{ "type": "http", "interval": "15s", "timeout": "2s", "grace_period": "5s", "method": "GET", "path": "/healthz" }],
                }],
            }),
        );
        m["name"] = serde_json::json!(format!("web-{region}"));
        m
    };
    let counted = |mut machine: serde_json::Value, count: usize| {
        machine["count"] = serde_json::json!(count);
        machine
    };
    let mut idle = web("iad");
    idle["name"] = serde_json::json!("web-iad-idle");
    idle["state"] = serde_json::json!("stopped");
    let mut worker = machine(
        "worker",
        "registry.fly.io/demo-web:deployment-01J9",
        "iad",
        serde_json::json!({ "init": { "cmd": ["bin/worker", "--queue", "default"] } }),
    );
    worker["name"] = serde_json::json!("worker");
    let mut api = machine(
        "app",
        "registry.fly.io/demo-api:v42",
        "ams",
        serde_json::json!({
            "guest": { "cpu_kind": "performance", "cpus": 1, "memory_mb": 2048 },
            "mounts": [{ "volume": "pg_data", "path": "/var/lib/data" }],
            "checks": { "alive": { "type": "tcp", "port": 5432, "interval": "10s", "timeout": "2s" } },
        }),
    );
    api["name"] = serde_json::json!("api-primary");
    let queue = |name: &str, state: &str| {
        let mut m = machine("worker", "registry.fly.io/demo-worker:v7", "ord", serde_json::json!({}));
        m["name"] = serde_json::json!(name);
        m["state"] = serde_json::json!(state);
        m
    };
    serde_json::json!({ "apps": [
        { "name": "demo-web", "machines": [
            counted(web("iad"), 3), idle, counted(web("fra"), 2), web("syd"), web("gru"), counted(worker, 2),
        ] },
        { "name": "demo-api", "volumes": [{ "name": "pg_data", "region": "ams", "size_gb": 10 }], "machines": [api] },
        { "name": "demo-worker", "machines": [
            queue("queue-1", "started"), queue("queue-2", "started"), queue("queue-3", "stopped"),
        ] },
    ] })
}

impl Emulator {
    /// Seeds the demo fleet ([`demo_seed`]) into `personal`, each app unless one of its name is there already (a
    /// state file loaded at start keeps what was done to them).
    pub fn seed_demo_apps(&self) {
        let Ok(seed) = serde_json::from_value::<Seed>(demo_seed()) else { return };
        for app in seed.apps {
            // A taken name means the app is there already: nothing to do for it.
            let _ = self.seed(&Seed { apps: vec![app] });
        }
    }

    /// Creates everything in `seed`, checked first so a refusal leaves the emulator as it was.
    pub fn seed(&self, seed: &Seed) -> Result<Seeded, SeedError> {
        let total: usize = seed.apps.iter().flat_map(|a| &a.machines).map(|m| m.count.unwrap_or(1)).sum();
        for app in &seed.apps {
            let org = app.org.clone().unwrap_or_else(|| PERSONAL_ORG.to_owned());
            let invalid = |message: String| SeedError::Invalid { app: app.name.clone(), message };
            if self.app(&app.name).is_some() || seed.apps.iter().filter(|a| a.name == app.name).count() > 1 {
                return Err(SeedError::NameTaken(app.name.clone()));
            }
            if self.org_name(&org).is_none() {
                return Err(SeedError::NoOrg { app: app.name.clone(), org });
            }
            if !super::apps::valid_app_name(&app.name) {
                return Err(invalid("invalid app name".to_owned()));
            }
            if total > MAX_SEEDED_MACHINES {
                return Err(invalid(format!("at most {MAX_SEEDED_MACHINES} machines per seed")));
            }
            for machine in &app.machines {
                if machine.region.is_empty() || machine.config.image.is_empty() {
                    return Err(invalid("every machine needs a region and config.image".to_owned()));
                }
                if !matches!(
                    machine.state.as_deref().unwrap_or("started"),
                    "created" | "started" | "stopped" | "suspended" | "failed"
                ) {
                    return Err(invalid("state must be created, started, stopped, suspended or failed".to_owned()));
                }
                for mount in &machine.config.mounts {
                    let claimed =
                        app.machines.iter().flat_map(|m| &m.config.mounts).filter(|m| m.volume == mount.volume);
                    if claimed.count() > 1 {
                        return Err(invalid(format!("volume {} is mounted by more than one machine", mount.volume)));
                    }
                    let volume = app.volumes.iter().find(|v| v.name == mount.volume);
                    if volume.is_none_or(|v| v.region != machine.region) || machine.count.unwrap_or(1) > 1 {
                        return Err(invalid(format!(
                            "mount {}: name one volume of this seed, in the machine's region, for a single machine",
                            mount.volume
                        )));
                    }
                }
            }
        }
        let mut seeded = Seeded::default();
        for app in &seed.apps {
            let org = app.org.clone().unwrap_or_else(|| PERSONAL_ORG.to_owned());
            self.create_app(&org, &app.name, None).map_err(|NameTaken| SeedError::NameTaken(app.name.clone()))?;
            self.with_app(&app.name, |a| a.status = "deployed".to_owned());
            let mut done = SeededApp { name: app.name.clone(), ..SeededApp::default() };
            for volume in &app.volumes {
                let request = flightdeck::api::CreateVolumeRequest {
                    name: volume.name.clone(),
                    region: volume.region.clone(),
                    ..Default::default()
                };
                let record = super::volumes::new_volume(request, volume.size_gb.unwrap_or(3));
                let id = record.id.clone();
                self.insert_volume(VolumeRecord { app: app.name.clone(), volume: record });
                done.volumes.insert(volume.name.clone(), id);
            }
            for machine in &app.machines {
                let count = machine.count.unwrap_or(1);
                for n in 1..=count {
                    let name = match (&machine.name, count) {
                        (Some(name), 1) => name.clone(),
                        (Some(name), _) => format!("{name}-{n}"),
                        (None, _) => fresh_machine_name(self, &app.name),
                    };
                    let mut config = machine.config.clone();
                    for mount in &mut config.mounts {
                        if let Some(id) = done.volumes.get(&mount.volume) {
                            mount.volume.clone_from(id);
                        }
                    }
                    let id = ids::hex_id(14);
                    let mut record = new_machine(id.clone(), name, machine.region.clone(), config);
                    let state = MachineState::parse(machine.state.as_deref().unwrap_or("started"));
                    if state == MachineState::Started {
                        let group = record.process_group().unwrap_or("app").to_owned();
                        settled_checks(&mut record, !self.faults().failing_checks(&app.name, &group));
                    }
                    // The history that led to the seeded state, as `machine status` shows it.
                    match state {
                        MachineState::Started => record_event(&mut record, "start", "started", "flyd"),
                        MachineState::Stopped => {
                            record_event(&mut record, "start", "started", "flyd");
                            record_exit(&mut record, 0, "stopped", true);
                        }
                        MachineState::Failed => record_exit(&mut record, 1, "failed", false),
                        _ => {}
                    }
                    record.state = state;
                    let volume_ids: Vec<String> = record
                        .config
                        .as_ref()
                        .map(|c| c.mounts.iter().map(|m| m.volume.clone()).collect())
                        .unwrap_or_default();
                    for volume in &volume_ids {
                        self.with_volume(volume, |v| v.volume.attached_machine_id = Some(id.clone()));
                    }
                    self.insert_machine(MachineRecord { app: app.name.clone(), machine: record, lease: None });
                    done.machines.push(id);
                }
            }
            seeded.apps.push(done);
        }
        self.changed();
        Ok(seeded)
    }
}

//! How the engine carries out each [`Action`]: the API calls, under the run's leases, and the waits that follow
//! (state, smoke check, health checks), as flyctl-behaviour.md §B.5–B.7 describe them.

use std::time::Duration;

use crate::api::{
    ApiError, CreateAppRequest, CreateVolumeRequest, Machine, MachineAction, MachineRequest, MachineState, Transport,
    WaitFor, WaitState,
};
use crate::machine::MachineConfig;
use crate::plan::{Action, Target, VolumeChoice, Wait};

use super::{Created, Event, Run, RunError, lock};

/// Who an action is about, for events and the report: (machine id or plan key, group, verb).
pub(super) fn identify(action: &Action) -> (String, String, String) {
    let (target, group, verb): (String, String, &str) = match action {
        Action::CreateApp { name, .. } => (name.clone(), String::new(), "create_app"),
        Action::RunReleaseCommand { .. } => {
            ("release_command".to_owned(), crate::config::RELEASE_COMMAND_GROUP.to_owned(), "release_command")
        }
        Action::Create { key, group, .. } => (key.clone(), group.clone(), "create"),
        Action::Update { machine, replace, .. } => {
            (machine.id.clone(), machine.group.clone(), if *replace { "replace" } else { "update" })
        }
        Action::Restart { machine, .. } => (machine.id.clone(), machine.group.clone(), "restart"),
        Action::Start { machine, .. } => (machine.label().to_owned(), machine.group().to_owned(), "start"),
        Action::Stop { machine, .. } => (machine.label().to_owned(), machine.group().to_owned(), "stop"),
        Action::Cordon { machine } => (machine.label().to_owned(), machine.group().to_owned(), "cordon"),
        Action::Uncordon { machine } => (machine.label().to_owned(), machine.group().to_owned(), "uncordon"),
        Action::SetMetadata { machine, .. } => (machine.label().to_owned(), machine.group().to_owned(), "metadata"),
        Action::Destroy { machine, .. } => (machine.label().to_owned(), machine.group().to_owned(), "destroy"),
    };
    (target, group, verb.to_owned())
}

/// The machine an action acts on, as the run tracks it: an existing machine's id or a planned machine's key.
pub(super) fn target_key(action: &Action) -> Option<String> {
    match action {
        Action::CreateApp { .. } | Action::RunReleaseCommand { .. } => None,
        Action::Create { key, .. } => Some(key.clone()),
        Action::Update { machine, .. } | Action::Restart { machine, .. } => Some(machine.id.clone()),
        Action::Start { machine, .. }
        | Action::Stop { machine, .. }
        | Action::Cordon { machine }
        | Action::Uncordon { machine }
        | Action::SetMetadata { machine, .. }
        | Action::Destroy { machine, .. } => Some(machine.label().to_owned()),
    }
}

/// The number of health checks a machine config declares (top-level and per service).
fn check_count(config: &MachineConfig) -> usize {
    config.checks.len() + config.services.iter().map(|s| s.checks.len()).sum::<usize>()
}

fn last_exit(machine: &Machine) -> Option<&crate::api::MachineEvent> {
    machine.events.iter().filter(|e| e.kind == "exit").max_by_key(|e| e.timestamp)
}

/// The exit code of the newest `exit` event, if any.
fn last_exit_code(machine: &Machine) -> Option<i64> {
    last_exit(machine).and_then(|e| e.exit_code())
}

impl<T: Transport> Run<'_, T> {
    fn app(&self) -> &str {
        &self.plan.app
    }

    fn api_error(&self, machine: &str, group: &str) -> impl Fn(ApiError) -> RunError + use<'_, T> {
        let (machine, group) = (machine.to_owned(), group.to_owned());
        move |error| RunError::api(&machine, &group, &error)
    }

    /// A machine created with `lease_ttl` comes back leased to us: its lease joins the run's (refreshed, released).
    fn hold_created_lease(&self, machine: &crate::api::Machine) {
        if let Some(nonce) = machine.nonce.clone().filter(|n| !n.is_empty()) {
            lock(&self.leases).insert(machine.id.clone(), nonce);
        }
    }

    /// The machine id of a target.
    fn resolve(&self, target: &Target) -> Result<String, RunError> {
        match target {
            Target::Existing(machine) => Ok(machine.id.clone()),
            Target::Planned { key, .. } => {
                lock(&self.created).get(key).map(|c| c.id.clone()).ok_or_else(|| RunError::UnknownKey(key.clone()))
            }
        }
    }

    fn wait_timeout(&self) -> Duration {
        Duration::from_secs(self.plan.wait_timeout_secs.max(1))
    }

    /// Carries out one action; answers the id of the machine it acted on.
    pub(super) async fn execute(&self, action: &Action) -> Result<String, RunError> {
        match action {
            Action::CreateApp { name, org } => {
                let request =
                    CreateAppRequest { name: name.clone(), org_slug: org.clone(), ..CreateAppRequest::default() };
                self.client.create_app(&request).await.map_err(self.api_error(name, ""))?;
                Ok(name.clone())
            }
            Action::RunReleaseCommand { command, region, config, timeout_secs } => {
                self.release_command(command, region.as_deref(), config, *timeout_secs).await
            }
            Action::Create {
                key,
                group,
                region,
                config,
                skip_launch,
                cordoned,
                volume,
                standby_for,
                name,
                wait,
                role,
            } => {
                let mut config = MachineConfig::clone(config);
                if let Some(choice) = volume {
                    let id = self.volume(choice, region).await.map_err(self.api_error(key, group))?;
                    if let Some(mount) = config.mounts.first_mut() {
                        mount.volume = id;
                    }
                }
                if let Some(standby) = standby_for {
                    let id = lock(&self.created).get(standby).map_or_else(|| standby.clone(), |c| c.id.clone());
                    config.standbys = vec![id.clone()];
                    config.env.insert("FLY_STANDBY_FOR".to_owned(), id);
                }
                let request = MachineRequest {
                    name: name.clone(),
                    region: Some(region.clone()),
                    config,
                    skip_launch: Some(*skip_launch),
                    skip_service_registration: cordoned.then_some(true),
                    lease_ttl: Some(self.plan.lease_ttl_secs),
                    ..MachineRequest::default()
                };
                let machine =
                    self.client.create_machine(self.app(), &request).await.map_err(self.api_error(key, group))?;
                self.hold_created_lease(&machine);
                let phase = *lock(&self.phase);
                lock(&self.created)
                    .insert(key.clone(), Created { id: machine.id.clone(), role: *role, phase, destroyed: false });
                self.emit(Event::MachineCreated {
                    key: key.clone(),
                    machine: machine.id.clone(),
                    group: group.clone(),
                    region: machine.region.clone(),
                });
                if !*skip_launch {
                    self.settle(&machine.id, group, None, *wait, &request.config).await?;
                }
                Ok(machine.id)
            }
            Action::Update { machine, config, start, replace, volume, min_secrets_version, wait, .. } => {
                let (id, group) = (machine.id.as_str(), machine.group.as_str());
                let nonce = self.nonce(id);
                let mut config = MachineConfig::clone(config);
                if *replace {
                    // Destroy, then create again in the same region with the same name (§B.5). A volume is detached,
                    // never destroyed.
                    self.client
                        .destroy_machine(self.app(), id, true, nonce.as_deref())
                        .await
                        .map_err(self.api_error(id, group))?;
                    lock(&self.leases).remove(id);
                    if let Some(choice) = volume {
                        let volume_id =
                            self.volume(choice, &machine.region).await.map_err(self.api_error(id, group))?;
                        if let Some(mount) = config.mounts.first_mut() {
                            mount.volume = volume_id;
                        }
                    }
                    let request = MachineRequest {
                        name: Some(machine.name.clone()).filter(|n| !n.is_empty()),
                        region: Some(machine.region.clone()),
                        config: config.clone(),
                        skip_launch: Some(!*start),
                        min_secrets_version: *min_secrets_version,
                        lease_ttl: Some(self.plan.lease_ttl_secs),
                        ..MachineRequest::default()
                    };
                    let created =
                        self.client.create_machine(self.app(), &request).await.map_err(self.api_error(id, group))?;
                    self.hold_created_lease(&created);
                    self.emit(Event::Warning {
                        message: format!("machine {id} [{group}] was replaced by {}", created.id),
                    });
                    if *start {
                        self.settle(&created.id, group, None, *wait, &config).await?;
                    }
                    return Ok(created.id);
                }
                let request = MachineRequest {
                    name: Some(machine.name.clone()).filter(|n| !n.is_empty()),
                    region: Some(machine.region.clone()),
                    config: config.clone(),
                    skip_launch: Some(!*start),
                    min_secrets_version: *min_secrets_version,
                    ..MachineRequest::default()
                };
                let updated = self
                    .client
                    .update_machine(self.app(), id, &request, nonce.as_deref())
                    .await
                    .map_err(self.api_error(id, group))?;
                if *start {
                    self.settle(id, group, Some(updated.current_version()), *wait, &config).await?;
                }
                Ok(id.to_owned())
            }
            Action::Restart { machine, wait } => {
                let (id, group) = (machine.id.as_str(), machine.group.as_str());
                let nonce = self.nonce(id);
                self.client
                    .restart_machine(self.app(), id, None, None, nonce.as_deref())
                    .await
                    .map_err(self.api_error(id, group))?;
                let current = self.client.get_machine(self.app(), id).await.map_err(self.api_error(id, group))?;
                let config = current.config.clone().unwrap_or_default();
                self.settle(id, group, None, *wait, &config).await?;
                Ok(id.to_owned())
            }
            Action::Start { machine, wait } => {
                let id = self.resolve(machine)?;
                let group = machine.group();
                let nonce = self.nonce(&id);
                self.client
                    .machine_action(self.app(), &id, MachineAction::Start, nonce.as_deref())
                    .await
                    .map_err(self.api_error(&id, group))?;
                let current = self.client.get_machine(self.app(), &id).await.map_err(self.api_error(&id, group))?;
                self.settle(&id, group, None, *wait, &current.config.clone().unwrap_or_default()).await?;
                Ok(id)
            }
            Action::Stop { machine, signal } => {
                let id = self.resolve(machine)?;
                let nonce = self.nonce(&id);
                self.client
                    .stop_machine(self.app(), &id, signal.as_deref(), None, nonce.as_deref())
                    .await
                    .map_err(self.api_error(&id, machine.group()))?;
                let wait =
                    WaitFor { states: &[WaitState::Stopped], version: None, from_event_id: None, timeout_secs: 60 };
                self.client
                    .wait_until(self.app(), &id, &wait, self.wait_timeout())
                    .await
                    .map_err(self.api_error(&id, machine.group()))?;
                self.emit(Event::MachineState {
                    machine: id.clone(),
                    group: machine.group().to_owned(),
                    state: "stopped".to_owned(),
                });
                Ok(id)
            }
            Action::Cordon { machine } | Action::Uncordon { machine } => {
                let id = self.resolve(machine)?;
                let nonce = self.nonce(&id);
                let verb = if matches!(action, Action::Cordon { .. }) {
                    MachineAction::Cordon
                } else {
                    MachineAction::Uncordon
                };
                self.client
                    .machine_action(self.app(), &id, verb, nonce.as_deref())
                    .await
                    .map_err(self.api_error(&id, machine.group()))?;
                Ok(id)
            }
            Action::SetMetadata { machine, key, value } => {
                let id = self.resolve(machine)?;
                self.client
                    .set_machine_metadata(self.app(), &id, key, value)
                    .await
                    .map_err(self.api_error(&id, machine.group()))?;
                Ok(id)
            }
            Action::Destroy { machine, force, .. } => {
                let id = self.resolve(machine)?;
                let nonce = self.nonce(&id);
                match self.client.destroy_machine(self.app(), &id, *force, nonce.as_deref()).await {
                    // Already gone: what the plan wanted.
                    Ok(()) | Err(ApiError::NotFound { .. }) => {}
                    Err(error) => return Err(RunError::api(&id, machine.group(), &error)),
                }
                lock(&self.leases).remove(&id);
                if let Target::Planned { key, .. } = machine
                    && let Some(created) = lock(&self.created).get_mut(key)
                {
                    created.destroyed = true;
                }
                Ok(id)
            }
        }
    }

    /// The id of the volume a choice names, creating it first when it is new.
    async fn volume(&self, choice: &VolumeChoice, region: &str) -> Result<String, ApiError> {
        match choice {
            VolumeChoice::Existing { id, .. } => Ok(id.clone()),
            VolumeChoice::New { name, region: wanted, size_gb } => {
                let request = CreateVolumeRequest {
                    name: name.clone(),
                    region: if wanted.is_empty() { region.to_owned() } else { wanted.clone() },
                    size_gb: Some(*size_gb),
                    encrypted: Some(true),
                    ..CreateVolumeRequest::default()
                };
                let volume = self.client.create_volume(self.app(), &request).await?;
                self.emit(Event::Warning {
                    message: format!(
                        "created a {size_gb} GB volume named '{name}' ({}) in {}",
                        volume.id, volume.region
                    ),
                });
                Ok(volume.id)
            }
        }
    }

    /// After a start: the state, a smoke check, the health checks — as far as `wait` asks.
    async fn settle(
        &self,
        id: &str,
        group: &str,
        version: Option<&str>,
        wait: Wait,
        config: &MachineConfig,
    ) -> Result<(), RunError> {
        if wait.state {
            let states = [WaitState::Started, WaitState::Failed];
            let request = WaitFor { states: &states, version, from_event_id: None, timeout_secs: 60 };
            let reached = self
                .client
                .wait_until(self.app(), id, &request, self.wait_timeout())
                .await
                .map_err(self.api_error(id, group))?;
            let state = reached.state.unwrap_or_else(|| "started".to_owned());
            self.emit(Event::MachineState { machine: id.to_owned(), group: group.to_owned(), state: state.clone() });
            if state != "started" {
                return Err(RunError::NotStarted { machine: id.to_owned(), group: group.to_owned(), state });
            }
        }
        if wait.smoke && !self.options.smoke_window.is_zero() {
            self.smoke_check(id, group).await?;
        }
        if wait.healthy {
            self.health_checks(id, group, check_count(config)).await?;
        }
        Ok(())
    }

    /// The machine must stay up for the smoke window: a failed state or an unrequested exit means a crash loop.
    async fn smoke_check(&self, id: &str, group: &str) -> Result<(), RunError> {
        let transport = self.client.transport();
        let started = transport.now_ms();
        let window_ms = self.options.smoke_window.as_secs_f64() * 1000.0;
        loop {
            let machine = self.client.get_machine(self.app(), id).await.map_err(self.api_error(id, group))?;
            let crashed = match &machine.state {
                MachineState::Failed => Some(format!("failed (exit code {})", last_exit_code(&machine).unwrap_or(1))),
                // A stop someone asked for (whatever its code: SIGTERM's 143, SIGINT's 130) is not a crash.
                MachineState::Stopped => last_exit(&machine)
                    .filter(|exit| !exit.requested_stop())
                    .and_then(|exit| exit.exit_code())
                    .filter(|code| *code != 0)
                    .map(|code| format!("exited with code {code} right after starting")),
                _ => None,
            };
            if let Some(detail) = crashed {
                return Err(RunError::Crashing { machine: id.to_owned(), group: group.to_owned(), detail });
            }
            if transport.now_ms() - started >= window_ms || self.stopped() {
                return Ok(());
            }
            transport.sleep(self.options.poll_interval.min(self.options.smoke_window)).await;
        }
    }

    /// Polls until every one of `total` checks passes, the machine crashes, or the wait timeout passes.
    async fn health_checks(&self, id: &str, group: &str, total: usize) -> Result<(), RunError> {
        if total == 0 {
            return Ok(());
        }
        let transport = self.client.transport();
        let deadline = transport.now_ms() + self.wait_timeout().as_secs_f64() * 1000.0;
        let mut last = None;
        loop {
            let machine = self.client.get_machine(self.app(), id).await.map_err(self.api_error(id, group))?;
            let checks: Vec<_> =
                machine.checks.iter().filter(|c| !c.name.starts_with("bg_deployments_compat")).collect();
            let passing = checks.iter().filter(|c| c.status == "passing").count();
            if last != Some(passing) {
                self.emit(Event::Checks { machine: id.to_owned(), group: group.to_owned(), passing, total });
                last = Some(passing);
            }
            if checks.len() >= total && passing == checks.len() {
                return Ok(());
            }
            if matches!(machine.state, MachineState::Failed | MachineState::Stopped) {
                return Err(RunError::Crashing {
                    machine: id.to_owned(),
                    group: group.to_owned(),
                    detail: format!("is {} while waiting for its health checks", machine.state),
                });
            }
            if transport.now_ms() >= deadline {
                return Err(RunError::Unhealthy { machine: id.to_owned(), group: group.to_owned(), passing, total });
            }
            if self.cancel.is_canceled() {
                return Err(RunError::Canceled);
            }
            transport.sleep(self.options.poll_interval).await;
        }
    }

    /// `[deploy] release_command` (§B.6): a temporary machine in the primary region, started, waited for until it
    /// stops, its exit code read from its events. On success it is destroyed; on failure it is kept (stopped) so its
    /// logs can be read — flyctl's auto-destroying machine leaves nothing to debug.
    async fn release_command(
        &self,
        command: &str,
        region: Option<&str>,
        config: &MachineConfig,
        timeout_secs: u64,
    ) -> Result<String, RunError> {
        let group = crate::config::RELEASE_COMMAND_GROUP;
        self.emit(Event::Info { message: format!("Running {} release_command: {command}", self.app()) });
        let mut config = MachineConfig::clone(config);
        config.auto_destroy = Some(false);
        let request = MachineRequest {
            region: region.map(str::to_owned),
            config,
            skip_launch: Some(true),
            ..MachineRequest::default()
        };
        let machine =
            self.client.create_machine(self.app(), &request).await.map_err(self.api_error("release_command", group))?;
        let id = machine.id.clone();
        self.emit(Event::MachineCreated {
            key: "release_command".to_owned(),
            machine: id.clone(),
            group: group.to_owned(),
            region: machine.region.clone(),
        });
        self.client
            .machine_action(self.app(), &id, MachineAction::Start, None)
            .await
            .map_err(self.api_error(&id, group))?;
        let states = [WaitState::Stopped, WaitState::Destroyed, WaitState::Failed];
        let wait = WaitFor { states: &states, version: None, from_event_id: None, timeout_secs: 60 };
        let limit = if timeout_secs == 0 {
            Duration::from_secs(u64::from(u32::MAX))
        } else {
            Duration::from_secs(timeout_secs)
        };
        match self.client.wait_until(self.app(), &id, &wait, limit).await {
            Ok(_) | Err(ApiError::NotFound { .. }) => {}
            Err(error) => return Err(RunError::api(&id, group, &error)),
        }
        let finished = self.client.get_machine(self.app(), &id).await.map_err(self.api_error(&id, group))?;
        let exit_code = match finished.state {
            MachineState::Failed => last_exit_code(&finished).unwrap_or(1),
            _ => last_exit_code(&finished).unwrap_or(0),
        };
        self.emit(Event::ReleaseCommand { machine: id.clone(), exit_code });
        if exit_code != 0 {
            return Err(RunError::ReleaseCommand { machine: id, exit_code });
        }
        match self.client.destroy_machine(self.app(), &id, true, None).await {
            Ok(()) | Err(ApiError::NotFound { .. }) => Ok(id),
            Err(error) => Err(RunError::api(&id, group, &error)),
        }
    }
}

//! `launch`: an image and the port it listens on become a fly.toml (flyctl's launch defaults, §A.8), the app, and
//! its first machines, started — or an error that says what is wrong before anything is created (never "No
//! machines are available on this app").

use crate::config::{LaunchOptions, PRESETS, RegionStatus, launch_config, parse, preset_named, region_status, to_toml};

use super::{Action, DeployInput, DeployOptions, Phase, Plan, PlanError, Pool, plan_deploy};

/// What `launch` was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchRequest {
    pub app: String,
    pub org: String,
    pub image: String,
    pub internal_port: u32,
    pub region: String,
    pub vm_size: Option<String>,
    /// One machine instead of flyctl's two (high availability).
    pub single_machine: bool,
}

/// The fly.toml text to write and the plan that creates the app and starts its machines.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    pub fly_toml: String,
    pub plan: Plan,
}

/// Plans a launch; every input is checked first.
pub fn plan_launch(request: &LaunchRequest) -> Result<Launch, PlanError> {
    if !crate::config::valid_app_name(&request.app) {
        return Err(PlanError::Invalid(format!(
            "app name {:?}: use 1-63 lowercase letters, digits and dashes, not starting or ending with a dash",
            request.app
        )));
    }
    if request.image.trim().is_empty() {
        return Err(PlanError::Invalid("an image is needed, e.g. nginx:latest".to_owned()));
    }
    let port = u16::try_from(request.internal_port).ok().filter(|p| *p > 0).ok_or_else(|| {
        PlanError::Invalid(format!("internal port {} is not a port (1-65535)", request.internal_port))
    })?;
    match region_status(&request.region) {
        RegionStatus::Current(_) => {}
        RegionStatus::Deprecated => {
            return Err(PlanError::Invalid(format!("region {} is deprecated: pick another", request.region)));
        }
        RegionStatus::Unknown => return Err(PlanError::Invalid(format!("unknown region {:?}", request.region))),
    }
    if let Some(size) = request.vm_size.as_deref().filter(|s| preset_named(s).is_none()) {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        return Err(PlanError::Size(format!(
            "'{size}' is an invalid machine size, choose one of: {}",
            names.join(", ")
        )));
    }
    let config = launch_config(&LaunchOptions {
        app: request.app.clone(),
        image: request.image.trim().to_owned(),
        internal_port: port,
        primary_region: request.region.clone(),
        vm_size: request.vm_size.clone(),
        command: None,
    });
    let fly_toml = to_toml(&config).map_err(|e| PlanError::Invalid(e.to_string()))?;
    // Plan from the text that will be written, so the file and the machines agree.
    let parsed = parse(&fly_toml);
    if parsed.has_errors() {
        return Err(PlanError::Invalid("the generated fly.toml does not validate".to_owned()));
    }
    let input =
        DeployInput { app: &request.app, config: &parsed.config, machines: &[], volumes: &[], app_deployed: false };
    let options = DeployOptions { ha: !request.single_machine, ..DeployOptions::default() };
    let deploy = plan_deploy(&input, &options)?;
    let mut plan = Plan::new(&request.app, "launch", deploy.lease_ttl_secs);
    plan.push(Phase::new(
        "create the app",
        vec![Pool {
            label: "app".to_owned(),
            concurrency: 1,
            spearhead: false,
            actions: vec![Action::CreateApp { name: request.app.clone(), org: request.org.clone() }],
        }],
    ));
    plan.phases.extend(deploy.phases);
    plan.expected_counts = deploy.expected_counts;
    plan.wait_timeout_secs = deploy.wait_timeout_secs;
    Ok(Launch { fly_toml, plan })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> LaunchRequest {
        LaunchRequest {
            app: "hello".into(),
            org: "personal".into(),
            image: "nginx:latest".into(),
            internal_port: 80,
            region: "syd".into(),
            vm_size: None,
            single_machine: false,
        }
    }

    #[test]
    fn a_launch_writes_fly_toml_and_plans_the_app_and_two_machines() {
        let launch = plan_launch(&request()).unwrap();
        assert!(launch.fly_toml.contains("internal_port = 80"), "{}", launch.fly_toml);
        assert!(
            launch.fly_toml.contains("primary_region = 'syd'") || launch.fly_toml.contains("primary_region = \"syd\"")
        );
        let text = launch.plan.describe();
        assert!(text.contains("create app hello in organization personal"), "{text}");
        assert_eq!(launch.plan.expected_counts.get("app"), Some(&2), "{text}");
        let single = plan_launch(&LaunchRequest { single_machine: true, ..request() }).unwrap();
        assert_eq!(single.plan.expected_counts.get("app"), Some(&1));
    }

    #[test]
    fn bad_inputs_are_refused_before_anything_happens() {
        for (bad, word) in [
            (LaunchRequest { app: "Hello!".into(), ..request() }, "app name"),
            (LaunchRequest { image: " ".into(), ..request() }, "image"),
            (LaunchRequest { internal_port: 0, ..request() }, "port"),
            (LaunchRequest { internal_port: 70_000, ..request() }, "port"),
            (LaunchRequest { region: "mars".into(), ..request() }, "region"),
            (LaunchRequest { vm_size: Some("huge".into()), ..request() }, "size"),
        ] {
            let error = plan_launch(&bad).unwrap_err().to_string();
            assert!(error.contains(word), "{error}");
        }
    }
}

// A realistic 300-line fly.toml: several process groups, services with checks, mounts, vms, env, statics.
export function config300() {
  const lines = [
    'app = "bench-app"',
    'primary_region = "ord"',
    'kill_signal = "SIGTERM"',
    'kill_timeout = "30s"',
    "",
    "[build]",
    '  image = "registry.fly.io/bench-app:deployment-01"',
    "",
    "[deploy]",
    '  release_command = "bin/migrate --all"',
    '  strategy = "rolling"',
    "  max_unavailable = 0.25",
    "",
    "[env]",
  ];
  for (let i = 0; lines.length < 60; i++) lines.push(`  SETTING_${i} = "value-${i}"`);
  lines.push("", "[processes]");
  const groups = ["web", "worker", "cron", "api", "admin"];
  for (const g of groups) lines.push(`  ${g} = "bin/${g} --port 8080"`);
  for (const [i, g] of groups.entries()) {
    lines.push(
      "",
      "[[services]]",
      '  protocol = "tcp"',
      `  internal_port = ${8080 + i}`,
      `  processes = ["${g}"]`,
      '  auto_stop_machines = "stop"',
      "  auto_start_machines = true",
      "  min_machines_running = 1",
      "  [services.concurrency]",
      '    type = "requests"',
      "    soft_limit = 200",
      "    hard_limit = 250",
      "  [[services.ports]]",
      "    port = 80",
      '    handlers = ["http"]',
      "    force_https = true",
      "  [[services.ports]]",
      "    port = 443",
      '    handlers = ["tls", "http"]',
      "  [[services.http_checks]]",
      '    interval = "15s"',
      '    timeout = "2s"',
      '    grace_period = "10s"',
      '    method = "GET"',
      `    path = "/${g}/health"`,
      "  [[services.tcp_checks]]",
      '    interval = "20s"',
      '    timeout = "3s"',
    );
  }
  for (const g of groups) {
    lines.push("", "[[vm]]", '  size = "shared-cpu-2x"', '  memory = "1gb"', `  processes = ["${g}"]`);
  }
  lines.push("", "[[mounts]]", '  source = "data"', '  destination = "/data"', '  initial_size = "10gb"', '  processes = ["worker"]');
  for (let i = 0; lines.length + 4 <= 300; i++) {
    lines.push("", "[[statics]]", `  guest_path = "/app/public/${i}"`, `  url_prefix = "/static/${i}"`);
  }
  while (lines.length < 300) lines.push("# (padding to exactly 300 lines)");
  return lines.join("\n") + "\n";
}

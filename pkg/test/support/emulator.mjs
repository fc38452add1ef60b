// Starts flightdeck-server (the Machines API emulator) on a free loopback port for one test file.
// FLIGHTDECK_SERVER names the binary; by default the workspace's debug build.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const root = fileURLToPath(new URL("../../../", import.meta.url));
export const serverBinary = process.env.FLIGHTDECK_SERVER ?? `${root}target/debug/flightdeck-server`;

/**
 * @param {{ token?: string, dashboard?: string, args?: string[] }} options
 * @returns {Promise<{ url: string, token: string, output: string[], stop: () => Promise<void> }>}
 */
export async function startEmulator({ token = "test-token", dashboard = "/nonexistent", args = [] } = {}) {
  const child = spawn(serverBinary, ["--listen", "127.0.0.1:0", "--token", token, "--dashboard", dashboard, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FLY_API_TOKEN: "" },
  });
  const output = [];
  child.stderr.on("data", (chunk) => output.push(String(chunk)));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flightdeck-server did not start: ${output.join("")}`)), 15_000);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`flightdeck-server exited with ${code}: ${output.join("")}`)));
    lines.on("line", (line) => {
      output.push(line);
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  child.removeAllListeners("exit");
  return {
    url,
    token,
    output,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGINT");
        await once(child, "exit");
      }
    },
  };
}

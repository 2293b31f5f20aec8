/**
 * Janus Gateway as the benchmark's peer: installed from Debian when missing (root with apt-get),
 * otherwise a clear stop with the command to run, and configured from files written to a temp
 * folder: only the HTTP transport (on 127.0.0.1) and the EchoTest plugin.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const JANUS_BINARY = '/usr/bin/janus';
export const JANUS_INSTALL_COMMAND = 'sudo apt-get update && sudo apt-get install -y janus';

/** Installs Debian's janus if it is missing and we may (root, apt-get); throws with the command otherwise. */
export function ensureJanus(log: (line: string) => void = () => undefined): void {
  if (existsSync(JANUS_BINARY)) return;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) throw new Error(`The benchmark compares against Janus Gateway, which is not installed. Install it with:\n  ${JANUS_INSTALL_COMMAND}`);
  log("installing Debian's janus (apt-get)...");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'janus'], { stdio: 'ignore', env });
  if (!existsSync(JANUS_BINARY)) throw new Error(`apt-get did not install ${JANUS_BINARY}; try:\n  ${JANUS_INSTALL_COMMAND}`);
}

/** Where Debian put Janus's modules (/usr/lib/<multiarch>/janus). */
function janusLibFolder(): string {
  for (const arch of readdirSync('/usr/lib')) {
    const dir = join('/usr/lib', arch, 'janus');
    if (existsSync(join(dir, 'plugins', 'libjanus_echotest.so'))) return dir;
  }
  throw new Error(`Janus is installed but its EchoTest plugin (libjanus_echotest.so) was not found under /usr/lib/*/janus/plugins; reinstall with:\n  ${JANUS_INSTALL_COMMAND}`);
}

export interface JanusConfig {
  folder: string;
  configFile: string;
  httpPort: number;
}

/**
 * Writes a configuration to a new temp folder. Plugins and transports other than EchoTest and
 * HTTP are disabled by name (Janus loads every module it finds otherwise). Session timeouts are
 * off so a long run needs no keep-alive requests during the measurement.
 */
export function writeJanusConfig(httpPort: number, rtpPorts: string): JanusConfig {
  const lib = janusLibFolder();
  const folder = mkdtempSync(join(tmpdir(), 'kurento-ts-bench-janus-'));
  const others = (kind: string, keep: string) =>
    readdirSync(join(lib, kind))
      .filter((f) => f.endsWith('.so') && f !== keep)
      .join(',');
  const configFile = join(folder, 'janus.jcfg');
  writeFileSync(
    configFile,
    `general: {
	configs_folder = "${folder}"
	plugins_folder = "${lib}/plugins"
	transports_folder = "${lib}/transports"
	events_folder = "${lib}/events"
	loggers_folder = "${lib}/loggers"
	debug_level = 3
	session_timeout = 0
}
plugins: {
	disable = "${others('plugins', 'libjanus_echotest.so')}"
}
transports: {
	disable = "${others('transports', 'libjanus_http.so')}"
}
events: {
	broadcast = false
}
loggers: {
	disable = "${others('loggers', '')}"
}
media: {
	rtp_port_range = "${rtpPorts}"
}
nat: {
	ignore_mdns = true
}
`,
  );
  writeFileSync(join(folder, 'janus.plugin.echotest.jcfg'), 'general: {\n}\n');
  writeFileSync(
    join(folder, 'janus.transport.http.jcfg'),
    `general: {
	json = "plain"
	base_path = "/janus"
	http = true
	port = ${httpPort}
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_http = false
}
`,
  );
  return { folder, configFile, httpPort };
}

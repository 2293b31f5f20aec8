/** The server manager: a singleton that exists without being created, id `manager_ServerManager`. */
import os from 'node:os';
import { KurentoError, SERVER_MANAGER_ID, remoteClasses, moduleOf, type ClassSpec } from '@kurento-ts/protocol';
import type { BudgetUse } from '../limits/budgets.js';
import { objectId, type Args, type ComplexServerValue, type ObjectId, type Remote } from './contract.js';
import { MediaObject } from './MediaObject.js';
import { nativeMediaPath } from '../webrtc/nativeSockets.js';
import type { ObjectContext } from './ObjectContext.js';

/** What the manager reports about the server it runs in. */
export interface ServerFacts {
  /** Ids of live pipelines, oldest first, whichever thread runs them. */
  pipelines(): string[];
  sessionIds(): string[];
  /** The server's budgets and their current use. */
  budgets(): BudgetUse[];
}

/** The Kurento version whose protocol this server speaks. */
export const KURENTO_VERSION = '7.3.0';
/** Official clients check for these modules (see shared/kurento/WIRE.md). */
const MODULES = ['core', 'elements', 'filters'] as const;
const MAX_CPU_SAMPLE_MS = 10_000;

export class ServerManager extends MediaObject implements Remote<'ServerManager'> {
  constructor(context: ObjectContext, private readonly facts: ServerFacts) {
    super(context, 'ServerManager', SERVER_MANAGER_ID);
  }

  override get mediaPipeline(): undefined {
    return undefined;
  }

  /** Kurento's ServerInfo: version, modules with their factories, type, capabilities. */
  getInfo(): ComplexServerValue<'ServerInfo'> {
    const concrete = Object.entries(remoteClasses).filter(([, spec]: [string, ClassSpec]) => spec.abstract !== true).map(([name]) => name);
    const modules = MODULES.map((name) => ({
      version: KURENTO_VERSION,
      name,
      generationTime: 'kurento-ts',
      factories: concrete.filter((c) => moduleOf(c) === name),
    }));
    // Which media path runs (docs/architecture.md): the native addon's, or the TypeScript one.
    return { version: KURENTO_VERSION, modules, type: 'KMS', capabilities: ['transactions', nativeMediaPath() ? 'media-path:native' : 'media-path:typescript'] };
  }

  getPipelines(): ObjectId[] {
    return this.facts.pipelines().map(objectId);
  }

  getSessions(): string[] {
    return this.facts.sessionIds();
  }

  getMetadata(): string {
    return '';
  }

  /** The server's budgets with their use now (docs/security.md). */
  getBudgets(): ComplexServerValue<'ResourceBudget'>[] {
    return this.facts.budgets();
  }

  getCpuCount(): number {
    return os.cpus().length;
  }

  getUsedCpu({ interval }: Args<'ServerManager', 'getUsedCpu'>): Promise<number> {
    return usedCpu(interval);
  }

  getUsedMemory(): number {
    return Math.round(process.memoryUsage().rss / 1024);
  }

  getKmd({ moduleName }: Args<'ServerManager', 'getKmd'>): string {
    if (!(MODULES as readonly string[]).includes(moduleName)) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `Unknown module: ${moduleName}`);
    const classes = Object.entries(remoteClasses).filter(([name]) => moduleOf(name) === moduleName);
    return JSON.stringify({ name: moduleName, version: KURENTO_VERSION, remoteClasses: Object.fromEntries(classes) });
  }

  /** Never released: it lives as long as the server. */
  override release(): void {
    throw new KurentoError('MEDIA_OBJECT_OPERATION_NOT_SUPPORTED', 'The ServerManager cannot be released');
  }
}

/** Percentage of all cores used by this process over `interval` ms. */
async function usedCpu(interval: number): Promise<number> {
  const ms = Math.min(Math.max(interval, 1), MAX_CPU_SAMPLE_MS);
  const start = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const used = process.cpuUsage(start);
  return ((used.user + used.system) / 1000 / ms / os.cpus().length) * 100;
}

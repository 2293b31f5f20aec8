/**
 * The server's budgets as facts shared by every layer that enforces one: what each counts, the
 * refusal (40009 NOT_ENOUGH_RESOURCES, naming the budget and the flag that sets it), the
 * pressure threshold, and the warning logged when a budget is 80 % used.
 */
import { KurentoError } from '@kurento-ts/protocol';
import { flagOf } from '../config/config.js';
import { createLogger } from '../support/logger.js';

const log = createLogger('kms:budgets');

/** Each budget's option and the resource it counts. */
export const budgetResources = {
  maxSessions: 'sessions',
  maxPipelines: 'pipelines',
  maxEndpoints: 'endpoints',
  maxObjects: 'media objects',
  maxUdpSockets: 'media UDP sockets',
  maxSessionsPerClient: 'sessions',
  maxObjectsPerClient: 'media objects',
} as const;

/** The option of a budget. */
export type BudgetOption = keyof typeof budgetResources;
/** The budgets that bound one client. */
export type ClientBudgetOption = 'maxSessionsPerClient' | 'maxObjectsPerClient';
/** The budgets that bound the whole server. */
export type ServerBudgetOption = Exclude<BudgetOption, ClientBudgetOption>;

/** One budget's current use, as operators read it (ServerManager `budgets`, MediaServer.budgets()). */
export interface BudgetUse {
  /** The option that sets it, e.g. `maxEndpoints`. */
  budget: BudgetOption;
  /** In use now; for a per-client budget, by the busiest client. */
  used: number;
  /** The budget; 0: no limit. */
  limit: number;
}

/** A budget is under pressure from this share of it on. */
const PRESSURE_SHARE = 0.8;
/** A warned budget warns again once its use has fallen below this share. */
export const REARM_SHARE = 0.7;

/** Whether `used` reaches 80 % of a budget (never for no limit). */
export function underPressure(used: number, limit: number): boolean {
  return limit > 0 && used >= limit * PRESSURE_SHARE;
}

/** Whether `more` fits in a budget next to `used` (always for no limit). */
export function fits(used: number, more: number, limit: number): boolean {
  return limit === 0 || used + more <= limit;
}

/** The refusal of a server-wide budget. */
export function serverBudgetReached(budget: ServerBudgetOption, used: number, limit: number): KurentoError {
  return new KurentoError('NOT_ENOUGH_RESOURCES', `Server budget reached: ${used} of ${limit} ${budgetResources[budget]} in use (${flagOf(budget)})`);
}

/** The refusal of a per-client budget; `client` names it (an address, or an address and token). */
export function clientBudgetReached(budget: ClientBudgetOption, client: string, used: number, limit: number): KurentoError {
  return new KurentoError('NOT_ENOUGH_RESOURCES', `Client budget reached: ${client} holds ${used} of ${limit} ${budgetResources[budget]} (${flagOf(budget)})`);
}

/** The warning text for a budget at 80 % or more. */
export function pressureWarning(budget: BudgetOption, used: number, limit: number, client?: string): string {
  const whose = client === undefined ? 'the server' : `client ${client}`;
  const state = used >= limit ? 'used up: further requests are refused' : `${Math.floor((used / limit) * 100)} % used`;
  return `Budget ${state}: ${whose} holds ${used} of ${limit} ${budgetResources[budget]} (${flagOf(budget)})`;
}

/**
 * Logs when a budget reaches 80 % and when it is used up, once each, and again only after its
 * use fell below 70 %.
 */
export class PressureWarnings {
  /** How far each budget was warned about (1: 80 %, 2: full), per client ('' for the server's own). */
  private readonly warned = new Map<string, Map<BudgetOption, number>>();

  /** Checks one budget, of the server or of `client`. */
  check(budget: BudgetOption, used: number, limit: number, client?: string): void {
    const owner = client ?? '';
    let levels = this.warned.get(owner);
    const warned = levels?.get(budget) ?? 0;
    if (warned > 0 && used < limit * REARM_SHARE) levels?.delete(budget);
    const level = !underPressure(used, limit) ? 0 : used >= limit ? 2 : 1;
    if (level <= warned) return;
    if (!levels) this.warned.set(owner, (levels = new Map()));
    levels.set(budget, level);
    log.warn(pressureWarning(budget, used, limit, client));
  }

  /** Forgets a client's warnings (it holds nothing any more). */
  forget(client: string): void {
    this.warned.delete(client);
  }
}

/** Logs a warning for a budget whose crossing another thread may detect (see SocketBudget). */
export function warnPressure(budget: BudgetOption, used: number, limit: number): void {
  log.warn(pressureWarning(budget, used, limit));
}

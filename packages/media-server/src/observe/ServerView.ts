/**
 * The whole server as an operator sees it at one moment: sessions and sockets, the budgets'
 * use, and each host's report (its pipelines, totals and vitals). Metrics and the dashboard
 * both read it; it is gathered only when one of them looks.
 */
import type { HostReport } from '../hosts/HostRouter.js';
import type { BudgetUse } from '../limits/budgets.js';

export interface ServerView {
  /** Date.now() when it was gathered. */
  at: number;
  /** Kurento sessions, connected or in their grace period. */
  sessions: number;
  /** Open control-port WebSockets. */
  connections: number;
  budgets: BudgetUse[];
  /** `main` first, then each media worker. */
  hosts: HostReport[];
}

/** Gathers a view; `resetLoopDelay` is true for metrics scrapes (the delay is reported per scrape). */
export type ViewSource = (resetLoopDelay: boolean) => Promise<ServerView>;

// What a step kind is: run, undo, and whether a completed step of this kind is a rollback point.
import type { Plan } from '../plan.js';

export interface StepContext {
  /** the home the step acts on: the plan's own, or that of the environment the step names */
  home: string;
  /** the home the plan runs in (its journal, its lock); equal to `home` unless the step names an environment */
  runHome: string;
  /** the environment the step names, when it names one */
  environment?: string;
  /** the home of an environment the plan's steps name (a promotion's source, say), when known */
  homeOf(environment: string): string | undefined;
  /** the result a completed earlier step of this run recorded (how a step hands its output on) */
  resultOf(stepId: string): Record<string, unknown> | undefined;
  runId: string;
  stepId: string;
  /** this step's private directory under the run: saved pre-state for undo; survives crashes */
  dir: string;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  plan: Plan;
  dryRun: boolean;
  /** detail for --verbose and the log */
  detail(msg: string): void;
}

export type StepResult = Record<string, unknown> | void;

export interface StepKind {
  kind: string;
  /** one line for docs/plans.md and `mcp-migrate plan` */
  summary: string;
  /** the module whose functions it calls; refused at plan time when that module is not built in */
  needs?: 'config' | 'db' | 'backup' | 'runtime' | 'k8s';
  /** a completed step of this kind leaves a consistent state rollback may stop at */
  rollbackPoint: boolean;
  /** false for checks: nothing to undo, safe to re-run */
  mutates: boolean;
  /** plan time: a reason the step cannot run here (module missing, bad params), or undefined */
  check?(params: Record<string, unknown>, home: string, env: NodeJS.ProcessEnv, homes?: Readonly<Record<string, string>>): Promise<string | undefined>;
  /** what --dry-run prints for it */
  describe?(params: Record<string, unknown>): string;
  /**
   * Do it. A mutating step saves what it will change under ctx.dir BEFORE changing anything, so an
   * interrupted run can be undone exactly. Must be safe to call again after its own undo.
   */
  run(ctx: StepContext, params: Record<string, unknown>): Promise<StepResult>;
  /**
   * Put back what run changed. Called for completed steps (with their result) and for steps a crash
   * interrupted (result undefined). Idempotent: a crash during undo is resumed by undoing again.
   */
  undo?(ctx: StepContext, params: Record<string, unknown>, result: Record<string, unknown> | undefined): Promise<void>;
}

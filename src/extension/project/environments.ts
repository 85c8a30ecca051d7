import * as vscode from 'vscode';
import type { Environment, ProjectSnapshot } from '../../core/index';

const STATE_KEY = 'lakehouse.environments';
/** The environment the local emulator answers as (as src/azure/target.ts names it; not imported: that is the Azure bundle). */
export const LOCAL_ENVIRONMENT = 'local';
/** Where the one environment of earlier versions was kept (previews only): still honoured. */
const LEGACY_KEY = 'lakehouse.templates.environment';

/**
 * The environment each project works in: one choice per project, used by every feature (template
 * previews and Render All, ADF previews and generation, the status bar), kept in the workspace
 * state. Until one is chosen, the lakehouse.defaultEnvironment setting's, else the project's first
 * declared environment.
 */
export class EnvironmentState implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the project's root file when its environment was changed. */
  readonly onDidChange = this.changed.event;

  /** `defaultName`: the lakehouse.defaultEnvironment setting, the choice until one is made (`local`: the emulator). */
  constructor(
    private readonly state: vscode.Memento,
    private readonly defaultName: () => string | undefined = () => undefined,
  ) {}

  /** The project's chosen environment, else the setting's default. */
  private wanted(snapshot: ProjectSnapshot): string | undefined {
    return this.chosen()[snapshot.rootFile] ?? this.state.get<string>(LEGACY_KEY) ?? this.defaultName();
  }

  private chosen(): Record<string, string> {
    const value = this.state.get<unknown>(STATE_KEY);
    return value && typeof value === 'object' ? (value as Record<string, string>) : {};
  }

  /** The environment's name for a project; undefined when it declares none. */
  nameOf(snapshot: ProjectSnapshot): string | undefined {
    return this.of(snapshot)?.name;
  }

  /** The environment a project works in (a chosen one that is no longer declared falls back to the first). */
  of(snapshot: ProjectSnapshot): Environment | undefined {
    const declared = snapshot.metadata.environments;
    const wanted = this.wanted(snapshot);
    return declared.find(e => e.name === wanted) ?? declared[0];
  }

  /**
   * Where operations (deploy, runs, lake, trigger, backfill) go: the environment's name, or `local`
   * when the local emulator was chosen (whose artifacts carry the first declared environment's values).
   */
  operationsName(snapshot: ProjectSnapshot): string | undefined {
    return this.isLocal(snapshot) ? LOCAL_ENVIRONMENT : this.nameOf(snapshot);
  }

  /** Whether the local emulator was chosen for the project (no environment of that name is declared). */
  isLocal(snapshot: ProjectSnapshot): boolean {
    return (
      this.wanted(snapshot) === LOCAL_ENVIRONMENT &&
      !snapshot.metadata.environments.some(e => e.name === LOCAL_ENVIRONMENT)
    );
  }

  /** Whether the project's environment was chosen explicitly (else it is its first declared one). */
  isChosen(snapshot: ProjectSnapshot): boolean {
    const wanted = this.chosen()[snapshot.rootFile];
    return wanted !== undefined && snapshot.metadata.environments.some(e => e.name === wanted);
  }

  async set(rootFile: string, name: string): Promise<void> {
    await this.state.update(STATE_KEY, { ...this.chosen(), [rootFile]: name });
    this.changed.fire(rootFile);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

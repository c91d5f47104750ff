/**
 * Something the workspace model noticed while reading a spec-kit project: a malformed file, a folder it
 * could not read, an ambiguous name. Reported as data so faces can show it; never thrown.
 */
export interface WorkspaceDiagnostic {
  readonly severity: 'error' | 'warning' | 'info';
  /** Stable machine-readable code, e.g. `extensions-yaml-invalid`. */
  readonly code: string;
  /** Absolute path of the file or folder concerned. */
  readonly file: string;
  /** 1-based line, when the problem has one. */
  readonly line?: number;
  readonly message: string;
}

export function formatDiagnostic(d: WorkspaceDiagnostic): string {
  const where = d.line === undefined ? d.file : `${d.file}:${d.line}`;
  return `${where}: ${d.severity}: ${d.message} [${d.code}]`;
}

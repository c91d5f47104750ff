import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { DiagnosticSeverity as ModelSeverity } from '../core/speckit/tasks-model';
import type { ServerDiagnostic, TasksAnalysis } from './tasks-analysis';

/** Shown as the diagnostic's source in every editor's problem list. */
export const DIAGNOSTIC_SOURCE = 'speckit';

function toLspSeverity(severity: ModelSeverity): DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'information':
      return DiagnosticSeverity.Information;
    default: {
      const unexpected: never = severity;
      return unexpected;
    }
  }
}

export function toLspDiagnostic(d: ServerDiagnostic): Diagnostic {
  return {
    range: d.range,
    severity: toLspSeverity(d.severity),
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
  };
}

export function lspDiagnostics(analysis: TasksAnalysis): Diagnostic[] {
  return analysis.diagnostics.map(toLspDiagnostic);
}

import type { Engine, EnginePorts } from './facade-types';

export class EngineNotReadyError extends Error {
  constructor(what: string) {
    super(`the orchestra engine cannot ${what} yet: this build has its facade but not its implementation`);
    this.name = 'EngineNotReadyError';
  }
}

export function createEngine(_ports: EnginePorts): Engine {
  return {
    plan: async () => Promise.reject(new EngineNotReadyError('plan')),
    start: () => {
      throw new EngineNotReadyError('start a run');
    },
    findInterruptedRuns: async () => [],
    resume: async () => Promise.reject(new EngineNotReadyError('resume')),
    rollback: async () => Promise.reject(new EngineNotReadyError('roll back')),
  };
}

// The render jobs as cases for verifyWithJinja2 (`lakehouse render --verify-jinja2`).
import type { VerifyCase } from '../templates/jinja2Oracle';
import type { RenderJob } from './plan';

export function verificationCases(jobs: readonly RenderJob[]): VerifyCase[] {
  return jobs.map(job => ({
    id: job.id,
    file: job.templateFile,
    searchPaths: job.searchPaths,
    projectRoot: job.projectRoot,
    context: JSON.stringify(job.context),
  }));
}

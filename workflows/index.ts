// The workflows a fitlake worker registers (the bundle's entry point).
export { pipelineWorkflow, progressQuery, stopSignal } from './pipeline.ts';
export { reprocessWorkflow } from './reprocess.ts';
export { maintenanceWorkflow } from './maintenance.ts';

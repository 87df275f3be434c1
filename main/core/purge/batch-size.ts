// Moved to main/core/batches/ (shared by purge and retention); kept so code written against the old path still builds.
export { BatchSizer, percentile } from '../batches/batch-size';
